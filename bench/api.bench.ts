import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { call, fmt, line, serveProcess } from './lib.ts';

async function serve(mode: 'api' | 'bare'): Promise<{ child: ChildProcess; port: number; token: string }> {
  const { child, port, fields } = await serveProcess(mode);
  return { child, port, token: fields[0] };
}

const pod = (name: string | undefined) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: name ? { name, labels: { app: 'load' } } : { generateName: 'load-', labels: { app: 'load' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
});

interface Figures { rps: number; p50: number; p99: number; errors: number }

async function load(url: string, options: { method?: 'GET' | 'POST'; body?: string; token: string }): Promise<Figures> {
  const result = await autocannon({
    url, connections: 64, duration: 5, method: options.method ?? 'GET', body: options.body,
    headers: { ...(options.token !== 'none' ? { authorization: `Bearer ${options.token}` } : {}), 'content-type': 'application/json', accept: 'application/json' },
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

/** Issues 3 and 7: the API server under 64 connections, against a bare Hono handler doing the same JSON work. */
export async function run(): Promise<void> {
  const api = await serve('api');
  const bare = await serve('bare');
  try {
    const apiBase = `https://127.0.0.1:${api.port}/api/v1/namespaces/default/pods`;
    const bareBase = `https://127.0.0.1:${bare.port}/pods`;
    // The bare handler stores exactly what the API server stored (defaults and all), so both move the same bytes.
    for (let i = 0; i < 100; i++) {
      const created = await call(apiBase, { method: 'POST', token: api.token, body: pod(`seed-${i}`) });
      await call(bareBase, { method: 'POST', body: created.body });
    }
    const scenarios: Array<[string, (base: string, token: string) => Promise<Figures>]> = [
      ['GET one pod', (base, token) => load(`${base}/seed-7`, { token })],
      ['LIST 100 pods', (base, token) => load(`${base}?limit=100`, { token })],
      ['create pod', (base, token) => load(base, { method: 'POST', body: pod(undefined), token })],
    ];
    console.log(`${'scenario (64 connections, 5 s each)'.padEnd(30)} ${'api req/s'.padStart(10)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'errors'.padStart(7)} | ${'bare req/s'.padStart(10)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} | api/bare`);
    for (const [name, scenario] of scenarios) {
      const a = await scenario(apiBase, api.token);
      const b = await scenario(bareBase, 'none');
      console.log(`${name.padEnd(30)} ${fmt(a.rps, 0).padStart(10)} ${String(a.p50).padStart(6)} ${String(a.p99).padStart(6)} ${String(a.errors).padStart(7)} | ${fmt(b.rps, 0).padStart(10)} ${String(b.p50).padStart(6)} ${String(b.p99).padStart(6)} | ${fmt((100 * a.rps) / b.rps, 0)}%`);
    }
    line('targets', 'GET ≥50% of bare req/s; create p99 ≤10 ms; zero errors');
  } finally {
    api.child.kill();
    bare.child.kill();
  }
}
