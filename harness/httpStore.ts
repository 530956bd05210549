import { Agent, request } from 'node:https';
import type { ClusterStore, KeyValue, ListOptions, ListResult, LogPage, RestoredRecord, Store, StoreEvent, Watcher, WriteResult } from '../src/storage/store.ts';
import { ClusterGoneError, CompactedError, FutureRevisionError, type Usage } from '../src/storage/store.ts';
import { BufferedWatcher } from '../src/storage/memory.ts';
import { failedOnStaleSocket, resendOnStaleSocket } from './staleSocket.ts';
import { onLines } from './watchClient.ts';

/** Idle sockets are dropped after 4 s, before workerd's 5 s keep-alive ends them under a request. */
const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64, timeout: 4000 });

/** One request to the test store routes; sent again while it meets a stale kept-alive socket. */
async function call(url: string, method: string, body?: string): Promise<{ status: number; text: string; incarnation: string }> {
  const answer = await resendOnStaleSocket(agent, () => callOnce(url, method, body), (a) => 'stale' in a);
  if ('stale' in answer) throw answer.stale;
  return answer;
}

function callOnce(url: string, method: string, body?: string): Promise<{ status: number; text: string; incarnation: string } | { stale: Error }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, incarnation: String(res.headers['x-store-incarnation'] ?? '') }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (failedOnStaleSocket(req, err) ? resolve({ stale: err }) : reject(err)));
    req.end(body);
  });
}

/**
 * The Store port of a cluster's Durable Object, driven over the Worker's
 * test-only routes: the conformance suite runs on real workerd and SQLite.
 */
export class HttpClusterStore implements ClusterStore {
  /** `objectName` picks the Durable Object (default: the cluster's own name). */
  constructor(private readonly base: string, readonly cluster: string, private readonly objectName = cluster) {}

  /**
   * The life of the cluster this client first saw: like a store instance inside the object,
   * it fails once its cluster was dropped, even if a cluster of the same name exists again.
   */
  private incarnation = '';

  private get query(): string {
    return this.incarnation ? `?incarnation=${this.incarnation}` : '';
  }

  private async op<T>(name: string, ...args: unknown[]): Promise<T> {
    const res = await call(`${this.base}/__test/${this.objectName}/store/${name}${this.query}`, 'POST', JSON.stringify(args));
    if (!this.incarnation && res.incarnation) this.incarnation = res.incarnation;
    const parsed = JSON.parse(res.text) as { result?: T; error?: string; requested?: number; compacted?: number; current?: number };
    if (res.status === 410) throw new CompactedError(parsed.requested!, parsed.compacted!);
    if (parsed.error === 'gone') throw new ClusterGoneError(this.cluster);
    if (parsed.error === 'future') throw new FutureRevisionError(parsed.requested!, parsed.current!);
    if (res.status !== 200) throw new Error(`store op ${name} answered ${res.status}: ${res.text}`);
    return parsed.result as T;
  }

  get(key: string) { return this.op<KeyValue | null>('get', key); }
  list(prefix: string, options?: ListOptions) { return this.op<ListResult>('list', prefix, options ?? {}); }
  count(prefix: string) { return this.op<number>('count', prefix); }
  create(key: string, value: string) { return this.op<WriteResult>('create', key, value); }
  update(key: string, value: string, expectedRevision: number) { return this.op<WriteResult>('update', key, value, expectedRevision); }
  delete(key: string, expectedRevision?: number) { return this.op<WriteResult>('delete', key, ...(expectedRevision === undefined ? [] : [expectedRevision])); }
  currentRevision() { return this.op<number>('currentRevision'); }
  async compact(revision: number) { await this.op<null>('compact', revision); }
  usage() { return this.op<Usage>('usage'); }
  changes(after: number, limit: number) { return this.op<LogPage>('changes', after, limit); }
  restore(records: RestoredRecord[], keep: string[]) { return this.op<number>('restore', records, keep); }
  async createCluster() { await this.op<null>('createCluster'); }

  watch(prefix: string, fromRevision: number): Watcher {
    let req: ReturnType<typeof request> | undefined;
    const watcher = new BufferedWatcher(() => req?.destroy());
    const url = `${this.base}/__test/${this.objectName}/store/watch?prefix=${encodeURIComponent(prefix)}&from=${fromRevision}${this.incarnation ? `&incarnation=${this.incarnation}` : ''}`;
    req = request(url, { method: 'GET', agent: new Agent({ rejectUnauthorized: false }) }, (res) => {
      if (res.statusCode === 404) {
        res.resume();
        res.on('end', () => watcher.fail(new ClusterGoneError(this.cluster)));
        return;
      }
      if (res.statusCode === 410) {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const body = JSON.parse(text) as { requested: number; compacted: number };
          watcher.fail(new CompactedError(body.requested, body.compacted));
        });
        return;
      }
      onLines(res, (line) => {
        const parsed = JSON.parse(line) as StoreEvent | { gone: true } | { compacted: { requested: number; compacted: number } };
        if ('gone' in parsed) watcher.fail(new ClusterGoneError(this.cluster));
        else if ('compacted' in parsed) watcher.fail(new CompactedError(parsed.compacted.requested, parsed.compacted.compacted));
        else watcher.push(parsed);
      });
      res.on('end', () => watcher.close());
    });
    req.on('error', () => watcher.close());
    req.end();
    return watcher;
  }
}

export class HttpStore implements Store {
  /** With a prefix, every cluster lives in a Durable Object of its own, fresh for this store. */
  constructor(private readonly base: string, private readonly prefix = '') {}
  cluster(name: string): HttpClusterStore { return new HttpClusterStore(this.base, name, `${this.prefix}${name}`); }
  async createCluster(name: string): Promise<void> { await this.cluster(name).createCluster(); }
  async dropCluster(name: string): Promise<void> {
    const res = await call(`${this.base}/__test/${this.prefix}${name}/drop`, 'POST', '{}');
    if (res.status !== 200) throw new Error(`drop answered ${res.status}`);
  }
}
