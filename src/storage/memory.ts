import {
  ClusterGoneError, CompactedError, defaultLogBounds, FutureRevisionError, knownKvBytes, knownValueLength, kvBytes, logEntryBytes,
  type LogBounds, type LogPage, type RestoredRecord,
  type ClusterStore, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Usage, type Watcher, type WriteResult,
} from './store.ts';
import { lowerBound, SortedKeys } from './sortedKeys.ts';
import { utf8Length } from '../apimachinery/utf8.ts';

/**
 * A live watch: a buffer fed by the store and drained by an async iterator.
 * A watcher never blocks the writer: it only appends to its own buffer.
 */
export class BufferedWatcher implements Watcher {
  private buffer: StoreEvent[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private error: Error | undefined;
  constructor(private readonly onClose: () => void) {}

  takeBuffered(): StoreEvent[] {
    const taken = this.buffer;
    this.buffer = [];
    return taken;
  }

  /** Ends the watch with an error (e.g. CompactedError found after watch() returned). */
  fail(error: Error): void {
    this.error = error;
    this.close();
  }

  push(event: StoreEvent): void {
    if (this.closed) return;
    this.buffer.push(event);
    this.wake?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    try {
      while (true) {
        while (this.buffer.length) yield this.buffer.shift()!;
        if (this.error) throw this.error;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      this.close();
    }
  }
}

/**
 * Values of 2 Ki to 64 Ki UTF-16 code units are held as UTF-8 bytes, outside the JavaScript heap,
 * and given back as a string at each read of `value`. A value of that size held as a string is a
 * young object the next two scavenges of V8's garbage collector copy (to the survivor space, then
 * to the old one), and every write of a 25 KB pod makes one that the store keeps: under the
 * attacks bench's pod creates, those copies were most of ~17 ms of scavenge pauses a second, each
 * pause stopping every cluster's requests on the loop (11 of the victim's 14 slowest requests
 * overlapped one). Bytes in an ArrayBuffer are never copied by a collection. Each read decodes them
 * again: its reader then parses the string anyway (JSON.parse, several times the decoding's cost).
 * Larger strings (over 128 KB, V8's largest regular object) are large objects, never copied either:
 * they stay strings, read without a copy.
 */
const offHeapLengths = { from: 2048, below: 65536 };
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
/** The bytes behind a record kept off the heap, so a delete's record keeps them there too. */
const bytesOf = new WeakMap<KeyValue, Uint8Array>();

/**
 * The last value decoded, kept until another is: a reader reads a record's `value` several times
 * in a row (its length to charge the read, its length again to pace a list, then the text to
 * parse), which would otherwise decode the bytes each time. One string is held, not one per record.
 */
let lastDecoded: { bytes: Uint8Array; text: string } | undefined;
function decoded(bytes: Uint8Array): string {
  if (lastDecoded?.bytes !== bytes) lastDecoded = { bytes, text: utf8Decoder.decode(bytes) };
  return lastDecoded.text;
}

/** A stored record (immutable); `value` is a getter where it is held as bytes. */
function record(key: string, value: string | Uint8Array, createRevision: number, modRevision: number): KeyValue {
  if (typeof value === 'string' && (value.length < offHeapLengths.from || value.length >= offHeapLengths.below)) return { key, value, createRevision, modRevision };
  const bytes = typeof value === 'string' ? utf8Encoder.encode(value) : value;
  // An own enumerable getter: a spread or JSON.stringify of the record still sees its value.
  const kv: KeyValue = { key, get value() { return decoded(bytes); }, createRevision, modRevision };
  bytesOf.set(kv, bytes);
  // Counted from its bytes: the store's byte budget would otherwise decode each value it keeps,
  // and a reader that needs only its length (a write's size check) each value it reads.
  knownKvBytes(kv, utf8Length(key) + bytes.byteLength);
  if (typeof value === 'string') knownValueLength(kv, value.length);
  return kv;
}

/** Keys of a sorted array that start with prefix, beginning at the first ≥ from. */
function* sortedFrom(keys: string[], prefix: string, from: string): Generator<string> {
  for (let i = lowerBound(keys, from); i < keys.length && keys[i].startsWith(prefix); i++) yield keys[i];
}

/**
 * A sorted map plus a change log; list-at-revision undoes the log back to the revision.
 * `live` is false for a name nobody created, and becomes false for good when the cluster is dropped.
 */
export class MemoryClusterStore implements ClusterStore {
  private data = new Map<string, KeyValue>();
  private keys = new SortedKeys();
  private log: StoreEvent[] = [];
  private logBytes = 0;
  private revision = 0;
  private compacted = 0;
  private watchers = new Set<{ prefix: string; watcher: BufferedWatcher }>();
  private used: Usage = { objects: 0, bytes: 0 };
  private dropped = false;

  constructor(readonly cluster: string, private readonly bounds: LogBounds = defaultLogBounds, private readonly live = true) {}

  /** Writes and watches need a live cluster; an instance that saw its cluster dropped fails everything. */
  private writable(): void {
    if (!this.live || this.dropped) throw new ClusterGoneError(this.cluster);
  }

  private readable(): void {
    if (this.dropped) throw new ClusterGoneError(this.cluster);
  }

  /** The cluster is gone: watches end, memory is released, and this instance refuses everything from now on. */
  drop(): void {
    this.dropped = true;
    for (const w of this.watchers) w.watcher.fail(new ClusterGoneError(this.cluster));
    this.watchers.clear();
    this.data = new Map();
    this.keys = new SortedKeys();
    this.log = [];
    this.logBytes = 0;
    this.used = { objects: 0, bytes: 0 };
  }

  async usage(): Promise<Usage> {
    this.readable();
    return { ...this.used };
  }

  async get(key: string): Promise<KeyValue | null> {
    this.readable();
    return this.data.get(key) ?? null;
  }

  async currentRevision(): Promise<number> {
    this.readable();
    return this.revision;
  }

  async count(prefix: string): Promise<number> {
    this.readable();
    let n = 0;
    for (const _ of this.keys.withPrefix(prefix)) n++;
    return n;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.readable();
    const at = options.revision || this.revision;
    if (at > this.revision) throw new FutureRevisionError(at, this.revision);
    if (at < this.revision && at < this.compacted) throw new CompactedError(at, this.compacted);
    const view = at === this.revision ? null : this.snapshotAt(at, prefix);
    const from = options.startAfter !== undefined && options.startAfter >= prefix ? options.startAfter + '\0' : prefix;
    const keys = view ? sortedFrom([...view.keys()].sort(), prefix, from) : this.keys.withPrefix(prefix, from);
    const source = view ?? this.data;
    const items: KeyValue[] = [];
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    let more = false;
    for (const key of keys) {
      if (items.length >= limit) { more = true; break; }
      items.push(source.get(key)!);
    }
    return { items, revision: at, more };
  }

  /** The state under prefix as it was at revision `at`, by undoing later log entries. */
  private snapshotAt(at: number, prefix: string): Map<string, KeyValue> {
    const view = new Map<string, KeyValue>();
    for (const key of this.keys.withPrefix(prefix)) view.set(key, this.data.get(key)!);
    for (let i = this.log.length - 1; i >= 0 && this.log[i].kv.modRevision > at; i--) {
      const event = this.log[i];
      if (!event.kv.key.startsWith(prefix)) continue;
      if (event.prevKv) view.set(event.kv.key, event.prevKv); else view.delete(event.kv.key);
    }
    return view;
  }

  async create(key: string, value: string): Promise<WriteResult> {
    this.writable();
    const current = this.data.get(key);
    if (current) return { ok: false, current };
    const revision = ++this.revision;
    const kv = record(key, value, revision, revision);
    this.keys.insert(key);
    this.commit({ type: 'PUT', kv });
    return { ok: true, kv };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<WriteResult> {
    this.writable();
    const current = this.data.get(key);
    if (!current || current.modRevision !== expectedRevision) return { ok: false, current: current ?? null };
    const kv = record(key, value, current.createRevision, ++this.revision);
    this.commit({ type: 'PUT', kv, prevKv: current });
    return { ok: true, kv, prevKv: current };
  }

  async delete(key: string, expectedRevision?: number): Promise<WriteResult> {
    this.writable();
    const current = this.data.get(key);
    if (!current || (expectedRevision !== undefined && current.modRevision !== expectedRevision)) return { ok: false, current: current ?? null };
    const kv = record(key, bytesOf.get(current) ?? current.value, current.createRevision, ++this.revision);
    this.keys.delete(key);
    this.commit({ type: 'DELETE', kv, prevKv: current });
    return { ok: true, kv, prevKv: current };
  }

  private commit(event: StoreEvent): void {
    const { kv, prevKv } = event;
    if (prevKv) this.used.bytes -= kvBytes(prevKv);
    if (event.type === 'PUT') {
      this.data.set(kv.key, kv);
      this.used.bytes += kvBytes(kv);
      if (!prevKv) this.used.objects++;
    } else {
      this.data.delete(kv.key);
      this.used.objects--;
    }
    this.log.push(event);
    this.logBytes += logEntryBytes(event);
    this.trimLog();
    for (const w of this.watchers) if (event.kv.key.startsWith(w.prefix)) w.watcher.push(event);
  }

  /**
   * Past either bound the oldest entries go, in batches of a quarter of the entry bound
   * (so a write does not move the whole log each time); the byte bound is strict, so a
   * few huge values cannot pin memory. The newest entry always stays.
   */
  private trimLog(): void {
    const { entries, bytes } = this.bounds;
    const overEntries = this.log.length > entries + Math.max(1, entries >> 2);
    if (!overEntries && this.logBytes <= bytes) return;
    let drop = overEntries ? this.log.length - entries : 0;
    let freed = 0;
    for (let i = 0; i < drop; i++) freed += logEntryBytes(this.log[i]);
    while (this.logBytes - freed > bytes && drop < this.log.length - 1) freed += logEntryBytes(this.log[drop++]);
    if (!drop) return;
    this.compacted = this.log[drop - 1].kv.modRevision;
    this.log.splice(0, drop);
    this.logBytes -= freed;
  }

  watch(prefix: string, fromRevision: number): Watcher {
    this.writable();
    if (fromRevision > 0 && fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    const entry = { prefix, watcher: new BufferedWatcher(() => this.watchers.delete(entry)) };
    for (const event of this.log) {
      if (event.kv.modRevision > fromRevision && event.kv.key.startsWith(prefix)) entry.watcher.push(event);
    }
    this.watchers.add(entry);
    return entry.watcher;
  }

  async changes(after: number, limit: number): Promise<LogPage> {
    this.readable();
    const from = this.log.findIndex((e) => e.kv.modRevision > after);
    const events = from < 0 ? [] : this.log.slice(from, from + limit);
    const more = from >= 0 && from + limit < this.log.length;
    return { events, revision: more ? events[events.length - 1].kv.modRevision : this.revision, compacted: this.compacted, more };
  }

  async restore(records: RestoredRecord[], keep: string[]): Promise<number> {
    this.writable();
    const kept = (key: string) => keep.some((prefix) => key.startsWith(prefix));
    const revision = this.revision + 1;
    const data = new Map<string, KeyValue>();
    const keys = new SortedKeys();
    const used: Usage = { objects: 0, bytes: 0 };
    const put = (kv: KeyValue) => {
      data.set(kv.key, kv);
      keys.insert(kv.key);
      used.objects++;
      used.bytes += kvBytes(kv);
    };
    for (const kv of this.data.values()) if (kept(kv.key)) put(kv);
    for (const { key, value } of records) {
      if (kept(key) || data.has(key)) throw new Error(`restore of cluster ${this.cluster}: key ${key} may not be restored`);
      put(record(key, value, revision, revision));
    }
    // Nothing above yields: the swap below is the whole restore, as one transaction.
    this.data = data;
    this.keys = keys;
    this.used = used;
    this.log = [];
    this.logBytes = 0;
    this.revision = revision;
    this.compacted = revision;
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) w.watcher.fail(new CompactedError(revision - 1, revision));
    return revision;
  }

  async compact(revision: number): Promise<void> {
    this.readable();
    if (revision <= this.compacted) return;
    const keep = this.log.findIndex((e) => e.kv.modRevision > revision);
    this.log = keep < 0 ? [] : this.log.slice(keep);
    this.logBytes = this.log.reduce((n, e) => n + logEntryBytes(e), 0);
    this.compacted = Math.min(revision, this.revision);
  }
}

export class MemoryStore implements Store {
  private clusters = new Map<string, MemoryClusterStore>();

  constructor(private readonly logBounds: LogBounds = defaultLogBounds) {}

  /** A name nobody created gets an empty, unwritable instance that is not kept. */
  cluster(name: string): ClusterStore {
    return this.clusters.get(name) ?? new MemoryClusterStore(name, this.logBounds, false);
  }

  /** How many clusters this store holds (a name nobody created is not one). */
  clusterCount(): number {
    return this.clusters.size;
  }

  async createCluster(name: string): Promise<void> {
    if (!this.clusters.has(name)) this.clusters.set(name, new MemoryClusterStore(name, this.logBounds));
  }

  async dropCluster(name: string): Promise<void> {
    this.clusters.get(name)?.drop();
    this.clusters.delete(name);
  }
}
