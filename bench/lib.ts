import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { call as request, type Answer } from '../src/client/https.ts';
import { serverNodeFlags } from '../src/entry/node-flags.ts';

/** Small shared pieces for the benchmarks: an HTTPS client that trusts the local certificate, timers, formatting. */
export const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 256 });

export function call(url: string, options: { method?: string; token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return request(url, {
    method: options.method ?? 'GET', agent, body: options.body,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
  });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}

/** A bench/serve.ts server in a process of its own, once it printed `READY <port> <fields…>`. */
export function serveProcess(mode: string, options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<{ child: ChildProcess; port: number; fields: string[] }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'serve.ts');
  const child = spawn(process.execPath, [...serverNodeFlags, ...(options.nodeArgs ?? []), '--import', 'tsx', script, mode], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...options.env } });
  // A bench that dies (an uncaught error) takes its server with it, instead of leaving it serving.
  const orphanGuard = () => child.kill();
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (process.env.SERVE_STDOUT) appendFileSync(process.env.SERVE_STDOUT, c);
      const m = /READY (\d+) ([^\n]*)\n/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), fields: m[2].split(' ') });
    });
    child.on('exit', (code) => reject(new Error(`serve.ts ${mode} exited ${code}`)));
  });
}

/** CPU-seconds a process has used (user + system), from /proc: a server's own, whoever drives it. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
