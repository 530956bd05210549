import { Agent, request, type RequestOptions } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** Calls onLine for each non-empty line of a newline-delimited stream as it arrives, then afterChunk. */
export function onLines(res: IncomingMessage, onLine: (line: string) => void, afterChunk?: () => void): void {
  // The pieces of an unfinished line: only a new chunk is searched for its end, so a line of
  // several megabytes (a large CRD's event) costs its length once, not once per chunk.
  let pending: string[] = [];
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    let start = 0, nl;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      pending.push(chunk.slice(start, nl));
      const line = pending.join('');
      pending = [];
      start = nl + 1;
      if (line) onLine(line);
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
    afterChunk?.();
  });
}

export interface WatchEventLine { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; [k: string]: unknown } }

/** A raw watch client: parses newline-delimited WatchEvents as they arrive, stamping each with its arrival time. */
export class WatchClient {
  readonly events: Array<WatchEventLine & { at: number }> = [];
  status = 0;
  private req: ClientRequest;
  readonly ready: Promise<void>;
  private listeners: Array<() => void> = [];

  constructor(url: string, token: string, agent = new Agent({ rejectUnauthorized: false, keepAlive: false })) {
    let resolveReady!: () => void;
    this.ready = new Promise((r) => (resolveReady = r));
    const options: RequestOptions = { agent, headers: { authorization: `Bearer ${token}` } };
    this.req = request(url, options, (res) => {
      this.status = res.statusCode ?? 0;
      resolveReady();
      onLines(res, (line) => this.events.push({ ...(JSON.parse(line) as WatchEventLine), at: performance.now() }), () => {
        for (const l of this.listeners) l();
      });
    });
    this.req.on('error', () => resolveReady());
    this.req.end();
  }

  /** Resolves once `count` events arrived (bounded: a safety net, not a timing assertion). */
  waitFor(count: number, timeoutMs = 60_000): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch got ${this.events.length} of ${count} events`)), timeoutMs);
      const check = () => {
        if (this.events.length >= count) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      this.listeners.push(check);
    });
  }

  close(): void {
    this.req.destroy();
  }
}
