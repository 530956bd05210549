import {
  GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand,
  type CancellationReason, type DynamoDBClient, type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CompactedError, FutureRevisionError,
  type ClusterStore, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type Watcher, type WriteResult,
} from './store.ts';
import {
  entryFromLogItem, kvFromObjectItem, logItem, logPrefix, logSk, metaFromItem, metaSk, objectItem, objectPrefix, objectSk,
  revisionOfLogSk, ttlAttribute, type Item, type LogEntry, type Meta,
} from './dynamodbItems.ts';
import { deleteAll } from './dynamodbTable.ts';
import { PollingWatcher, type ChangeLog } from './dynamodbWatch.ts';
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
 */

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  /** How often an idle watch polls the change log. */
  pollIntervalMs?: number;
  /** How long a revision may stay unwritten before a reader voids it. */
  gapGraceMs?: number;
}

type Settings = Required<DynamoStoreOptions>;

const names = { '#pk': 'pk', '#sk': 'sk' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A write retries (new revision) when a reader voided its revision or DynamoDB reported contention. */
const maxWriteAttempts = 25;

type Intent =
  | { type: 'create'; value: string }
  | { type: 'update'; value: string; expected: number }
  | { type: 'delete'; expected?: number };

type Outcome =
  | { kind: 'committed' }
  /** current: the record that failed the condition (null: absent; undefined: not returned, read it). */
  | { kind: 'conflict'; current: KeyValue | null | undefined }
  | { kind: 'retry' };

function cancellationReasons(err: unknown): CancellationReason[] | null {
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'TransactionCanceledException') {
    return (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  }
  return null;
}

const isConditionFailure = (err: unknown) => !!err && typeof err === 'object' && (err as { name?: string }).name === 'ConditionalCheckFailedException';

export class DynamoClusterStore implements ClusterStore, ChangeLog {
  /** The last compacted revision this process saw; watch() throws CompactedError synchronously from it. */
  private compacted = 0;
  private expiresAt: number | undefined;
  private readonly reads = new ReadCoalescer<KeyValue | null>();
  private readonly seen = new SeenRecords();
  private readonly writes = new KeyedQueue();

  constructor(readonly cluster: string, private readonly settings: Settings) {}

  private get client() { return this.settings.client; }
  private get table() { return this.settings.table; }
  private keyOf(sk: string): Item {
    return { pk: { S: this.cluster }, sk: { S: sk } };
  }

  // ---- reads -------------------------------------------------------------

  get(key: string): Promise<KeyValue | null> {
    return this.reads.run(key, async () => {
      const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.keyOf(objectSk(key)), ConsistentRead: true }));
      if (!item) return null;
      const kv = kvFromObjectItem(item);
      this.seen.remember(kv);
      return kv;
    });
  }

  private async meta(): Promise<Meta> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.keyOf(metaSk), ConsistentRead: true }));
    return this.learn(metaFromItem(item));
  }

  private learn(meta: Meta): Meta {
    this.compacted = meta.compacted;
    this.expiresAt = meta.expiresAt;
    return meta;
  }

  async currentRevision(): Promise<number> {
    const meta = await this.meta();
    await this.settleThrough(meta.revision, meta);
    return meta.revision;
  }

  async count(prefix: string): Promise<number> {
    let total = 0;
    for await (const page of this.pages({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':p': { S: objectSk(prefix) } },
      Select: 'COUNT',
    })) total += page.count;
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

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const meta = await this.meta();
    const at = options.revision || meta.revision;
    if (at > meta.revision) throw new FutureRevisionError(at, meta.revision);
    if (at < meta.revision && at < meta.compacted) throw new CompactedError(at, meta.compacted);
    await this.settleThrough(at, meta);
    let result: ListResult | undefined, failure: unknown;
    try {
      result = await this.readAt(prefix, options, at);
    } catch (err) {
      failure = err;
    }
    // Compaction marks the meta item before deleting log entries, so if it has
    // not passed `at` now, every log entry this read relied on was still there.
    const after = await this.meta();
    if (at < after.compacted) throw new CompactedError(at, after.compacted);
    if (!result) throw failure;
    return result;
  }

  /**
   * The keys under prefix as of revision `at` (final): objects are read first,
   * then every log entry after `at`; each key's earliest later entry carries its
   * record at `at` (prevKv, or none for a create). A write that changed an object
   * we read committed before the log read began, so its entry is in it.
   */
  private async readAt(prefix: string, options: ListOptions, at: number): Promise<ListResult> {
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
      for await (const page of this.pages({
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
        ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':p': { S: objectSk(prefix) } },
        ExclusiveStartKey: next, Limit: pageSize,
      })) {
        for (const item of page.items) scanned.push(kvFromObjectItem(item));
        next = page.lastKey;
        if (pageSize !== undefined && page.lastKey) { exhausted = false; break; }
      }
      const later = await this.laterChanges(prefix, at);
      const bound = exhausted ? undefined : next!.sk.S!.slice(objectPrefix.length);
      const view = this.stateAt(scanned, later, at, (key) => (startAfter === undefined || key > startAfter) && (bound === undefined || key <= bound));
      if (exhausted || view.length > want) return { items: view.slice(0, want), revision: at, more: view.length > want };
      // Later writes removed keys from this range: read further, in larger steps.
      pageSize = Math.min(pageSize! * 2, 1000);
    }
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
        const { event } = entryFromLogItem(item);
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
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk),
        UpdateExpression: 'SET #safe = :t',
        ConditionExpression: 'attribute_exists(#rev) AND (attribute_not_exists(#safe) OR #safe < :t)',
        ExpressionAttributeNames: { '#safe': 'safe', '#rev': 'revision' },
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
  async voidRevisions(revisions: number[]): Promise<void> {
    await Promise.all(revisions.map(async (revision) => {
      try {
        await this.client.send(new PutItemCommand({
          TableName: this.table, Item: logItem(this.cluster, revision, null, this.expiresAt),
          ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' },
        }));
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }));
  }

  // ---- the change log, for watchers ---------------------------------------

  async read(after: number, limit: number): Promise<LogEntry[]> {
    const out = await this.client.send(new QueryCommand({
      TableName: this.table, ConsistentRead: true, Limit: limit,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logSk(after + 1) }, ':to': { S: logPrefix + '~' } },
    }));
    return (out.Items ?? []).map(entryFromLogItem);
  }

  async compactedRevision(): Promise<number> {
    return (await this.meta()).compacted;
  }

  watch(prefix: string, fromRevision: number): Watcher {
    if (fromRevision > 0 && fromRevision < this.compacted) throw new CompactedError(fromRevision, this.compacted);
    return new PollingWatcher(this, prefix, fromRevision, { pollIntervalMs: this.settings.pollIntervalMs, gapGraceMs: this.settings.gapGraceMs });
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
        if (!current || (intent.expected !== undefined && current.modRevision !== intent.expected)) return { ok: false, current };
      }
      const revision = await this.nextRevision();
      const event: StoreEvent = intent.type === 'create'
        ? { type: 'PUT', kv: { key, value: intent.value, createRevision: revision, modRevision: revision } }
        : intent.type === 'update'
          ? { type: 'PUT', kv: { key, value: intent.value, createRevision: current!.createRevision, modRevision: revision }, prevKv: current! }
          : { type: 'DELETE', kv: { ...current!, modRevision: revision }, prevKv: current! };
      // Readers already waiting for this key asked before the write is sent: it answers them (see ReadCoalescer).
      const waiting = this.reads.takeWaiters(key);
      const readForWaiting = () => { if (waiting) this.get(key).then(waiting.resolve, waiting.reject); };
      const outcome = await this.commit(event, revision).catch((err: unknown) => { readForWaiting(); throw err; });
      if (outcome.kind === 'committed') {
        if (event.type === 'PUT') this.seen.remember(event.kv); else this.seen.deleted(key, revision);
        waiting?.resolve(event.type === 'PUT' ? event.kv : null);
        return { ok: true, kv: event.kv };
      }
      readForWaiting();
      // The revision will never carry this write: void it now so watchers need not wait for it.
      await this.voidRevisions([revision]).catch(() => {});
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

  private async nextRevision(): Promise<number> {
    const out = await this.client.send(new UpdateItemCommand({
      TableName: this.table, Key: this.keyOf(metaSk),
      UpdateExpression: 'ADD #rev :one', ExpressionAttributeNames: { '#rev': 'revision' },
      ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW',
    }));
    return this.learn(metaFromItem(out.Attributes)).revision;
  }

  /** The object change and its log item, as one transaction. */
  private async commit(event: StoreEvent, revision: number): Promise<Outcome> {
    const { kv, prevKv } = event;
    const objectCondition: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Item } = prevKv
      ? { ConditionExpression: '#m = :m AND #c = :c', ExpressionAttributeNames: { '#m': 'modRevision', '#c': 'createRevision' },
        ExpressionAttributeValues: { ':m': { N: String(prevKv.modRevision) }, ':c': { N: String(prevKv.createRevision) } } }
      : { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } };
    const objectWrite = event.type === 'PUT'
      ? { Put: { TableName: this.table, Item: objectItem(this.cluster, kv, this.expiresAt), ...objectCondition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } }
      : { Delete: { TableName: this.table, Key: this.keyOf(objectSk(kv.key)), ...objectCondition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
    try {
      await this.client.send(new TransactWriteItemsCommand({
        TransactItems: [
          objectWrite,
          { Put: { TableName: this.table, Item: logItem(this.cluster, revision, event, this.expiresAt), ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } } },
        ],
      }));
      return { kind: 'committed' };
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err; // unknown outcome: not acknowledged; object and log still agree either way
      const [object, log] = reasons;
      if (object?.Code === 'ConditionalCheckFailed') return { kind: 'conflict', current: object.Item ? kvFromObjectItem(object.Item) : undefined };
      if (log?.Code === 'ConditionalCheckFailed') return { kind: 'retry' }; // a reader voided our revision
      if (reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded')) return { kind: 'retry' };
      throw err;
    }
  }

  // ---- compaction and expiry ---------------------------------------------

  async compact(revision: number): Promise<void> {
    const meta = await this.meta();
    const target = Math.min(revision, meta.revision);
    if (target <= meta.compacted) return;
    await this.settleThrough(target, meta);
    // Mark first, delete after: a reader that finds `compacted` below its revision after reading the log read a complete log.
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.table, Key: this.keyOf(metaSk),
        UpdateExpression: 'SET #compacted = :t',
        ConditionExpression: 'attribute_exists(#rev) AND (attribute_not_exists(#compacted) OR #compacted < :t)',
        ExpressionAttributeNames: { '#compacted': 'compacted', '#rev': 'revision' },
        ExpressionAttributeValues: { ':t': { N: String(target) } },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    this.compacted = Math.max(this.compacted, target);
    const keys: Item[] = [];
    for await (const page of this.pages({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': { S: this.cluster }, ':from': { S: logPrefix }, ':to': { S: logSk(target) } },
      ProjectionExpression: '#pk, #sk',
    })) keys.push(...page.items);
    await deleteAll(this.client, this.table, keys);
  }

  /** Stamps the cluster's items with a TTL so DynamoDB deletes them once the cluster expires; later writes carry it too. */
  async expireAt(at: Date): Promise<void> {
    const expiresAt = Math.ceil(at.getTime() / 1000);
    const out = await this.client.send(new UpdateItemCommand({
      TableName: this.table, Key: this.keyOf(metaSk), UpdateExpression: 'SET #ttl = :e',
      ExpressionAttributeNames: { '#ttl': ttlAttribute }, ExpressionAttributeValues: { ':e': { N: String(expiresAt) } }, ReturnValues: 'ALL_NEW',
    }));
    this.learn(metaFromItem(out.Attributes));
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

  /** Every item of the cluster, meta last, so a drop that stops half-way never restarts revisions under live objects. */
  async drop(): Promise<void> {
    const keys: Item[] = [];
    for await (const page of this.pages({ KeyConditionExpression: '#pk = :pk', ExpressionAttributeValues: { ':pk': { S: this.cluster } }, ProjectionExpression: '#pk, #sk' })) {
      keys.push(...page.items.filter((item) => item.sk.S !== metaSk));
    }
    await deleteAll(this.client, this.table, keys);
    await deleteAll(this.client, this.table, [this.keyOf(metaSk)]);
  }
}

export class DynamoStore implements Store {
  private clusters = new Map<string, DynamoClusterStore>();
  private readonly settings: Settings;

  constructor(options: DynamoStoreOptions) {
    this.settings = { pollIntervalMs: 50, gapGraceMs: 200, ...options };
  }

  cluster(name: string): DynamoClusterStore {
    let store = this.clusters.get(name);
    if (!store) this.clusters.set(name, (store = new DynamoClusterStore(name, this.settings)));
    return store;
  }

  async dropCluster(name: string): Promise<void> {
    const store = this.cluster(name);
    this.clusters.delete(name);
    await store.drop();
  }

  /** Items of the cluster expire (DynamoDB TTL) at `at`; dropCluster stays the prompt way to delete. */
  expireCluster(name: string, at: Date): Promise<void> {
    return this.cluster(name).expireAt(at);
  }
}
