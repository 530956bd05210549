import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, type Answer } from '../client/https.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface WranglerDev {
  url: string;
  port: number;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A request over HTTPS that trusts the local self-signed certificate. */
export function insecureRequest(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return call(url, { method, headers, body, insecure: true, timeoutMs: 10_000 });
}

/**
 * The Worker under `wrangler dev` (workerd, local KV, SQLite Durable Objects
 * and Queues), over HTTPS, with its state persisted in `persistTo`.
 * The wrangler binary is started directly (not through npx) so that stopping
 * its PID stops it.
 */
export async function startWranglerDev(options: {
  port: number; inspectorPort?: number; persistTo: string; vars: Record<string, string>; log?: (line: string) => void;
  /** A process group of its own (tests stop it as a group); npm start keeps it in its own group, so killing npm start kills it too. */
  detached?: boolean;
}): Promise<WranglerDev> {
  const detached = options.detached ?? true;
  mkdirSync(options.persistTo, { recursive: true });
  const envFile = join(dirname(resolve(options.persistTo)), `dev-${options.port}.vars`);
  writeFileSync(envFile, Object.entries(options.vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), [
    'dev', '--local-protocol', 'https', '--ip', '127.0.0.1', '--port', String(options.port),
    ...(options.inspectorPort ? ['--inspector-port', String(options.inspectorPort)] : []),
    '--persist-to', options.persistTo, '--env-file', envFile, '--show-interactive-dev-session=false', '--log-level', 'warn',
  ], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG_PATH: join(dirname(resolve(options.persistTo)), 'wrangler-logs') },
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) { lines.push(line); options.log?.(line); }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = `https://127.0.0.1:${options.port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const target = detached ? -child.pid! : child.pid!;
    try { process.kill(target, signal); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(target, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${lines.slice(-30).join('\n')}`);
    try {
      const res = await insecureRequest('GET', `${url}/healthz`);
      if (res.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`wrangler dev did not answer within 60s:\n${lines.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port: options.port, process: child, stop };
}
