/**
 * The Store port: etcd semantics behind a small interface (after kine).
 * Every cluster has its own store with its own monotonically increasing revision.
 * Keys look like `/registry/<cluster>/<group>/<resource>/<namespace>/<name>`.
 * Values are opaque JSON text; resourceVersion is never stored inside a value,
 * it is the record's modRevision (as kube-apiserver's etcd3 store does).
 */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export type WriteResult = { ok: true; kv: KeyValue } | { ok: false; current: KeyValue | null };

export interface ListOptions {
  /** Return keys strictly greater than this one (continue). */
  startAfter?: string;
  limit?: number;
  /** Read at this past revision (0 or absent: the current one). */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last item returned. */
  more: boolean;
}

export interface StoreEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
  /** For DELETE, kv.modRevision is the revision of the delete; kv.value is the last value. */
}

export interface Watcher extends AsyncIterable<StoreEvent> {
  close(): void;
  /** Events already received and not yet iterated, removed from the watcher (lets a stream send them as one chunk). */
  takeBuffered?(): StoreEvent[];
}

/** Named faults (kine's KeyExists/Compacted/FutureRevision); CAS misses are results, not errors. */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (oldest available is ${compacted + 1})`);
  }
}
export class FutureRevisionError extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current is ${current})`);
  }
}

export interface ClusterStore {
  readonly cluster: string;
  get(key: string): Promise<KeyValue | null>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Fails (ok: false) if the key exists. */
  create(key: string, value: string): Promise<WriteResult>;
  /** Compare-and-swap: succeeds only if the key's modRevision equals expectedRevision. */
  update(key: string, value: string, expectedRevision: number): Promise<WriteResult>;
  /** Deletes; with expectedRevision, only if it matches. The result's kv is the deleted record. */
  delete(key: string, expectedRevision?: number): Promise<WriteResult>;
  /**
   * Every event under prefix with revision > fromRevision, then live ones, in
   * revision order. A compacted fromRevision fails with CompactedError, thrown
   * by watch() itself or by the watcher's first next() (remote backends).
   */
  watch(prefix: string, fromRevision: number): Watcher;
  currentRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
}

export interface Store {
  cluster(name: string): ClusterStore;
  /** Removes every key, log entry and revision of the cluster. Idempotent. */
  dropCluster(name: string): Promise<void>;
  /**
   * Optional: lets the backend expire the cluster's data by itself at `at`
   * (DynamoDB TTL) should the sweep that drops it never run.
   */
  expireCluster?(name: string, at: Date): Promise<void>;
}

export const clusterPrefix = (cluster: string) => `/registry/${cluster}/`;
