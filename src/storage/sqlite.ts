import { BufferedWatcher } from './memory.ts';
import { chunksTable, collectSql, inlineBytes, isMarker, loadValue, storeValue, valueBytesSql } from './sqliteChunks.ts';
import { utf8Length } from '../apimachinery/utf8.ts';
import {
  ClusterGoneError, CompactedError, defaultLogBounds, FutureRevisionError, logEntryBytes,
  type ClusterStore, type KeyValue, type ListOptions, type ListResult, type LogBounds, type LogPage, type RestoredRecord, type StoreEvent, type Usage, type Watcher, type WriteResult,
} from './store.ts';

/** The synchronous SQL surface a SQLite-backed Durable Object offers (ctx.storage.sql). */
export interface SqlCursor<T> extends Iterable<T> { toArray(): T[]; one(): T }
export interface SqlStorage {
  exec<T = Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<T>;
}
export type SqlValue = string | number | null | ArrayBuffer;

interface Row { key: string; value: string; create_rev: number; mod_rev: number }
interface LogRow { rev: number; key: string; type: 'PUT' | 'DELETE'; value: string; create_rev: number; prev_value: string | null; prev_create_rev: number | null; prev_mod_rev: number | null }

const upperBound = (prefix: string) => prefix + '\uffff';


/**
 * etcd semantics on SQLite, for one cluster inside its Durable Object.
 * The object is single-threaded and every write runs in one synchronous
 * transaction (objects row + log row + revision), so compare-and-swap is
 * trivially atomic and a crash between statements rolls the whole write back.
 */
/** A row's bytes as recordBytes counts them, in SQL (UTF-8 lengths; a value kept in pieces counts whole). */
const recordRowBytes = `length(CAST(key AS BLOB)) + ${valueBytesSql('value')}`;
/** A log row's bytes as logEntryBytes counts them. */
const logRowBytes = `${recordRowBytes} + ifnull(${valueBytesSql('prev_value')}, 0)`;

export class SqliteClusterStore implements ClusterStore {
  private watchers = new Set<{ prefix: string; watcher: BufferedWatcher }>();
  private revision = 0;
  private compacted = 0;
  private logBytes = 0;
  /** The tables exist: the cluster was created and not dropped. Nothing is written for a cluster that was never created. */
  private live: boolean;
  private dropped = false;

  constructor(
    readonly cluster: string,
    private readonly sql: SqlStorage,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly bounds: LogBounds = defaultLogBounds,
  ) {
    this.live = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).one().n > 0;
    if (this.live) this.load();
  }

  /** Makes the cluster exist: its tables, empty. */
  initialize(): void {
    if (this.dropped) throw new ClusterGoneError(this.cluster);
    if (this.live) return;
    this.transaction(() => {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL)`);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS log (rev INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, create_rev INTEGER NOT NULL, prev_value TEXT, prev_create_rev INTEGER, prev_mod_rev INTEGER)`);
      this.sql.exec(`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
      this.sql.exec(`INSERT OR IGNORE INTO meta (name, value) VALUES ('incarnation', ?)`, Math.floor(Math.random() * 2 ** 52));
    });
    this.live = true;
    this.load();
  }

  private load(): void {
    const meta = new Map(this.sql.exec<{ name: string; value: number }>(`SELECT name, value FROM meta`).toArray().map((r) => [r.name, r.value]));
    this.revision = meta.get('revision') ?? 0;
    this.compacted = meta.get('compacted') ?? 0;
    this.incarnation = meta.get('incarnation') ?? 0;
    this.logBytes = this.sql.exec<{ n: number | null }>(`SELECT SUM(${logRowBytes}) AS n FROM log`).one().n ?? 0;
    this.chunked = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'chunks'`).one().n > 0;
  }

  /** Which life of the cluster this is: a random number made when it was created (0 for one made before incarnations). */
  incarnation: number | undefined;

  private writable(): void {
    if (!this.live || this.dropped) throw new ClusterGoneError(this.cluster);
  }

  /** False when there is nothing to read (no tables); throws once the cluster was dropped under this instance. */
  private readable(): boolean {
    if (this.dropped) throw new ClusterGoneError(this.cluster);
    return this.live;
  }

  async usage(): Promise<Usage> {
    if (!this.readable()) return { objects: 0, bytes: 0 };
    const row = this.sql.exec<{ n: number; b: number | null }>(`SELECT COUNT(*) AS n, SUM(${recordRowBytes}) AS b FROM objects`).one();
    return { objects: row.n, bytes: row.b ?? 0 };
  }

  /** Test hook: runs inside every write transaction between statements, to simulate a crash. */
  faultPoint: ((step: string) => void) | undefined;

  private kv(row: Row): KeyValue {
    return { key: row.key, value: loadValue(this.sql, row.key, row.mod_rev, row.value), createRevision: row.create_rev, modRevision: row.mod_rev };
  }

  /** A log row as the change it records (a deletion's value is stored once, as prev_value). */
  private eventOf(e: LogRow): StoreEvent {
    const prevKv = e.prev_value !== null ? { key: e.key, value: loadValue(this.sql, e.key, e.prev_mod_rev!, e.prev_value), createRevision: e.prev_create_rev!, modRevision: e.prev_mod_rev! } : undefined;
    const value = e.type === 'DELETE' && e.value === '' && prevKv ? prevKv.value : loadValue(this.sql, e.key, e.rev, e.value);
    return { type: e.type, kv: { key: e.key, value, createRevision: e.create_rev, modRevision: e.rev }, prevKv };
  }

  async get(key: string): Promise<KeyValue | null> {
    return this.read(key);
  }

  /** Synchronous on purpose: a write must not yield between its check and its commit. */
  private read(key: string): KeyValue | null {
    const row = this.readRow(key);
    return row ? this.kv(row) : null;
  }

  /** The row as stored (a large value's marker, not the value). */
  private readRow(key: string): Row | null {
    if (!this.readable()) return null;
    const rows = this.sql.exec<Row>(`SELECT key, value, create_rev, mod_rev FROM objects WHERE key = ?`, key).toArray();
    return rows.length ? rows[0] : null;
  }

  async currentRevision(): Promise<number> {
    this.readable();
    return this.revision;
  }

  async count(prefix: string): Promise<number> {
    if (!this.readable()) return 0;
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM objects WHERE key >= ? AND key < ?`, prefix, upperBound(prefix)).one().n;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    if (!this.readable()) return { items: [], revision: 0, more: false };
    const at = options.revision || this.revision;
    if (at > this.revision) throw new FutureRevisionError(at, this.revision);
    if (at < this.revision && at < this.compacted) throw new CompactedError(at, this.compacted);
    const start = options.startAfter !== undefined && options.startAfter >= prefix ? options.startAfter : undefined;
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    if (at === this.revision) {
      const rows = start === undefined
        ? this.sql.exec<Row>(`SELECT key, value, create_rev, mod_rev FROM objects WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`, prefix, upperBound(prefix), limit < 0 ? -1 : limit + 1).toArray()
        : this.sql.exec<Row>(`SELECT key, value, create_rev, mod_rev FROM objects WHERE key > ? AND key < ? ORDER BY key LIMIT ?`, start, upperBound(prefix), limit < 0 ? -1 : limit + 1).toArray();
      const more = limit > 0 && rows.length > limit;
      return { items: (more ? rows.slice(0, limit) : rows).map((r) => this.kv(r)), revision: at, more };
    }
    // A past revision: the current rows, with every later log entry undone.
    const view = new Map<string, KeyValue>();
    for (const r of this.sql.exec<Row>(`SELECT key, value, create_rev, mod_rev FROM objects WHERE key >= ? AND key < ?`, prefix, upperBound(prefix))) view.set(r.key, this.kv(r));
    const undo = this.sql.exec<LogRow>(`SELECT * FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev DESC`, at, prefix, upperBound(prefix)).toArray();
    for (const e of undo) {
      if (e.prev_value !== null) view.set(e.key, { key: e.key, value: loadValue(this.sql, e.key, e.prev_mod_rev!, e.prev_value), createRevision: e.prev_create_rev!, modRevision: e.prev_mod_rev! });
      else view.delete(e.key);
    }
    const keys = [...view.keys()].filter((k) => start === undefined || k > start).sort();
    const page = limit > 0 ? keys.slice(0, limit) : keys;
    return { items: page.map((k) => view.get(k)!), revision: at, more: page.length < keys.length };
  }

  /** `prevStored`: the replaced record's row value as stored (a large one's marker: its pieces are not written again). */
  private write(event: StoreEvent, prevStored?: string): void {
    const { kv, prevKv } = event;
    this.transaction(() => {
      // A new value is stored once (in pieces if large) and the log row names the same text.
      const value = event.type === 'PUT' ? this.storeValue(kv.key, kv.modRevision, kv.value) : '';
      if (event.type === 'PUT') {
        this.sql.exec(`INSERT INTO objects (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev`, kv.key, value, kv.createRevision, kv.modRevision);
      } else {
        this.sql.exec(`DELETE FROM objects WHERE key = ?`, kv.key);
      }
      this.faultPoint?.('after-object');
      // A deletion's value is the object as it was, which prev_value holds already: stored once.
      this.sql.exec(`INSERT INTO log (rev, key, type, value, create_rev, prev_value, prev_create_rev, prev_mod_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        kv.modRevision, kv.key, event.type, value, kv.createRevision, prevStored ?? null, prevKv?.createRevision ?? null, prevKv?.modRevision ?? null);
      this.faultPoint?.('after-log');
      this.sql.exec(`INSERT INTO meta (name, value) VALUES ('revision', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`, kv.modRevision);
      this.logBytes += logEntryBytes({ ...event, kv: { ...kv, value: event.type === 'DELETE' ? '' : kv.value } });
      this.trimLog(kv.modRevision);
    });
    // Only a committed write moves the revision and reaches watchers.
    this.revision = kv.modRevision;
    for (const w of this.watchers) if (kv.key.startsWith(w.prefix)) w.watcher.push(event);
  }

  /**
   * Past either bound the oldest entries go; the byte bound keeps a few huge values from
   * filling the object's storage. The newest entry always stays.
   */
  private trimLog(newest: number): void {
    let through = Math.max(this.compacted, newest - this.bounds.entries);
    if (this.logBytes > this.bounds.bytes) {
      let excess = this.logBytes - this.bounds.bytes;
      for (const row of this.sql.exec<{ rev: number; n: number }>(`SELECT rev, ${logRowBytes} AS n FROM log WHERE rev > ? AND rev < ? ORDER BY rev`, through, newest)) {
        if (excess <= 0) break;
        excess -= row.n;
        through = row.rev;
      }
    }
    if (through > this.compacted) this.compactSync(through);
  }

  /** Whether the chunks table exists: made by the first large value, so clusters that never hold one never have it. */
  private chunked = false;

  private storeValue(key: string, rev: number, value: string): string {
    // IF NOT EXISTS each time: a transaction that made the table may have been rolled back since.
    if (utf8Length(value) > inlineBytes || isMarker(value)) {
      this.sql.exec(chunksTable);
      this.chunked = true;
    }
    return storeValue(this.sql, key, rev, value);
  }

  async create(key: string, value: string): Promise<WriteResult> {
    this.writable();
    const current = this.read(key);
    if (current) return { ok: false, current };
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.write({ type: 'PUT', kv });
    return { ok: true, kv };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<WriteResult> {
    this.writable();
    const row = this.readRow(key);
    const current = row && this.kv(row);
    if (!row || !current || current.modRevision !== expectedRevision) return { ok: false, current };
    const kv: KeyValue = { key, value, createRevision: current.createRevision, modRevision: this.revision + 1 };
    this.write({ type: 'PUT', kv, prevKv: current }, row.value);
    return { ok: true, kv, prevKv: current };
  }

  async delete(key: string, expectedRevision?: number): Promise<WriteResult> {
    this.writable();
    const row = this.readRow(key);
    const current = row && this.kv(row);
    if (!row || !current || (expectedRevision !== undefined && current.modRevision !== expectedRevision)) return { ok: false, current };
    const kv: KeyValue = { ...current, modRevision: this.revision + 1 };
    this.write({ type: 'DELETE', kv, prevKv: current }, row.value);
    return { ok: true, kv, prevKv: current };
  }

  watch(prefix: string, fromRevision: number): Watcher {
    this.writable();
    if (fromRevision > 0 && fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    const entry = { prefix, watcher: new BufferedWatcher(() => this.watchers.delete(entry)) };
    for (const e of this.sql.exec<LogRow>(`SELECT * FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev`, fromRevision, prefix, upperBound(prefix))) {
      entry.watcher.push(this.eventOf(e));
    }
    this.watchers.add(entry);
    return entry.watcher;
  }

  async changes(after: number, limit: number): Promise<LogPage> {
    if (!this.readable()) return { events: [], revision: 0, compacted: 0, more: false };
    const rows = this.sql.exec<LogRow>(`SELECT * FROM log WHERE rev > ? ORDER BY rev LIMIT ?`, after, limit + 1).toArray();
    const more = rows.length > limit;
    const events = (more ? rows.slice(0, limit) : rows).map((e) => this.eventOf(e));
    return { events, revision: more ? events[events.length - 1].kv.modRevision : this.revision, compacted: this.compacted, more };
  }

  /** The whole restore is one SQLite transaction: it lands entirely or not at all. */
  async restore(records: RestoredRecord[], keep: string[]): Promise<number> {
    this.writable();
    const revision = this.revision + 1;
    const kept = (key: string) => keep.some((prefix) => key.startsWith(prefix));
    for (const { key } of records) if (kept(key)) throw new Error(`restore of cluster ${this.cluster}: key ${key} may not be restored`);
    this.transaction(() => {
      const keptRows = this.sql.exec<Row>(`SELECT key, value, create_rev, mod_rev FROM objects`).toArray().filter((r) => kept(r.key)).map((r) => ({ ...r, value: this.kv(r).value }));
      this.sql.exec(`DELETE FROM objects`);
      if (this.chunked) this.sql.exec(chunksTable), this.sql.exec(`DELETE FROM chunks`);
      for (const r of keptRows) this.sql.exec(`INSERT INTO objects (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)`, r.key, this.storeValue(r.key, r.mod_rev, r.value), r.create_rev, r.mod_rev);
      // A key twice in `records` fails the primary key, and with it the whole transaction.
      for (const { key, value } of records) this.sql.exec(`INSERT INTO objects (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)`, key, this.storeValue(key, revision, value), revision, revision);
      this.sql.exec(`DELETE FROM log`);
      for (const name of ['revision', 'compacted']) {
        this.sql.exec(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`, name, revision);
      }
    });
    this.revision = revision;
    this.compacted = revision;
    this.logBytes = 0;
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const w of watchers) w.watcher.fail(new CompactedError(revision - 1, revision));
    return revision;
  }

  private compactSync(revision: number): void {
    const freed = this.sql.exec<{ n: number | null }>(`SELECT SUM(${logRowBytes}) AS n FROM log WHERE rev <= ?`, revision).one().n ?? 0;
    this.logBytes -= freed;
    if (this.chunked) this.sql.exec(chunksTable), this.sql.exec(collectSql, revision);
    this.sql.exec(`DELETE FROM log WHERE rev <= ?`, revision);
    this.sql.exec(`INSERT INTO meta (name, value) VALUES ('compacted', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`, revision);
    this.compacted = revision;
  }

  async compact(revision: number): Promise<void> {
    if (!this.readable()) return;
    if (revision <= this.compacted) return;
    this.transaction(() => this.compactSync(Math.min(revision, this.revision)));
  }

  /** Forgets everything: the cluster is being deleted. This instance refuses every later operation. */
  drop(): void {
    this.dropped = true;
    for (const w of this.watchers) w.watcher.fail(new ClusterGoneError(this.cluster));
    this.watchers.clear();
    if (this.live) {
      this.transaction(() => {
        this.sql.exec(`DROP TABLE IF EXISTS objects`);
        this.sql.exec(`DROP TABLE IF EXISTS log`);
        this.sql.exec(`DROP TABLE IF EXISTS meta`);
        this.sql.exec(`DROP TABLE IF EXISTS chunks`);
      });
    }
  }
}
