import { Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { call as request, type Answer } from '../src/client/https.ts';

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
