import { utf8Length } from '../apimachinery/utf8.ts';

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

/** On success, prevKv is the record the write replaced or deleted (absent for a create). */
export type WriteResult = { ok: true; kv: KeyValue; prevKv?: KeyValue } | { ok: false; current: KeyValue | null };

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
/**
 * The cluster does not exist: it was never created, or it was dropped. Writes and
 * watches fail with it; a store instance that saw its cluster dropped fails every
 * later operation with it too, so a request that began before the drop writes nothing.
 */
export class ClusterGoneError extends Error {
  constructor(readonly cluster: string) {
    super(`cluster "${cluster}" does not exist (it was deleted or has expired)`);
  }
}

/** What a cluster holds: objects under its prefix and their bytes (key + value, UTF-8). */
export interface Usage {
  objects: number;
  bytes: number;
}

/** Bytes a record costs against its cluster's budget. */
export const recordBytes = (key: string, value: string) => utf8Length(key) + utf8Length(value);

/** recordBytes of a stored record, computed once per record (records are immutable). */
const sizes = new WeakMap<KeyValue, number>();
export function kvBytes(kv: KeyValue): number {
  let n = sizes.get(kv);
  if (n === undefined) sizes.set(kv, (n = recordBytes(kv.key, kv.value)));
  return n;
}

/** A record's recordBytes, known to the store that made it (one holding the value's UTF-8 bytes need not decode them to count them). */
export function knownKvBytes(kv: KeyValue, bytes: number): void {
  sizes.set(kv, bytes);
}

/** The length of a record's value (UTF-16 code units), where its store knew it when it made the record. */
const lengths = new WeakMap<KeyValue, number>();
export function knownValueLength(kv: KeyValue, length: number): void {
  lengths.set(kv, length);
}

/** `kv.value.length`, without reading the value where its store said (a value held as bytes is decoded at each read). */
export const valueLength = (kv: KeyValue): number => lengths.get(kv) ?? kv.value.length;

/** Bytes a change-log entry holds: its record and the value it replaced. */
export const logEntryBytes = (e: StoreEvent) => kvBytes(e.kv) + (e.prevKv ? kvBytes(e.prevKv) - utf8Length(e.prevKv.key) : 0);

/** How much history a cluster keeps: the change log is trimmed past either bound. */
export interface LogBounds {
  entries: number;
  /** Bytes of the entries the log holds (logEntryBytes). */
  bytes: number;
}

export const defaultLogBounds: LogBounds = { entries: 10_000, bytes: 32 * 1024 * 1024 };


/**
 * The cluster's content is being replaced (a restore on a backend that cannot do it in one
 * step, DynamoDB): writes wait for it to end. A result of timing, not of the request: retry.
 */
export class ClusterBusyError extends Error {
  constructor(readonly cluster: string) {
    super(`cluster "${cluster}" is being restored from a snapshot`);
  }
}

/** A record as a restore writes it: its revisions are the restore's own. */
export interface RestoredRecord {
  key: string;
  value: string;
}

/** The retained change log after a revision (ChangeLog reads for `cluster history`). */
export interface LogPage {
  /** Committed changes with revision > after, in revision order, at most `limit`. */
  events: StoreEvent[];
  /** The newest revision covered: every change up to it is in `events` or an earlier page. */
  revision: number;
  /** Changes at or below this revision are no longer kept. */
  compacted: number;
  /** More changes follow `revision`. */
  more: boolean;
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
  /**
   * Optional: every record under each of `prefixes`, all read at one revision (the current one),
   * as list() of each without a limit answers. A backend whose every read is a round trip
   * (DynamoDB) reads the revision once and the prefixes at once: the control plane's pass reads a
   * dozen prefixes this way. Where it is absent, list() them one by one.
   */
  listMany?(prefixes: string[]): Promise<ListResult[]>;
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
  /** Objects and bytes under the cluster's prefix (exact on memory and SQLite; a recount on DynamoDB). */
  usage(): Promise<Usage>;
  /**
   * The retained change log: committed changes after revision `after` (0: from the oldest kept),
   * at most `limit`, as watch() would deliver them, without following.
   */
  changes(after: number, limit: number): Promise<LogPage>;
  /**
   * Replaces the cluster's content with `records` (keys under its prefix), leaving the keys under
   * the `keep` prefixes as they are (the cluster's own record and CA). It is one step at one new
   * revision R, the current one + 1: every record is written with createRevision = modRevision = R,
   * the change log is emptied and compacted through R, so a list or watch from an earlier revision
   * answers CompactedError (etcd's `snapshot restore --bump-revision --mark-compacted`, which is what
   * kube-apiserver needs after a restore: no resourceVersion goes backwards, informers relist), and
   * open watches end with CompactedError. Returns R. Memory and SQLite do it in one transaction;
   * DynamoDB fences writers off while it works (ClusterBusyError), see dynamodb.ts.
   */
  restore(records: RestoredRecord[], keep: string[]): Promise<number>;
}

/**
 * A cluster exists from createCluster until dropCluster. Reads of a cluster that does
 * not exist find nothing; writes and watches fail with ClusterGoneError. A name nobody
 * created costs nothing: asking for its store keeps no state.
 */
export interface Store {
  cluster(name: string): ClusterStore;
  /** Makes the cluster's (empty) keyspace exist; a no-op if it exists. */
  createCluster(name: string): Promise<void>;
  /**
   * Removes every key, log entry and revision of the cluster, ends its watches, and makes
   * every store instance of it fail from then on (no late write can land). Idempotent.
   */
  dropCluster(name: string): Promise<void>;
  /**
   * Optional: lets the backend expire the cluster's data by itself at `at`
   * (DynamoDB TTL) should the sweep that drops it never run.
   */
  expireCluster?(name: string, at: Date): Promise<void>;
}

export const clusterPrefix = (cluster: string) => `/registry/${cluster}/`;

/**
 * A store that gives each of `store`'s cluster stores through `wrap` (a budget, a pace), one wrapper
 * per instance below, so the wrapper keeps the instance's identity (callers cache by it); names
 * `unwrapped` says are given as they are. The clusters' lifecycle passes through.
 */
export function wrapClusters(store: Store, wrap: (inner: ClusterStore) => ClusterStore, unwrapped: (name: string) => boolean = () => false): Store {
  const wrappers = new WeakMap<ClusterStore, ClusterStore>();
  return {
    cluster(name) {
      const inner = store.cluster(name);
      if (unwrapped(name)) return inner;
      let wrapper = wrappers.get(inner);
      if (!wrapper) wrappers.set(inner, (wrapper = wrap(inner)));
      return wrapper;
    },
    createCluster: (name) => store.createCluster(name),
    dropCluster: (name) => store.dropCluster(name),
    ...(store.expireCluster ? { expireCluster: (name: string, at: Date) => store.expireCluster!(name, at) } : {}),
  };
}
