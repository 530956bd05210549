import {
  DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand,
  type CancellationReason, type DynamoDBClient, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import {
  ClusterBusyError, ClusterGoneError, CompactedError, FutureRevisionError, clusterPrefix,
  type ClusterStore, type KeyValue, type ListOptions, type ListResult, type LogPage, type RestoredRecord, type Store, type StoreEvent, type Usage, type Watcher, type WriteResult,
} from './store.ts';
import {
  droppingAttribute, entryFromLogItem, incarnationOf, kvFromObjectItem, liveAttribute, logItem, logPrefix, logSk, metaFromItem, metaSk,
  objectItem, objectItemBytes, objectPrefix, objectSk, restoringAttribute, revisionOfLogSk, ttlAttribute, type Item, type LogEntry, type Meta,
  blobItems, blobPrefix, blobSkPrefix, encodeValue, piecesOf, withPieces, type Encoded,
} from './dynamodbItems.ts';
import { deleteAll, putAll } from './dynamodbTable.ts';
import { PollingWatcher, type ChangeLog } from './dynamodbWatch.ts';
import { GroupCommit } from './groupCommit.ts';
import { KeyedQueue, ReadCoalescer, SeenRecords } from './perKey.ts';

export { ensureTable } from './dynamodbTable.ts';

/**
 * The Store port on DynamoDB (etcd semantics, one table; layout in dynamodbItems.ts).
 *
 * A write is: read the current record (update/delete need it for the log's
 * prevKv), take the next revision R from the cluster's counter (UpdateItem ADD),
 * then ONE TransactWriteItems that puts/deletes the object conditioned on its
 * modRevision (or on its absence, for create) together with the log item
 * `log#R`, conditioned on `log#R` not existing. Object and log never disagree,
 * because they commit or fail together.
 *
 * Revisions are handed out before their writes commit, so revisions can commit
 * out of order, and some never commit (a failed condition, a crash between the
 * counter and the transaction). A reader that skipped past such a hole could
 * miss a write that lands late. So readers only trust a revision once it is
 * final, and any reader may make a hole final by *voiding* it: a conditional
 * put of a VOID marker at `log#R`. The put and the write's transaction both
 * require `log#R` to be absent, so exactly one wins: either the write commits
 * and the reader sees it, or the marker lands and the write's transaction is
 * cancelled (the writer then takes a new revision and tries again, so the
 * caller never notices). Readers wait `gapGraceMs` before voiding, so a write
 * in flight normally just lands.
 *
 * - watch delivers the contiguous run of final revisions after its cursor
 *   (dynamodbWatch.ts), so events are in order and none is skipped.
 * - list reads at revision C = the counter's value at the start: every
 *   revision ≤ C is made final first, and the `safe` watermark in the meta item
 *   records that, so later readers skip the check. The objects are then read
 *   and every change after C is undone from the log, which gives exactly the
 *   state at C even while writes go on; a past revision is read the same way.
 *   Each write acknowledged before a list starts is in it (read-your-writes).
 *
 * Cluster lifecycle (see Meta in dynamodbItems.ts). createCluster writes the
 * meta item with a new incarnation id (`live`). Taking a revision is
 * conditioned on the cluster being live and, once this instance has learned its
 * incarnation, on that incarnation: so no write starts on a cluster that was
 * never created, was dropped, or was dropped and created again since this
 * instance learned it (ClusterGoneError; the instance then fails everything and
 * DynamoStore forgets it). dropCluster first replaces `live` with a `dropping`
 * tombstone, then voids every revision handed out but not yet in the log, so a
 * write that took its revision before the tombstone cannot commit either; then it
 * deletes every item, the meta item last, so a drop cut off half-way leaves a
 * tombstone, which the next createCluster or dropCluster finishes. Log entries
 * carry their incarnation, so a watcher never delivers an entry of a later
 * cluster of the same name.
 *
 * Restore (replacing the cluster's content from a snapshot) cannot be one transaction here:
 * a cluster holds thousands of items. It fences writers off instead: one UpdateItem takes
 * the restore's revision R and sets `restoring` on the meta item, and taking a revision is
 * conditioned on its absence, so from then on no write starts (ClusterBusyError, a 429 to
 * clients, which kubectl and client-go retry). Revisions handed out before the fence are made
 * final (voided unless their write landed), `compacted` and `safe` are raised to R (before
 * any log item goes, as compaction does), the objects and log are rewritten, and the fence
 * is lifted. Lists and watches meanwhile answer ClusterBusyError and CompactedError; a get
 * may see part of the new content. A restore cut off by a crash leaves the fence, which the
 * next restore takes over once it is `restoreFenceMs` old.
 *
 * Left open: a write whose transaction is held up (in the network, or a frozen
 * process) from before the drop voided its revision until after the drop
 * deleted that log slot could still land, the same window compaction has for
 * the slots it deletes. Closing it would put the meta item in every write's
 * transaction, which serializes a cluster's writers.
 */

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  /** How often an idle watch polls the change log. */
  pollIntervalMs?: number;
  /** How long a revision may stay unwritten before a reader voids it. */
  gapGraceMs?: number;
  /** How often an idle watch reads the meta item to learn whether its cluster was dropped. */
  liveCheckMs?: number;
}

type Settings = Required<DynamoStoreOptions>;

const names = { '#pk': 'pk', '#sk': 'sk' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A write retries (new revision) when a reader voided its revision or DynamoDB reported contention. */
const maxWriteAttempts = 25;
/** A transaction holds at most 100 items (an object and its log item per create) and 4 MB: room to spare. */
const maxCreatesPerTransaction = 25;
const maxBatchBytes = 1024 * 1024;

type Intent =
  | { type: 'create'; value: string }
  | { type: 'update'; value: string; expected: number }
  | { type: 'delete'; expected?: number };

type Outcome =
  | { kind: 'committed' }
  /** current: the record that failed the condition (null: absent; undefined: not returned, read it). */
  | { kind: 'conflict'; current: KeyValue | null | undefined }
  /** voided: the revision's log slot is taken already (a reader or a drop voided it). */
  | { kind: 'retry'; voided?: boolean };

/** The query of a cluster's items whose sort key starts with `skPrefix`. */
const skPrefixQuery = (cluster: string, skPrefix: string) => ({
  KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
  ExpressionAttributeValues: { ':pk': { S: cluster }, ':p': { S: skPrefix } },
});
/** The query of the objects stored under a key prefix. */
const objectQuery = (cluster: string, prefix: string) => skPrefixQuery(cluster, objectSk(prefix));

function cancellationReasons(err: unknown): CancellationReason[] | null {
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'TransactionCanceledException') {
    return (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  }
  return null;
}

const isConditionFailure = (err: unknown) => !!err && typeof err === 'object' && (err as { name?: string }).name === 'ConditionalCheckFailedException';

/** A restore's fence older than this was left by a restore that died: the next restore takes it over. */
const restoreFenceMs = 120_000;

/** Attempts of createCluster/dropCluster against a concurrent one of the same name. */
const maxLifecycleAttempts = 10;

export class DynamoClusterStore implements ClusterStore, ChangeLog {
  /** The last compacted revision this process saw; watch() throws CompactedError synchronously from it. */
  private compacted = 0;
  private expiresAt: number | undefined;
  /** The incarnation of the cluster this instance serves, once learned (see Meta). */
  private incarnation: string | undefined;
  /** Meta reads sent, and the one the incarnation was learned from: an answer to an earlier read is older news. */
  private metaReads = 0;
  private learnedAt = 0;
  /** This instance saw its cluster dropped (or never created, at a write): it fails everything from now on. */
  private gone = false;
  private readonly watchers = new Set<PollingWatcher>();
  private readonly reads = new ReadCoalescer<KeyValue | null>();
  private readonly seen = new SeenRecords();
  private readonly writes = new KeyedQueue();
  /** Concurrent creates share a revision counter update and a transaction (a cluster's bootstrap is hundreds of them). */
  private readonly creates = new GroupCommit(
    (batch: { key: string; value: string }[]) => this.createBatch(batch),
    { maxItems: maxCreatesPerTransaction, maxCost: maxBatchBytes, cost: (c) => c.key.length + c.value.length },
  );

  constructor(readonly cluster: string, private readonly settings: Settings, private readonly onGone?: (store: DynamoClusterStore) => void) {}

  private get client() { return this.settings.client; }
  private get table() { return this.settings.table; }
  private keyOf(sk: string): Item {
    return { pk: { S: this.cluster }, sk: { S: sk } };
  }

  // ---- the cluster's life, as this instance sees it -----------------------

  private alive(): void {
    if (this.gone) throw new ClusterGoneError(this.cluster);
  }

  /** From now on every operation fails and open watches end; the owning DynamoStore forgets this instance. */
  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.onGone?.(this);
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const watcher of watchers) watcher.end(new ClusterGoneError(this.cluster));
  }

  private goneError(): ClusterGoneError {
    this.markGone();
    return new ClusterGoneError(this.cluster);
  }

  /** True if this instance knows an incarnation other than `incarnation` (it serves a cluster that was dropped). */
  isStaleFor(incarnation: string): boolean {
    return this.incarnation !== undefined && this.incarnation !== incarnation;
  }

  /**
   * Takes in the meta item as read by meta read number `read`: learns the
   * incarnation, or fails (and marks this instance gone) if the cluster it knew
   * was dropped meanwhile. A cluster that was never created is no failure here:
   * reads of it find nothing. An answer to a read sent before the one the
   * incarnation was learned from only tells the past (the cluster not created
   * yet), unless `writing`: a revision must come from the incarnation we know.
   */
  private observe(meta: Meta, read: number, writing = false): Meta {
    this.alive();
    const now = incarnationOf(meta);
    if (this.incarnation !== undefined && now !== this.incarnation) {
      if (read < this.learnedAt && !writing) return meta;
      throw this.goneError();
    }
    if (now !== null && this.incarnation === undefined) { this.incarnation = now; this.learnedAt = read; }
    this.compacted = meta.compacted;
    this.expiresAt = meta.expiresAt;
    return meta;
  }

  /** The meta item of a live cluster, or ClusterGoneError. */
  private async liveMeta(): Promise<Meta> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) throw this.goneError();
    return meta;
  }

  // ---- reads -------------------------------------------------------------

  get(key: string): Promise<KeyValue | null> {
    if (this.gone) return Promise.reject(new ClusterGoneError(this.cluster));
    return this.reads.run(key, async () => {
      const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.keyOf(objectSk(key)), ConsistentRead: true }));
      if (!item) {
        // A miss may be the drop's doing: it deletes the items of a tombstoned cluster one batch at a
        // time, so a request that found the cluster's record a moment before would read its namespace
        // as missing and answer 404 for a cluster that is going. Asked, the meta item says so (gone).
        if ((await this.meta()).dropping) throw this.goneError();
        return null;
      }
      const kv = await this.kvOf(item);
      this.seen.remember(kv);
      return kv;
    });
  }

  // ---- values kept in pieces (dynamodbItems.ts, encodeValue) ----------------

  /** Records whose value is kept in pieces: a later write names those pieces as its previous value instead of writing them again. */
  private readonly inPieces = new WeakSet<KeyValue>();

  /** The item with every value it keeps in pieces read back into it. */
  private async filled(item: Item): Promise<Item> {
    let out = item;
    for (const name of ['value', 'prevValue'] as const) {
      const where = piecesOf(out, name);
      if (!where) continue;
      const pieces: Item[] = [];
      for await (const page of this.pages(skPrefixQuery(this.cluster, blobSkPrefix(out.key.S!, where.revision)))) pieces.push(...page.items);
      if (pieces.length < where.count) throw new Error(`store inconsistency: ${out.key.S} at revision ${where.revision} has ${pieces.length} of its ${where.count} pieces`);
      out = withPieces(out, name, pieces.slice(0, where.count));
    }
    return out;
  }

  private async kvOf(item: Item): Promise<KeyValue> {
    const kv = kvFromObjectItem(await this.filled(item));
    if (piecesOf(item, 'value')) this.inPieces.add(kv);
    return kv;
  }

  private async putPieces(items: Item[]): Promise<void> {
    if (items.length) await putAll(this.client, this.table, items);
  }

  /** Pieces of values that did not commit, or that nothing names any more; best effort (what is left goes with the cluster). */
  private async deletePieces(pieces: Array<{ key: string; revision: number; count: number }>): Promise<void> {
    const keys = pieces.flatMap(({ key, revision, count }) => Array.from({ length: count }, (_, i) => this.keyOf(blobSkPrefix(key, revision) + String(i).padStart(3, '0'))));
    if (keys.length) await deleteAll(this.client, this.table, keys);
  }

  /**
   * The encodings of an event's value and previous value, with the pieces they need written:
   * the new value's (under its revision), and the previous value's when this process does not
   * know them to exist (written again: a value's pieces are the same whoever writes them).
   */
  private async encodeEvent(event: StoreEvent, revision: number): Promise<{ value?: Encoded; prevValue?: Encoded; written: Array<{ key: string; revision: number; count: number }> }> {
    const value = event.type === 'PUT' ? encodeValue(event.kv.value) : undefined;
    const prev = event.prevKv;
    const prevValue = prev ? encodeValue(prev.value) : undefined;
    const items = [
      ...(value ? blobItems(this.cluster, event.kv.key, revision, value, this.expiresAt) : []),
      ...(prev && prevValue && !this.inPieces.has(prev) ? blobItems(this.cluster, prev.key, prev.modRevision, prevValue, this.expiresAt) : []),
    ];
    await this.putPieces(items);
    const written = value && 'pieces' in value ? [{ key: event.kv.key, revision, count: value.pieces.length }] : [];
    return { value, prevValue, written };
  }

  private async readMeta(): Promise<Meta> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.keyOf(metaSk), ConsistentRead: true }));
    return metaFromItem(item);
  }

  private async meta(): Promise<Meta> {
    this.alive();
    const read = ++this.metaReads;
    return this.observe(await this.readMeta(), read);
  }

  async currentRevision(): Promise<number> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) return 0;
    if (meta.restoring) throw new ClusterBusyError(this.cluster);
    await this.settleThrough(meta.revision, meta);
    return meta.revision;
  }

  async count(prefix: string): Promise<number> {
    this.alive();
    let total = 0;
    for await (const page of this.pages({ ...objectQuery(this.cluster, prefix), Select: 'COUNT' })) total += page.count;
    return total;
  }

  /** Query pages of this cluster's partition (strongly consistent). */
  private async *pages(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<{ items: Item[]; count: number; lastKey?: Item }> {
    let start = input.ExclusiveStartKey;
    do {
      const out = await this.client.send(new QueryCommand({
        TableName: this.table, ConsistentRead: true, ...input, ExclusiveStartKey: start,
        ExpressionAttributeNames: { ...names, ...input.ExpressionAttributeNames },
      }));
      start = out.LastEvaluatedKey;
      yield { items: out.Items ?? [], count: out.Count ?? 0, lastKey: start };
    } while (start);
  }

  /** Objects and bytes of the cluster: a paged read of every object (meant to be called rarely, then cached). */
  async usage(): Promise<Usage> {
    const meta = await this.meta();
    const usage: Usage = { objects: 0, bytes: 0 };
    if (incarnationOf(meta) === null) return usage;
    for await (const page of this.pages({
      ...objectQuery(this.cluster, ''),
      ProjectionExpression: '#key, #value, #valueGz, #valueBytes', ExpressionAttributeNames: { '#key': 'key', '#value': 'value', '#valueGz': 'valueGz', '#valueBytes': 'valueBytes' },
    })) {
      for (const item of page.items) {
        usage.objects++;
        usage.bytes += objectItemBytes(item);
      }
    }
    return usage;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) {
      // Nothing exists: revision 0, as for a cluster without writes.
      if (options.revision) throw new FutureRevisionError(options.revision, 0);
      return { items: [], revision: 0, more: false };
    }
    if (meta.restoring) throw new ClusterBusyError(this.cluster);
    const at = options.revision || meta.revision;
    if (at > meta.revision) throw new FutureRevisionError(at, meta.revision);
    if (at < meta.revision && at < meta.compacted) throw new CompactedError(at, meta.compacted);
    await this.settleThrough(at, meta);
    return this.readChecked(at, (read) => this.readAt(prefix, options, at, read));
  }

  /**
   * A read at revision `at`, checked: unless it stayed quiet (changesSince), the meta item is read
   * after it. Compaction marks the meta item before deleting log entries, so if it has not passed
   * `at` now, every log entry the read relied on was still there; if it has, that is the reason,
   * whatever else failed.
   */
  private async readChecked<T>(at: number, work: (read: { quiet: boolean }) => Promise<T>): Promise<T> {
    const read = { quiet: true };
    let outcome: { result: T } | undefined, failure: unknown;
    try {
      outcome = { result: await work(read) };
    } catch (err) {
      failure = err;
    }
    if (read.quiet && outcome) return outcome.result;
    const after = await this.meta();
    if (at < after.compacted) throw new CompactedError(at, after.compacted);
    if (!outcome) throw failure;
    return outcome.result;
  }

  /**
   * Each prefix's records at the current revision: the revision is read once, every prefix's objects
   * at once, then the meta item once. Overtaken by a write, one read of the log after the revision
   * serves every prefix (and the meta item is read again, for a compaction, as for list()).
   */
  async listMany(prefixes: string[]): Promise<ListResult[]> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) return prefixes.map(() => ({ items: [], revision: 0, more: false }));
    if (meta.restoring) throw new ClusterBusyError(this.cluster);
    const at = meta.revision;
    await this.settleThrough(at, meta);
    return this.readChecked(at, async (read) => {
      const scanned = await Promise.all(prefixes.map((prefix) => this.objectsUnder(prefix)));
      const later = await this.changesSince(clusterPrefix(this.cluster), at, read);
      return prefixes.map((prefix, i) => {
        const under = (key: string) => key.startsWith(prefix);
        const changed = new Map([...later].filter(([key]) => under(key)));
        return { items: this.stateAt(scanned[i], changed, at, under), revision: at, more: false };
      });
    });
  }

  /** Every object stored under prefix, as it is now. */
  private async objectsUnder(prefix: string): Promise<KeyValue[]> {
    const out: KeyValue[] = [];
    for await (const page of this.pages(objectQuery(this.cluster, prefix))) {
      for (const item of page.items) out.push(await this.kvOf(item));
    }
    return out;
  }

  /**
   * The keys under prefix as of revision `at` (final): objects are read first,
   * then every log entry after `at`; each key's earliest later entry carries its
   * record at `at` (prevKv, or none for a create). A write that changed an object
   * we read committed before the log read began, so its entry is in it.
   */
  private async readAt(prefix: string, options: ListOptions, at: number, read: { quiet: boolean }): Promise<ListResult> {
    const exclusive = options.startAfter !== undefined && options.startAfter >= prefix;
    const startAfter = exclusive ? options.startAfter! : undefined;
    // startAfter ≥ prefix without starting with it sorts after every key under prefix.
    if (startAfter !== undefined && !startAfter.startsWith(prefix)) return { items: [], revision: at, more: false };
    const want = options.limit && options.limit > 0 ? options.limit : Infinity;
    const scanned: KeyValue[] = [];
    let pageSize = want === Infinity ? undefined : Math.min(want + 1, 1000);
    let next: Item | undefined = startAfter !== undefined ? this.keyOf(objectSk(startAfter)) : undefined;
    for (;;) {
      let exhausted = true;
      for await (const page of this.pages({ ...objectQuery(this.cluster, prefix), ExclusiveStartKey: next, Limit: pageSize })) {
        for (const item of page.items) scanned.push(await this.kvOf(item));
        next = page.lastKey;
        if (pageSize !== undefined && page.lastKey) { exhausted = false; break; }
      }
      const later = await this.changesSince(prefix, at, read);
      const bound = exhausted ? undefined : next!.sk.S!.slice(objectPrefix.length);
      const view = this.stateAt(scanned, later, at, (key) => (startAfter === undefined || key > startAfter) && (bound === undefined || key <= bound));
      if (exhausted || view.length > want) return { items: view.slice(0, want), revision: at, more: view.length > want };
      // Later writes removed keys from this range: read further, in larger steps.
      pageSize = Math.min(pageSize! * 2, 1000);
    }
  }

  /**
   * What changed under prefix after `at`, for objects just read. When the cluster's revision is still
   * `at` (the common case: a list at the current revision of a cluster nobody wrote to meanwhile),
   * nothing did: every revision is taken on the meta item before its write, revisions up to `at` are
   * final (settleThrough), and a restore takes one too (its fence) before it touches an object. The
   * objects read are then the state at `at`, and neither the log nor a compaction matters to it: the
   * read asks nothing more (`read.quiet` stays true). Otherwise the log is read as before.
   */
  private async changesSince(prefix: string, at: number, read: { quiet: boolean }): Promise<Map<string, StoreEvent>> {
    if (read.quiet && (await this.meta()).revision === at) return new Map();
    read.quiet = false;
    return this.laterChanges(prefix, at);
  }

  /** For every key under prefix changed after `at`, its earliest change after `at`. */
  private async laterChanges(prefix: string, at: number): Promise<Map<string, StoreEvent>> {
    const later = new Map<string, StoreEvent>();
    for await (const page of this.pages({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      FilterExpression: 'begins_with(#key, :prefix)',
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logSk(at + 1) }, ':to': { S: logPrefix + '~' }, ':prefix': { S: prefix } },
    })) {
      for (const item of page.items) {
        const { event } = entryFromLogItem(await this.filled(item));
        if (event && !later.has(event.kv.key)) later.set(event.kv.key, event);
      }
    }
    return later;
  }

  private stateAt(scanned: KeyValue[], later: Map<string, StoreEvent>, at: number, inRange: (key: string) => boolean): KeyValue[] {
    const view = new Map<string, KeyValue>();
    for (const kv of scanned) {
      if (later.has(kv.key)) continue;
      if (kv.modRevision > at) throw new Error(`store inconsistency: ${kv.key} is at revision ${kv.modRevision} but the log has no change after ${at}`);
      view.set(kv.key, kv);
    }
    for (const [key, event] of later) if (inRange(key) && event.prevKv) view.set(key, event.prevKv);
    return [...view.keys()].filter(inRange).sort().map((key) => view.get(key)!);
  }

  // ---- making revisions final --------------------------------------------

  /**
   * Makes every revision ≤ target final, then records that in `safe`. Revisions
   * still missing from the log are given gapGraceMs to land, then voided.
   */
  private async settleThrough(target: number, meta: Meta): Promise<void> {
    // Log entries at or below `compacted` may be gone on purpose (compaction settles first, so safe ≥ compacted anyway).
    const from = Math.max(meta.safe, meta.compacted) + 1;
    if (from > target) return;
    let missing = await this.missing(from, target);
    for (let wait = 5, waited = 0; missing.length && waited < this.settings.gapGraceMs; waited += wait, wait = Math.min(wait * 2, 50)) {
      await sleep(wait);
      missing = await this.missing(missing[0], missing[missing.length - 1], new Set(missing));
    }
    await this.voidRevisions(missing);
    await this.raiseMark('safe', target);
  }

  /**
   * Moves a revision mark of the meta item (`safe`, `compacted`) up to `target`; it
   * never moves down, so a reader that got further first keeps its mark.
   */
  private async raiseMark(mark: 'safe' | 'compacted', target: number): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk),
        UpdateExpression: 'SET #mark = :t',
        ConditionExpression: 'attribute_exists(#rev) AND (attribute_not_exists(#mark) OR #mark < :t)',
        ExpressionAttributeNames: { '#mark': mark, '#rev': 'revision' },
        ExpressionAttributeValues: { ':t': { N: String(target) } },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // another reader got further
    }
  }

  /** Revisions in [from, to] without a log item (only those in `among`, if given). */
  private async missing(from: number, to: number, among?: Set<number>): Promise<number[]> {
    const present = new Set<number>();
    for await (const page of this.pages({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logSk(from) }, ':to': { S: logSk(to) } },
      ProjectionExpression: '#sk',
    })) for (const item of page.items) present.add(revisionOfLogSk(item.sk.S!));
    const result: number[] = [];
    for (let r = from; r <= to; r++) if (!present.has(r) && (!among || among.has(r))) result.push(r);
    return result;
  }

  /** Puts a VOID marker at each revision unless its write got there first (then the write stands). */
  voidRevisions(revisions: number[]): Promise<void> {
    return this.putVoids(revisions, this.incarnation, this.expiresAt);
  }

  private async putVoids(revisions: number[], incarnation: string | undefined, expiresAt: number | undefined): Promise<void> {
    await Promise.all(revisions.map(async (revision) => {
      try {
        await this.client.send(new PutItemCommand({
          TableName: this.table, Item: logItem(this.cluster, revision, null, expiresAt, incarnation),
          ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' },
        }));
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }));
  }

  // ---- the change log, for watchers ---------------------------------------

  async read(after: number, limit: number): Promise<LogEntry[]> {
    this.alive();
    const out = await this.client.send(new QueryCommand({
      TableName: this.table, ConsistentRead: true, Limit: limit,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logSk(after + 1) }, ':to': { S: logPrefix + '~' } },
    }));
    const entries: LogEntry[] = [];
    for (const item of out.Items ?? []) entries.push(entryFromLogItem(await this.filled(item)));
    // A change written by another incarnation: the cluster was dropped and created again. (A VOID
    // marker carries no change, and one put late by an instance of the old cluster is no sign.)
    if (entries.some((e) => e.event && e.incarnation !== this.incarnation)) throw this.goneError();
    return entries;
  }

  async check(): Promise<number> {
    const meta = await this.liveMeta();
    // A restore under way will compact through its revision (the counter now): watches end now.
    return meta.restoring ? Math.max(meta.compacted, meta.revision) : meta.compacted;
  }

  async changes(after: number, limit: number): Promise<LogPage> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) return { events: [], revision: 0, compacted: 0, more: false };
    if (meta.restoring) throw new ClusterBusyError(this.cluster);
    await this.settleThrough(meta.revision, meta);
    const from = Math.max(after, meta.compacted);
    const events: StoreEvent[] = [];
    let more = false;
    if (from < meta.revision) {
      for await (const page of this.pages({
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logSk(from + 1) }, ':to': { S: logSk(meta.revision) } },
      })) {
        for (const item of page.items) {
          const { event, incarnation } = entryFromLogItem(await this.filled(item));
          if (!event) continue; // a VOID marker: no change
          if (incarnation !== this.incarnation) throw this.goneError();
          if (events.length === limit) { more = true; break; }
          events.push(event);
        }
        if (more) break;
      }
    }
    // Compaction marks first and deletes after: entries at or below the mark as it is now may have been missed.
    const compacted = Math.max(meta.compacted, (await this.meta()).compacted);
    const kept = events.filter((e) => e.kv.modRevision > compacted);
    return { events: kept, revision: more ? kept[kept.length - 1]?.kv.modRevision ?? compacted : meta.revision, compacted, more };
  }

  watch(prefix: string, fromRevision: number): Watcher {
    this.alive();
    if (fromRevision > 0 && fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    const watcher: PollingWatcher = new PollingWatcher(this, prefix, fromRevision, {
      pollIntervalMs: this.settings.pollIntervalMs, gapGraceMs: this.settings.gapGraceMs, liveCheckMs: this.settings.liveCheckMs,
      onStop: () => this.watchers.delete(watcher),
    });
    this.watchers.add(watcher);
    return watcher;
  }

  // ---- writes ------------------------------------------------------------

  create(key: string, value: string): Promise<WriteResult> {
    return this.write(key, { type: 'create', value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<WriteResult> {
    return this.write(key, { type: 'update', value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<WriteResult> {
    return this.write(key, { type: 'delete', expected: expectedRevision });
  }

  /**
   * Writes to one key go one at a time within a process: of many concurrent
   * compare-and-swaps on the same revision only one can win, and the others,
   * queued behind it, then see a newer revision and fail without a round trip
   * to DynamoDB. Across processes DynamoDB's conditions decide, as always.
   */
  private async write(key: string, intent: Intent): Promise<WriteResult> {
    this.alive();
    const expected = intent.type === 'create' ? undefined : intent.expected;
    for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
      const result = await this.writes.run(key, () => this.tryWrite(key, intent));
      if (result !== 'stale') return result;
      // This process saw a newer revision: confirm with a read that was sent after we asked.
      const now = await this.get(key);
      if (!now || now.modRevision !== expected) return { ok: false, current: now };
      this.seen.reset(now); // what we saw belonged to an earlier life of the cluster
    }
    throw new Error(`write of ${key} did not commit after ${maxWriteAttempts} attempts (contention)`);
  }

  /** One write attempt, retried while DynamoDB reports contention; 'stale' when a newer revision was seen here. */
  private async tryWrite(key: string, intent: Intent): Promise<WriteResult | 'stale'> {
    for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
      if (intent.type !== 'create' && intent.expected !== undefined && this.seen.newerThan(key, intent.expected)) return 'stale';
      let current: KeyValue | null = null;
      if (intent.type !== 'create') {
        current = (intent.expected !== undefined && this.seen.at(key, intent.expected)) || await this.get(key);
        // Not found is an answer only from a cluster that exists.
        if (!current) await this.liveMeta();
        if (!current || (intent.expected !== undefined && current.modRevision !== intent.expected)) return { ok: false, current };
      }
      // Readers already waiting for this key asked before the write is sent: it answers them (see ReadCoalescer).
      const waiting = this.reads.takeWaiters(key);
      const readForWaiting = () => { if (waiting) this.get(key).then(waiting.resolve, waiting.reject); };
      let taken: { revision: number; event: StoreEvent; outcome: Outcome };
      try {
        taken = intent.type === 'create' ? await this.creates.run({ key, value: intent.value }) : await this.commitOne(key, intent, current!);
      } catch (err) {
        readForWaiting();
        throw err;
      }
      const { revision, event, outcome } = taken;
      if (outcome.kind === 'committed') {
        if (event.type === 'PUT') this.seen.remember(event.kv); else this.seen.deleted(key, revision);
        waiting?.resolve(event.type === 'PUT' ? event.kv : null);
        return event.prevKv ? { ok: true, kv: event.kv, prevKv: event.prevKv } : { ok: true, kv: event.kv };
      }
      readForWaiting();
      // The revision will never carry this write: void it now (unless done) so watchers need not wait for it.
      if (!(outcome.kind === 'retry' && outcome.voided)) await this.voidRevisions([revision]).catch(() => {});
      if (outcome.kind === 'retry') {
        await sleep(Math.min(2 ** attempt, 50) * Math.random());
        continue;
      }
      const now = outcome.current === undefined ? await this.get(key) : outcome.current;
      if (now) this.seen.remember(now);
      // A create lost to an object deleted since, and an unconditional delete lost to a newer write, try again.
      if (intent.type === 'create' ? !now : intent.expected === undefined && now) continue;
      return { ok: false, current: now };
    }
    throw new Error(`write of ${key} did not commit after ${maxWriteAttempts} attempts (contention)`);
  }

  /** An update or a delete: its own revision and transaction. */
  private async commitOne(key: string, intent: Exclude<Intent, { type: 'create' }>, current: KeyValue): Promise<{ revision: number; event: StoreEvent; outcome: Outcome }> {
    const revision = await this.nextRevision();
    this.alive(); // dropped in this process meanwhile: the drop voids the revision
    const event: StoreEvent = intent.type === 'update'
      ? { type: 'PUT', kv: { key, value: intent.value, createRevision: current.createRevision, modRevision: revision }, prevKv: current }
      : { type: 'DELETE', kv: { ...current, modRevision: revision }, prevKv: current };
    return { revision, event, outcome: await this.commit(event, revision) };
  }

  /**
   * Creates that meet in the group commit: one counter update takes a revision for each, and one
   * transaction puts every object with its log item. A create is still its own write: its own
   * revision, condition and outcome. If any condition fails the transaction commits nothing;
   * the entries that were not at fault are told to retry (a new revision, as after contention).
   */
  private async createBatch(batch: { key: string; value: string }[]): Promise<{ revision: number; event: StoreEvent; outcome: Outcome }[]> {
    const top = await this.nextRevision(batch.length);
    this.alive();
    const taken = batch.map(({ key, value }, i) => {
      const revision = top - batch.length + 1 + i;
      return { revision, event: { type: 'PUT', kv: { key, value, createRevision: revision, modRevision: revision } } satisfies StoreEvent as StoreEvent };
    });
    if (taken.length === 1) return [{ ...taken[0], outcome: await this.commit(taken[0].event, taken[0].revision) }];
    const condition = { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } };
    const encoded = await Promise.all(taken.map(({ event, revision }) => this.encodeEvent(event, revision)));
    try {
      await this.client.send(new TransactWriteItemsCommand({
        TransactItems: taken.flatMap(({ revision, event }, i) => [
          { Put: { TableName: this.table, Item: objectItem(this.cluster, event.kv, this.expiresAt, encoded[i].value), ...condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
          { Put: { TableName: this.table, Item: logItem(this.cluster, revision, event, this.expiresAt, this.incarnation, encoded[i].value), ...condition } },
        ]),
      }));
      taken.forEach(({ event }, i) => { if (encoded[i].written.length) this.inPieces.add(event.kv); });
      return taken.map((t) => ({ ...t, outcome: { kind: 'committed' } }));
    } catch (err) {
      await this.deletePieces(encoded.flatMap((e) => e.written)).catch(() => {});
      const reasons = cancellationReasons(err);
      if (!reasons) throw err; // unknown outcome: none is acknowledged; each object and its log item still agree
      return Promise.all(taken.map(async (t, i): Promise<{ revision: number; event: StoreEvent; outcome: Outcome }> => {
        const [object, log] = [reasons[2 * i], reasons[2 * i + 1]];
        if (object?.Code === 'ConditionalCheckFailed') return { ...t, outcome: { kind: 'conflict', current: object.Item ? await this.kvOf(object.Item) : undefined } };
        return { ...t, outcome: { kind: 'retry', voided: log?.Code === 'ConditionalCheckFailed' } };
      }));
    }
  }

  /** The counter's next value, only from the live cluster (the incarnation this instance knows, once it knows one). */
  private async nextRevision(count = 1): Promise<number> {
    const names: Record<string, string> = { '#rev': 'revision' };
    const values: Item = { ':n': { N: String(count) } };
    let condition = this.liveCondition(names, values);
    // No revision is handed out while a restore rewrites the cluster (see restore()).
    condition += ' AND attribute_not_exists(#restoring)';
    names['#restoring'] = restoringAttribute;
    for (let attempt = 0; ; attempt++) {
      const read = ++this.metaReads;
      try {
        const out = await this.client.send(new UpdateItemCommand({
          TableName: this.table, Key: this.keyOf(metaSk), UpdateExpression: 'ADD #rev :n', ConditionExpression: condition,
          ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW',
        }));
        return this.observe(metaFromItem(out.Attributes), read, true).revision;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // A fence lifted between the refusal and now was a restore that has ended: ask again.
        if (!(await this.refused()) && attempt < maxWriteAttempts) continue;
        throw err;
      }
    }
  }

  /** The condition that the meta item is of the live cluster this instance serves (its incarnation, once known). */
  private liveCondition(names: Record<string, string>, values: Item): string {
    const known = this.incarnation;
    if (known) {
      names['#live'] = liveAttribute;
      values[':inc'] = { S: known };
      return '#live = :inc';
    }
    names['#sk'] = 'sk';
    names['#dropping'] = droppingAttribute;
    if (known !== '') return 'attribute_exists(#sk) AND attribute_not_exists(#dropping)';
    names['#live'] = liveAttribute;
    return 'attribute_exists(#sk) AND attribute_not_exists(#dropping) AND attribute_not_exists(#live)';
  }

  /**
   * Why the meta item refused: it throws ClusterBusyError while a restore holds the fence and
   * ClusterGoneError once the cluster this instance serves is gone; false means neither holds
   * any more (the fence was lifted meanwhile), so the caller may ask again.
   */
  private async refused(): Promise<false> {
    const meta = await this.readMeta();
    const live = incarnationOf(meta);
    if (live === null || this.isStaleFor(live)) throw this.goneError();
    if (meta.restoring) throw new ClusterBusyError(this.cluster);
    return false;
  }

  /** The object change and its log item, as one transaction. */
  private async commit(event: StoreEvent, revision: number): Promise<Outcome> {
    const { kv, prevKv } = event;
    const objectCondition: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Item } = prevKv
      ? { ConditionExpression: '#m = :m AND #c = :c', ExpressionAttributeNames: { '#m': 'modRevision', '#c': 'createRevision' },
        ExpressionAttributeValues: { ':m': { N: String(prevKv.modRevision) }, ':c': { N: String(prevKv.createRevision) } } }
      : { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } };
    const { value, prevValue, written } = await this.encodeEvent(event, revision);
    const objectWrite = event.type === 'PUT'
      ? { Put: { TableName: this.table, Item: objectItem(this.cluster, kv, this.expiresAt, value), ...objectCondition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } }
      : { Delete: { TableName: this.table, Key: this.keyOf(objectSk(kv.key)), ...objectCondition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
    try {
      await this.client.send(new TransactWriteItemsCommand({
        TransactItems: [
          objectWrite,
          { Put: { TableName: this.table, Item: logItem(this.cluster, revision, event, this.expiresAt, this.incarnation, value, prevValue), ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } } },
        ],
      }));
      if (written.length) this.inPieces.add(kv);
      return { kind: 'committed' };
    } catch (err) {
      // An unknown outcome may have committed: its pieces stay (at worst unused until the cluster goes).
      const reasons = cancellationReasons(err);
      if (!reasons) throw err; // unknown outcome: not acknowledged; object and log still agree either way
      await this.deletePieces(written).catch(() => {});
      const [object, log] = reasons;
      if (object?.Code === 'ConditionalCheckFailed') return { kind: 'conflict', current: object.Item ? await this.kvOf(object.Item) : undefined };
      if (log?.Code === 'ConditionalCheckFailed') return { kind: 'retry', voided: true }; // a reader (or a drop) voided our revision
      if (reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded')) return { kind: 'retry' };
      throw err;
    }
  }

  // ---- restore -----------------------------------------------------------

  async restore(records: RestoredRecord[], keep: string[]): Promise<number> {
    const kept = (key: string) => keep.some((prefix) => key.startsWith(prefix));
    const incoming = new Set<string>();
    for (const { key } of records) {
      if (kept(key) || incoming.has(key)) throw new Error(`restore of cluster ${this.cluster}: key ${key} may not be restored`);
      incoming.add(key);
    }
    await this.liveMeta(); // learns the incarnation the fence is conditioned on
    const token = randomBytes(9).toString('base64url');
    const fenced = await this.fence(token);
    const revision = fenced.revision;
    const names = { '#restoring': restoringAttribute, '#at': 'restoringAt' };
    try {
      // A write holding a revision from before the fence either landed (it is replaced below) or can no longer land.
      await this.settleThrough(revision - 1, fenced);
      await this.raiseMark('compacted', revision);
      await this.raiseMark('safe', revision);
      this.compacted = Math.max(this.compacted, revision);
      const gone: Item[] = [];
      for await (const page of this.pages({ KeyConditionExpression: '#pk = :pk', ExpressionAttributeValues: { ':pk': { S: this.cluster } }, ProjectionExpression: '#pk, #sk' })) {
        for (const item of page.items) {
          const sk = item.sk.S!;
          if (sk.startsWith(logPrefix)) gone.push(item);
          else if (sk.startsWith(objectPrefix) && !kept(sk.slice(objectPrefix.length)) && !incoming.has(sk.slice(objectPrefix.length))) gone.push(item);
          // The pieces of keys not kept (a kept key keeps all of its own, also those only a deleted log entry named).
          else if (sk.startsWith(blobPrefix) && !kept(sk.slice(blobPrefix.length, sk.lastIndexOf('#', sk.length - 5)))) gone.push(item);
        }
      }
      await deleteAll(this.client, this.table, gone);
      const restored = records.map(({ key, value }) => ({ kv: { key, value, createRevision: revision, modRevision: revision }, encoded: encodeValue(value) }));
      await putAll(this.client, this.table, restored.flatMap(({ kv, encoded }) => [
        ...blobItems(this.cluster, kv.key, revision, encoded, fenced.expiresAt), objectItem(this.cluster, kv, fenced.expiresAt, encoded),
      ]));
    } finally {
      // Lifted also when the restore failed half-way: the cluster is consistent (compacted through R), and a retry need not wait.
      await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk), UpdateExpression: 'REMOVE #restoring, #at', ConditionExpression: '#restoring = :token',
        ExpressionAttributeNames: names, ExpressionAttributeValues: { ':token': { S: token } },
      })).catch((err) => { if (!isConditionFailure(err)) throw err; });
    }
    const watchers = [...this.watchers];
    this.watchers.clear();
    for (const watcher of watchers) watcher.end(new CompactedError(revision - 1, revision));
    return revision;
  }

  /** Takes the restore's revision and fences writers off, unless another restore (younger than restoreFenceMs) holds the fence. */
  private async fence(token: string): Promise<Meta> {
    const names: Record<string, string> = { '#rev': 'revision', '#restoring': restoringAttribute, '#at': 'restoringAt' };
    const now = Date.now();
    const values: Item = { ':one': { N: '1' }, ':token': { S: token }, ':now': { N: String(now) }, ':stale': { N: String(now - restoreFenceMs) } };
    const condition = `${this.liveCondition(names, values)} AND (attribute_not_exists(#restoring) OR #at < :stale)`;
    const read = ++this.metaReads;
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk), UpdateExpression: 'ADD #rev :one SET #restoring = :token, #at = :now', ConditionExpression: condition,
        ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW',
      }));
      return this.observe(metaFromItem(out.Attributes), read, true);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      await this.refused();
      throw new ClusterBusyError(this.cluster); // another restore held the fence and has just let go: the caller may try again
    }
  }

  // ---- compaction and expiry ---------------------------------------------

  async compact(revision: number): Promise<void> {
    const meta = await this.meta();
    if (incarnationOf(meta) === null) return;
    const target = Math.min(revision, meta.revision);
    if (target <= meta.compacted) return;
    await this.settleThrough(target, meta);
    // Mark first, delete after: a reader that finds `compacted` below its revision after reading the log read a complete log.
    await this.raiseMark('compacted', target);
    this.compacted = Math.max(this.compacted, target);
    const keys: Item[] = [];
    const replaced: Array<{ key: string; revision: number; count: number }> = [];
    for await (const page of this.pages({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logPrefix }, ':to': { S: logSk(target) } },
      ProjectionExpression: '#pk, #sk, #key, prevValuePieces, prevValueAt', ExpressionAttributeNames: { '#key': 'key' },
    })) {
      for (const item of page.items) {
        keys.push({ pk: item.pk, sk: item.sk });
        // The value this entry replaced: its object item and its own log entry (earlier) no longer name it.
        const pieces = piecesOf(item, 'prevValue');
        if (pieces) replaced.push({ key: item.key.S!, ...pieces });
      }
    }
    await this.deletePieces(replaced);
    await deleteAll(this.client, this.table, keys);
  }

  /** Stamps the cluster's items with a TTL so DynamoDB deletes them once the cluster expires; later writes carry it too. */
  async expireAt(at: Date): Promise<void> {
    this.alive();
    const expiresAt = Math.ceil(at.getTime() / 1000);
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk), UpdateExpression: 'SET #ttl = :e', ConditionExpression: 'attribute_exists(#sk)',
        ExpressionAttributeNames: { '#ttl': ttlAttribute, '#sk': 'sk' }, ExpressionAttributeValues: { ':e': { N: String(expiresAt) } },
      }));
    } catch (err) {
      if (isConditionFailure(err)) return; // no such cluster: nothing to expire, and nothing is created
      throw err;
    }
    this.expiresAt = expiresAt;
    for await (const page of this.pages({ KeyConditionExpression: '#pk = :pk', ExpressionAttributeValues: { ':pk': { S: this.cluster } }, ProjectionExpression: '#pk, #sk' })) {
      await Promise.all(page.items.filter((item) => item.sk.S !== metaSk).map(async (item) => {
        try {
          await this.client.send(new UpdateItemCommand({
            TableName: this.table, Key: item, UpdateExpression: 'SET #ttl = :e', ConditionExpression: 'attribute_exists(#sk)',
            ExpressionAttributeNames: { '#ttl': ttlAttribute, '#sk': 'sk' }, ExpressionAttributeValues: { ':e': { N: String(expiresAt) } },
          }));
        } catch (err) {
          if (!isConditionFailure(err)) throw err; // deleted meanwhile
        }
      }));
    }
  }

  // ---- creating and dropping the cluster (DynamoStore runs these on an instance of their own) ----

  /** True if the partition holds any item at all. */
  private async anyItem(): Promise<boolean> {
    const out = await this.client.send(new QueryCommand({
      TableName: this.table, ConsistentRead: true, Limit: 1, KeyConditionExpression: '#pk = :pk', ProjectionExpression: '#pk, #sk',
      ExpressionAttributeNames: names, ExpressionAttributeValues: { ':pk': { S: this.cluster } },
    }));
    return (out.Items ?? []).length > 0;
  }

  /** Puts a tombstone where no meta item is; false if one appeared meanwhile. */
  private async putTombstone(): Promise<boolean> {
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.table, Item: { ...this.keyOf(metaSk), [droppingAttribute]: { N: String(Date.now()) } },
        ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Makes the cluster exist and returns its incarnation. A drop found half-done is
   * finished first; so are items left without a meta item (DynamoDB TTL deletes
   * items in any order), so the new cluster starts empty.
   */
  async createIncarnation(): Promise<string> {
    for (let attempt = 0; attempt < maxLifecycleAttempts; attempt++) {
      let meta = await this.readMeta();
      const existing = incarnationOf(meta);
      if (existing !== null) return existing;
      if (!meta.exists) {
        if (!(await this.anyItem())) {
          const incarnation = randomBytes(9).toString('base64url');
          try {
            await this.client.send(new PutItemCommand({
              TableName: this.table,
              Item: { ...this.keyOf(metaSk), revision: { N: '0' }, [liveAttribute]: { S: incarnation } },
              ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' },
            }));
            return incarnation;
          } catch (err) {
            if (!isConditionFailure(err)) throw err;
            continue; // created (or a drop begun) meanwhile: look again
          }
        }
        if (!(await this.putTombstone())) continue;
        meta = metaFromItem(undefined);
      }
      await this.finishDrop(meta);
    }
    throw new Error(`cluster ${this.cluster}: could not be created (concurrent creates and drops)`);
  }

  /**
   * Drops the cluster: the tombstone first (no revision is handed out after it),
   * then the rest (finishDrop). Idempotent; also finishes a drop cut off earlier.
   */
  async drop(): Promise<void> {
    for (let attempt = 0; attempt < maxLifecycleAttempts; attempt++) {
      let meta: Meta;
      try {
        const out = await this.client.send(new UpdateItemCommand({
          TableName: this.table, Key: this.keyOf(metaSk),
          UpdateExpression: 'SET #dropping = if_not_exists(#dropping, :now) REMOVE #live', ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#dropping': droppingAttribute, '#live': liveAttribute, '#sk': 'sk' },
          ExpressionAttributeValues: { ':now': { N: String(Date.now()) } }, ReturnValues: 'ALL_OLD',
        }));
        meta = metaFromItem(out.Attributes);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // No meta item: never created, or already dropped; but leftovers without one are removed too.
        if (!(await this.anyItem())) return;
        if (!(await this.putTombstone())) continue;
        meta = metaFromItem(undefined);
      }
      await this.finishDrop(meta);
      return;
    }
    throw new Error(`cluster ${this.cluster}: could not be dropped (concurrent creates and drops)`);
  }

  /**
   * The rest of a drop, once the tombstone is in place (`meta` as it was when
   * tombstoned, or later). Every revision handed out that has no log item yet is
   * voided, so the write holding it can no longer commit; then every item goes,
   * meta last. Several may finish one drop at once; each batch of deletes is sent
   * only while the tombstone is still there, so none deletes items of a cluster
   * created again after another one finished.
   */
  private async finishDrop(meta: Meta): Promise<void> {
    const from = Math.max(meta.safe, meta.compacted) + 1;
    if (from <= meta.revision) await this.putVoids(await this.missing(from, meta.revision), meta.live, meta.expiresAt);
    const keys: Item[] = [];
    for await (const page of this.pages({ KeyConditionExpression: '#pk = :pk', ExpressionAttributeValues: { ':pk': { S: this.cluster } }, ProjectionExpression: '#pk, #sk' })) {
      keys.push(...page.items.filter((item) => item.sk.S !== metaSk));
    }
    const tombstoned = async () => { const now = await this.readMeta(); return now.exists && now.dropping; };
    if (!(await deleteAll(this.client, this.table, keys, tombstoned))) return; // someone else finished it
    try {
      await this.client.send(new DeleteItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk),
        ConditionExpression: 'attribute_exists(#dropping)', ExpressionAttributeNames: { '#dropping': droppingAttribute },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // finished by someone else (and perhaps created again)
    }
  }
}

export class DynamoStore implements Store {
  private clusters = new Map<string, DynamoClusterStore>();
  private readonly settings: Settings;

  constructor(options: DynamoStoreOptions) {
    this.settings = { pollIntervalMs: 50, gapGraceMs: 200, liveCheckMs: 1000, ...options };
  }

  /** This process's instance for the cluster; asking costs nothing and writes nothing. An instance that finds its cluster gone is forgotten. */
  cluster(name: string): DynamoClusterStore {
    let store = this.clusters.get(name);
    if (!store) {
      store = new DynamoClusterStore(name, this.settings, (gone) => { if (this.clusters.get(name) === gone) this.clusters.delete(name); });
      this.clusters.set(name, store);
    }
    return store;
  }

  async createCluster(name: string): Promise<void> {
    const incarnation = await new DynamoClusterStore(name, this.settings).createIncarnation();
    // An instance here that served an earlier cluster of this name (dropped by another process) is done.
    if (this.clusters.get(name)?.isStaleFor(incarnation)) this.clusters.get(name)!.markGone();
  }

  async dropCluster(name: string): Promise<void> {
    // This process's instance fails from now on and its watches end; other processes' instances find out from DynamoDB.
    this.clusters.get(name)?.markGone();
    this.clusters.delete(name);
    await new DynamoClusterStore(name, this.settings).drop();
  }

  /** Items of the cluster expire (DynamoDB TTL) at `at`; dropCluster stays the prompt way to delete. Nothing happens to a cluster that does not exist. */
  expireCluster(name: string, at: Date): Promise<void> {
    return new DynamoClusterStore(name, this.settings).expireAt(at);
  }
}
