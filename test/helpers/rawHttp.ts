import { Agent, request } from 'node:https';
import type { ClusterStore, KeyValue } from '../../src/storage/store.ts';
import { failedOnStaleSocket, resendOnStaleSocket } from '../../harness/staleSocket.ts';

/**
 * A raw HTTPS client for hostile-input tests: any method, any path bytes, any
 * body, no retries and no client-side validation, over one keep-alive agent.
 */

export interface RawRequest {
  method: string;
  /** Path and query, sent as given (no normalization). */
  path: string;
  /** A list sends the header once per value (a duplicated Authorization, say). */
  headers?: Record<string, string | string[]>;
  body?: Uint8Array;
  /** Send the body without Content-Length (chunked), so the server must count it. */
  chunked?: boolean;
}

export interface RawResponse {
  /** 0: the connection failed before any response arrived. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
}

/** A response body past this is cut (and then fails any JSON check): an error may echo a big input. */
const maxKeptBody = 16 * 1024 * 1024;

export function rawAgent(maxSockets = 32): Agent {
  return new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets });
}

/**
 * Resolves with the first response even if sending the body fails afterwards:
 * a server may answer 413 before reading an oversized body and close the socket.
 * A 200 to a watch is a stream that never ends; `abortOn200` returns at once.
 */
export async function send(base: string, agent: Agent, req: RawRequest, options: { abortOn200?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const answer = await resendOnStaleSocket(agent, () => sendOnce(base, agent, req, options), (a) => a.staleSocket === true);
  // A new connection reset before any answer (seen about once in 20,000 requests to workerd on a
  // loaded machine, never on the Node entry) is sent once more, on a connection of its own. An input
  // the server answers by dropping the connection drops it again, and is reported as unanswered.
  if (answer.status === 0 && answer.resetBeforeAnswer) {
    const again = await sendOnce(base, false, req, options);
    if (again.status !== 0) return again;
    return { ...again, error: `${answer.error}, and again on a new connection: ${again.error}` };
  }
  return answer;
}

interface Attempt extends RawResponse {
  /** The agent handed out a kept-alive socket the server had closed. */
  staleSocket?: boolean;
  /** The connection was reset (or hung up) before any answer came. */
  resetBeforeAnswer?: boolean;
}

function sendOnce(base: string, agent: Agent | false, req: RawRequest, options: { abortOn200?: boolean; timeoutMs?: number }): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Attempt) => { if (!settled) { settled = true; resolve(r); } };
    const headers: Record<string, string | string[]> = { ...req.headers };
    if (req.body && !req.chunked) headers['content-length'] = String(req.body.byteLength);
    const url = new URL(base);
    const client = request({
      host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, rejectUnauthorized: false,
      // Node refuses some header values of its own accord; that is the client, not the server.
      insecureHTTPParser: true,
    }, (res) => {
      if (options.abortOn200 && res.statusCode === 200) {
        done({ status: 200, headers: res.headers, body: '' });
        res.destroy();
        client.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { if (size < maxKeptBody) chunks.push(c); size += c.byteLength; });
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), error: err.message }));
    });
    client.setTimeout(options.timeoutMs ?? 30_000, () => client.destroy(new Error('timed out')));
    client.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, headers: {}, body: '', error: err.message, staleSocket: failedOnStaleSocket(client, err), resetBeforeAnswer: err.code === 'ECONNRESET' || err.code === 'EPIPE' }));
    if (req.body) client.end(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength));
    else client.end();
  });
}

/** Runs `work` over items, pulled in order, with at most `concurrency` in flight. */
export async function pool<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
  }));
}

/** The reason kube-apiserver pairs with each status code we may answer. */
const reasonsByCode: Record<number, readonly string[]> = {
  400: ['BadRequest'], 401: ['Unauthorized'], 403: ['Forbidden'], 404: ['NotFound'], 405: ['MethodNotAllowed'],
  406: ['NotAcceptable'], 409: ['Conflict', 'AlreadyExists'], 410: ['Expired', 'Gone'], 413: ['RequestEntityTooLarge'],
  415: ['UnsupportedMediaType'], 422: ['Invalid'], 429: ['TooManyRequests'], 431: ['RequestEntityTooLarge'],
};

/** Why an error response is not a proper metav1.Status for its code, or null when it is. */
export function statusProblem(res: RawResponse): string | null {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return `body is not JSON: ${JSON.stringify(res.body.slice(0, 200))}`;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
  const s = body as Record<string, unknown>;
  if (s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure') return `not a Failure Status: ${res.body.slice(0, 200)}`;
  if (s.code !== res.status) return `code ${String(s.code)} differs from HTTP ${res.status}`;
  if (typeof s.message !== 'string') return 'message is not a string';
  const allowed = reasonsByCode[res.status];
  if (!allowed) return `unexpected status code ${res.status}`;
  if (!allowed.includes(String(s.reason))) return `reason ${String(s.reason)} does not fit ${res.status}`;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) return `content-type ${type}`;
  return null;
}

/** Every key of a cluster with its value and revisions, plus the cluster revision: equal snapshots mean an untouched store. */
export async function snapshotCluster(store: ClusterStore): Promise<{ revision: number; kvs: KeyValue[] }> {
  const { items, revision } = await store.list(`/registry/${store.cluster}/`);
  return { revision: Math.max(revision, await store.currentRevision()), kvs: items };
}

/**
 * Waits until the cluster's revision stops moving (workers finishing what bootstrap and
 * fixtures set off), so that a snapshot taken next is not raced by them.
 */
export async function settle(store: ClusterStore, quietMs = 1000, maxMs = 20_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = await store.currentRevision();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await store.currentRevision();
    if (now !== last) { last = now; since = Date.now(); } else if (Date.now() - since >= quietMs) return;
  }
}

/** Counts into a sorted, printable table. */
export class Tally {
  private counts = new Map<string, number>();
  add(key: string | number): void { this.counts.set(String(key), (this.counts.get(String(key)) ?? 0) + 1); }
  get(key: string | number): number { return this.counts.get(String(key)) ?? 0; }
  toString(): string {
    return [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(' ');
  }
}
