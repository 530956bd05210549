import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';

/** Small shared pieces for the benchmarks: an HTTPS client that trusts the local certificate, timers, formatting. */
export const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 256 });

export function call(url: string, options: { method?: string; token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET', agent,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}), ...options.headers },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      // A server that dies mid-body ends the response with neither 'end' nor a request error;
      // without this the caller would wait forever on a closed socket.
      res.on('error', reject);
      res.on('close', () => { if (!res.complete) reject(new Error(`response from ${url} cut off`)); });
    });
    req.on('error', reject);
    req.end(options.body);
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
