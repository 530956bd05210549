import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { DynamoStore, ensureTable } from '../src/storage/dynamodb.ts';
import {
  blobPrefix, blobSkPrefix, droppingAttribute, entryFromLogItem, kvFromObjectItem, liveAttribute, logPrefix, logSk, metaFromItem, metaSk, objectPrefix, objectSk, piecesOf, ttlAttribute, withPieces, type Item,
} from '../src/storage/dynamodbItems.ts';
import { storeFromEnv } from '../src/storage/fromEnv.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { ClusterBusyError, ClusterGoneError, CompactedError, type KeyValue, type Store, type StoreEvent, type Watcher } from '../src/storage/store.ts';
import { sharedDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { discardQueue, systemClock } from '../src/ports.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { storeContract, type FaultInjection } from './helpers/storeContract.ts';

const local = await sharedDynamoDBLocal();
after(() => local.stop());

/** A broken watch hangs rather than fails; the bound turns that into a failure. */
const bounded = { timeout: 60_000 };

/** Short waits so tests that leave holes (crashes) move on quickly; the logic is the same at any setting. */
const timing = { pollIntervalMs: 25, gapGraceMs: 100 };

/** Every item of a cluster, straight from the table. */
async function partition(client: DynamoDBClient, table: string, cluster: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await client.send(new QueryCommand({
      TableName: table, ConsistentRead: true, ExclusiveStartKey: start,
      KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: cluster } },
    }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Replays the change log and compares it with the object items: each object is
 * exactly the log's last PUT of its key, every entry's prevKv is the key's
 * previous entry, and no entry is beyond the revision counter. Values kept in
 * pieces are read back from them, and no piece is left that nothing names.
 */
async function checkConsistency(client: DynamoDBClient, table: string, cluster: string): Promise<void> {
  const items = await partition(client, table, cluster);
  const meta = metaFromItem(items.find((i) => i.sk.S === 'meta'));
  const pieces = items.filter((i) => i.sk.S!.startsWith(blobPrefix));
  const named = new Set<string>();
  const filled = (item: Item) => (['value', 'prevValue'] as const).reduce((out, name) => {
    const where = piecesOf(out, name);
    if (!where) return out;
    const prefix = blobSkPrefix(out.key.S!, where.revision);
    named.add(prefix);
    const mine = pieces.filter((p) => p.sk.S!.startsWith(prefix));
    assert.equal(mine.length, where.count, `${prefix}: pieces missing`);
    return withPieces(out, name, mine);
  }, item);
  const objects = new Map(items.filter((i) => i.sk.S!.startsWith(objectPrefix)).map((i) => { const kv = kvFromObjectItem(filled(i)); return [kv.key, kv]; }));
  const log = items.filter((i) => i.sk.S!.startsWith(logPrefix)).map((i) => entryFromLogItem(filled(i)));
  const replay = new Map<string, KeyValue>();
  for (const { revision, event } of log) {
    assert.ok(revision <= meta.revision, `log entry ${revision} is beyond the counter ${meta.revision}`);
    if (!event) continue;
    const previous = replay.get(event.kv.key);
    assert.deepEqual(event.prevKv, previous, `log entry ${revision}: prevKv is not the key's previous record`);
    if (event.type === 'PUT') replay.set(event.kv.key, event.kv); else replay.delete(event.kv.key);
  }
  assert.deepEqual(objects, replay, 'objects and log disagree');
  assert.deepEqual(pieces.map((p) => p.sk.S!).filter((sk) => ![...named].some((prefix) => sk.startsWith(prefix))), [], 'pieces nothing names');
}

/** Wraps a client so that one chosen call fails before it is sent, or after DynamoDB applied it. */
function faultyClient(real: DynamoDBClient): { client: DynamoDBClient; control: Pick<FaultInjection, 'arm' | 'disarm'> } {
  let calls: string[] | null = null;
  let fail: { at: number; when: 'before' | 'after' } | undefined;
  const client = Object.create(real) as DynamoDBClient;
  const send = async (command: Parameters<DynamoDBClient['send']>[0]) => {
    if (!calls) return real.send(command);
    const index = calls.push(command.constructor.name.replace(/Command$/, '')) - 1;
    const here = fail && fail.at === index ? fail.when : undefined;
    if (here === 'before') throw new Error(`injected crash before ${calls[index]}`);
    const out = await real.send(command);
    if (here === 'after') throw new Error(`injected crash after ${calls[index]}`);
    return out;
  };
  client.send = send as DynamoDBClient['send'];
  return {
    client,
    control: {
      arm(f) { calls = []; fail = f; },
      disarm() { const made = calls ?? []; calls = null; fail = undefined; return made; },
    },
  };
}

/**
 * A client whose calls can be held at a gate (a writer stalled between taking
 * its revision and committing) and counted (to know a reader has looked).
 */
function gatedClient(real: DynamoDBClient) {
  type Command = Parameters<DynamoDBClient['send']>[0];
  const gates: { match: (name: string, input: unknown) => boolean; when: 'before' | 'after'; reached: () => void; released: Promise<void> }[] = [];
  const counts = new Map<string, number>();
  const waiters: { name: string; n: number; resolve: () => void }[] = [];
  const client = Object.create(real) as DynamoDBClient;
  client.send = (async (command: Command) => {
    const name = command.constructor.name.replace(/Command$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const w of waiters.filter((w) => (counts.get(w.name) ?? 0) >= w.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    const gate = gates.find((g) => g.match(name, command.input));
    if (gate) gates.splice(gates.indexOf(gate), 1);
    if (gate?.when === 'before') {
      gate.reached();
      await gate.released;
    }
    const out = await real.send(command);
    if (gate?.when === 'after') {
      gate.reached();
      await gate.released;
    }
    return out;
  }) as DynamoDBClient['send'];
  return {
    client,
    /** Holds the first call that matches until release(): before it is sent, or after DynamoDB answered it. */
    hold(match: (name: string, input: unknown) => boolean, when: 'before' | 'after' = 'before') {
      let reached!: () => void, release!: () => void;
      const gate = { match, when, reached: () => reached(), released: new Promise<void>((r) => (release = r)) };
      const hit = new Promise<void>((r) => (reached = r));
      gates.push(gate);
      return { reached: hit, release };
    },
    /** How many calls named `name` were made so far. */
    count: (name: string) => counts.get(name) ?? 0,
    /** Resolves once `more` further calls named `name` were made. */
    calls(name: string, more: number): Promise<void> {
      return new Promise((resolve) => waiters.push({ name, n: (counts.get(name) ?? 0) + more, resolve }));
    },
  };
}

/** Matches the transaction that commits a write of `key`. */
const transactionOf = (key: string) => (name: string, input: unknown) =>
  name === 'TransactWriteItems' && (input as { TransactItems: { Put?: { Item: Item } }[] }).TransactItems[1].Put?.Item.key?.S === key;

async function openDynamoStore() {
  const client = local.client();
  const table = `contract-${randomBytes(6).toString('hex')}`;
  await ensureTable(client, table);
  const { client: faulty, control } = faultyClient(client);
  const restart = (): Store => new DynamoStore({ client, table, ...timing });
  return {
    client, table,
    store: new DynamoStore({ client: faulty, table, ...timing }) as Store,
    faults: { ...control, restart, checkConsistency: (cluster: string) => checkConsistency(client, table, cluster) },
    async close() {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    },
  };
}

storeContract('dynamodb (DynamoDB Local)', openDynamoStore);

describe('dynamodb store specifics', () => {
  it('keeps the store consistent after the contract operations', bounded, async () => {
    const opened = await openDynamoStore();
    try {
      await opened.store.createCluster('c');
      const s = opened.store.cluster('c');
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => s.create(`/registry/c/x/${i % 10}`, `v${i}`)));
      assert.equal(results.filter((r) => r.ok).length, 10);
      for (let i = 0; i < 10; i++) {
        const kv = (await s.get(`/registry/c/x/${i}`))!;
        if (i % 2) await s.delete(kv.key, kv.modRevision); else await s.update(kv.key, `u${i}`, kv.modRevision);
      }
      await opened.faults.checkConsistency('c');
    } finally {
      await opened.close();
    }
  });

  it('a value kept in pieces is written once per revision, and its pieces go once nothing names them (compaction); a refused write writes none', bounded, async () => {
    const opened = await openDynamoStore();
    try {
      await opened.store.createCluster('c');
      const s = opened.store.cluster('c');
      const big = (tag: string) => JSON.stringify({ tag, pad: randomBytes(600 * 1024).toString('base64') });
      const blobs = async () => (await partition(opened.client, opened.table, 'c')).filter((i) => i.sk.S!.startsWith(blobPrefix)).map((i) => i.sk.S!.slice(0, -3));
      const a = await s.create('/registry/c/x/a', big('1'));
      assert.ok(a.ok);
      const a2 = await s.update(a.kv.key, big('2'), a.kv.modRevision);
      assert.ok(a2.ok);
      assert.equal((await s.update(a.kv.key, big('lost'), a.kv.modRevision)).ok, false);
      assert.deepEqual(new Set(await blobs()), new Set([blobSkPrefix(a.kv.key, a.kv.modRevision), blobSkPrefix(a.kv.key, a2.kv.modRevision)]), 'the refused write wrote no pieces');
      await opened.faults.checkConsistency('c');
      await s.compact(await s.currentRevision());
      assert.deepEqual(new Set(await blobs()), new Set([blobSkPrefix(a.kv.key, a2.kv.modRevision)]), 'only the current value\'s pieces are left');
      assert.equal((await s.get(a.kv.key))?.value, a2.kv.value);
      await s.delete(a.kv.key);
      await s.compact(await s.currentRevision());
      assert.deepEqual(await blobs(), []);
    } finally {
      await opened.close();
    }
  });

  it('a reader voids a revision whose write never landed, so a late commit of it is impossible', bounded, async () => {
    const opened = await openDynamoStore();
    try {
      await opened.store.createCluster('c');
      const s = opened.store.cluster('c');
      const a = await s.create('/registry/c/a', 'a');
      assert.ok(a.ok);
      // A writer takes a revision and then stalls before its transaction.
      opened.faults.arm({ at: 1, when: 'before' });
      await assert.rejects(s.create('/registry/c/stalled', 'x'), /injected crash before TransactWriteItems/);
      opened.faults.disarm();
      const b = await s.create('/registry/c/b', 'b');
      assert.ok(b.ok);
      const listed = await opened.faults.restart().cluster('c').list('/registry/c/');
      assert.deepEqual(listed.items.map((kv) => kv.key), ['/registry/c/a', '/registry/c/b']);
      assert.equal(listed.revision, b.kv.modRevision);
      // The stalled write's revision now holds a VOID marker, so its transaction (which needs log#R absent) would fail.
      const hole = b.kv.modRevision - 1;
      const { Item: marker } = await opened.client.send(new GetItemCommand({
        TableName: opened.table, Key: { pk: { S: 'c' }, sk: { S: logSk(hole) } }, ConsistentRead: true,
      }));
      assert.equal(marker?.type?.S, 'VOID');
      const events: string[] = [];
      const watcher = opened.faults.restart().cluster('c').watch('/registry/c/', 0);
      for await (const e of watcher) { events.push(e.kv.key); if (events.length === 2) break; }
      assert.deepEqual(events, ['/registry/c/a', '/registry/c/b']);
      await opened.faults.checkConsistency('c');
    } finally {
      await opened.close();
    }
  });

  it('stamps items with expiresAt for DynamoDB TTL once a cluster has an expiry', bounded, async () => {
    const client = local.client();
    const table = `ttl-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    await ensureTable(client, table); // idempotent
    try {
      const store = new DynamoStore({ client, table, ...timing });
      await store.createCluster('student');
      const s = store.cluster('student');
      const early = await s.create('/registry/student/a', 'a');
      assert.ok(early.ok);
      const at = new Date(Date.UTC(2030, 0, 1));
      await store.expireCluster('student', at);
      const late = await s.create('/registry/student/b', 'b');
      assert.ok(late.ok);
      const items = await partition(client, table, 'student');
      assert.ok(items.length >= 4);
      for (const item of items) assert.equal(item.expiresAt?.N, String(at.getTime() / 1000), `${item.sk.S} has no TTL`);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    }
  });

  it('a provisioned cluster\'s items all carry its TTL, each written with it', bounded, async () => {
    const client = local.client();
    const table = `prov-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    try {
      // Stamping an item after it was written is an UpdateItem that sets the TTL attribute: count them.
      let stampedAfter = 0;
      const counting = Object.create(client) as DynamoDBClient;
      counting.send = ((command: Parameters<DynamoDBClient['send']>[0]) => {
        const input = command.input as { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };
        if (command.constructor.name === 'UpdateItemCommand' && Object.values(input.ExpressionAttributeNames ?? {}).includes(ttlAttribute) && !input.UpdateExpression?.includes('#rev')) stampedAfter++;
        return client.send(command);
      }) as DynamoDBClient['send'];
      const store = new DynamoStore({ client: counting, table, ...timing });
      const ports = { store, queue: discardQueue, clock: systemClock, keys: hmacKeys('k'.repeat(32)) };
      const expiresAt = new Date(Date.UTC(2031, 5, 1));
      await provisionInStore(ports, new Catalog(resources), {
        name: 'p', uid: randomUUID(), createdAt: new Date().toISOString(), expiresAt: expiresAt.toISOString(), nodes: ['controlplane', 'node01'], kubernetesVersion,
      });
      const items = await partition(client, table, 'p');
      assert.ok(items.length > 100, `only ${items.length} items`);
      for (const item of items) assert.equal(item.expiresAt?.N, String(expiresAt.getTime() / 1000), `${item.sk.S} has no TTL`);
      assert.ok(stampedAfter <= 1, `${stampedAfter} items were stamped after they were written`);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    }
  });

  it('concurrent creates share counter updates and transactions, each with its own revision and outcome', bounded, async () => {
    const client = local.client();
    const table = `group-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    try {
      const counted = gatedClient(client);
      const store = new DynamoStore({ client: counted.client, table, ...timing });
      await store.createCluster('g');
      const s = store.cluster('g');
      assert.ok((await s.create('/registry/g/taken', 'first')).ok);
      let transactions = 0;
      const transactionsCounted = counted.client.send.bind(counted.client);
      counted.client.send = ((command: Parameters<DynamoDBClient['send']>[0]) => {
        if (command.constructor.name === 'TransactWriteItemsCommand') transactions++;
        return transactionsCounted(command);
      }) as DynamoDBClient['send'];
      // 60 creates at once: one key already taken, one asked for twice.
      const keys = [...Array.from({ length: 57 }, (_, i) => `/registry/g/k${i}`), '/registry/g/taken', '/registry/g/twice', '/registry/g/twice'];
      const results = await Promise.all(keys.map((k) => s.create(k, `v-${k}`)));
      assert.ok(transactions < keys.length / 2, `${transactions} transactions for ${keys.length} creates: they were not grouped`);
      const refused = results.map((r, i) => (r.ok ? null : keys[i])).filter((k) => k !== null);
      assert.deepEqual(refused, ['/registry/g/taken', '/registry/g/twice'], 'only the taken key and the second of the pair are refused');
      const revisions = results.flatMap((r) => (r.ok ? [r.kv.modRevision] : []));
      assert.equal(new Set(revisions).size, revisions.length, 'each create has its own revision');
      for (const [i, r] of results.entries()) if (r.ok) assert.equal((await s.get(keys[i]))?.value, `v-${keys[i]}`);
      await checkConsistency(client, table, 'g');
    } finally {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    }
  });

  it('infra/dynamodb.yaml declares the table ensureTable creates', bounded, async () => {
    const template = parse(readFileSync(new URL('../infra/dynamodb.yaml', import.meta.url), 'utf8')) as {
      Resources: { StoreTable: { Properties: { BillingMode: string; KeySchema: unknown[]; AttributeDefinitions: unknown[]; TimeToLiveSpecification: { AttributeName: string; Enabled: boolean } } } };
    };
    const declared = template.Resources.StoreTable.Properties;
    const client = local.client();
    const table = `infra-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
      assert.deepEqual(Table!.KeySchema, declared.KeySchema);
      assert.deepEqual(Table!.AttributeDefinitions, declared.AttributeDefinitions);
      assert.equal(Table!.BillingModeSummary?.BillingMode, declared.BillingMode);
      assert.equal(TimeToLiveDescription!.AttributeName, declared.TimeToLiveSpecification.AttributeName);
      assert.ok(declared.TimeToLiveSpecification.Enabled);
      assert.equal(declared.TimeToLiveSpecification.AttributeName, ttlAttribute);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    }
  });

  it('STORE=dynamodb with DYNAMODB_ENDPOINT gives a working store on a table it creates', bounded, async () => {
    const table = `env-${randomBytes(6).toString('hex')}`;
    const store = await storeFromEnv({ STORE: 'dynamodb', DYNAMODB_ENDPOINT: local.endpoint, DYNAMODB_TABLE: table });
    assert.ok(store instanceof DynamoStore);
    await store.createCluster('c');
    const created = await store.cluster('c').create('/registry/c/k', 'v');
    assert.ok(created.ok);
    assert.equal((await store.cluster('c').get('/registry/c/k'))?.value, 'v');
    assert.ok((await storeFromEnv({})) instanceof MemoryStore);
    await assert.rejects(storeFromEnv({ STORE: 'etcd' }), /STORE must be/);
    await assert.rejects(storeFromEnv({ STORE: 'dynamodb', DYNAMODB_TABLE: 'x', DYNAMODB_ENDPOINT: local.endpoint }), /not a DynamoDB table name/);
    const client = local.client();
    await client.send(new DeleteTableCommand({ TableName: table }));
    client.destroy();
  });

  it('stores large values compressed and reads them back intact', bounded, async () => {
    const opened = await openDynamoStore();
    try {
      await opened.store.createCluster('c');
      const s = opened.store.cluster('c');
      const big = JSON.stringify({ data: 'x'.repeat(300_000), more: Array.from({ length: 2000 }, (_, i) => `line ${i}`) });
      const created = await s.create('/registry/c/big', big);
      assert.ok(created.ok);
      const updated = await s.update('/registry/c/big', big + ' ', created.kv.modRevision);
      assert.ok(updated.ok, 'a log entry holding a value and its previous value fits');
      assert.equal((await s.get('/registry/c/big'))!.value, big + ' ');
      const events = [];
      for await (const e of s.watch('/registry/c/', 0)) { events.push(e); if (events.length === 2) break; }
      assert.equal(events[1].prevKv!.value, big);
      await opened.faults.checkConsistency('c');
    } finally {
      await opened.close();
    }
  });
});

describe('dynamodb store: concurrency between readers, writers and processes', () => {
  async function fixture() {
    const client = local.client();
    const table = `order-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    const writer = gatedClient(client);
    const reader = gatedClient(client);
    await new DynamoStore({ client, table }).createCluster('c');
    return {
      client, table, writer, reader,
      writes: new DynamoStore({ client: writer.client, table, ...timing }).cluster('c'),
      /** A reader in another process; `patient` readers never void a hole. */
      reads: (gapGraceMs: number) => new DynamoStore({ client: reader.client, table, pollIntervalMs: 25, gapGraceMs }).cluster('c'),
      async close() { await client.send(new DeleteTableCommand({ TableName: table })); client.destroy(); },
    };
  }

  it('a list that no write overtook reads the meta item, the objects and the meta item again; one that a write overtook also reads the log, and answers the state at its revision', bounded, async () => {
    const f = await fixture();
    try {
      for (const name of ['a', 'b', 'c']) assert.ok((await f.writes.create(`/registry/c/x/${name}`, name)).ok);
      const reads = f.reads(timing.gapGraceMs);
      const asked = () => ({ get: f.reader.count('GetItem'), query: f.reader.count('Query') });
      await reads.list('/registry/c/x/'); // the first read after writes makes their revisions final (settleThrough), once
      let before = asked();
      const quiet = await reads.list('/registry/c/x/');
      assert.deepEqual(quiet.items.map((kv) => kv.value), ['a', 'b', 'c']);
      // No log read: nothing was written after the revision it read at.
      assert.deepEqual({ get: asked().get - before.get, query: asked().query - before.query }, { get: 2, query: 1 });

      // A write and a delete land while the objects are being read (the reader holds DynamoDB's answer).
      const b = (await reads.get('/registry/c/x/b'))!;
      const c = (await reads.get('/registry/c/x/c'))!;
      const objectsRead = f.reader.hold((name, input) => name === 'Query' && JSON.stringify(input).includes('"obj#/registry/c/x/"'), 'after');
      before = asked();
      const overtaken = reads.list('/registry/c/x/');
      await objectsRead.reached;
      assert.ok((await f.writes.update(b.key, 'b2', b.modRevision)).ok);
      assert.ok((await f.writes.delete(c.key, c.modRevision)).ok);
      objectsRead.release();
      const listed = await overtaken;
      assert.deepEqual(listed.items.map((kv) => kv.value), ['a', 'b', 'c'], 'the state at the revision the list read at');
      assert.equal(listed.revision, quiet.revision);
      assert.deepEqual({ get: asked().get - before.get, query: asked().query - before.query }, { get: 3, query: 2 }, 'the objects, the meta item, the log, the meta item');
      const after = await reads.list('/registry/c/x/');
      assert.deepEqual(after.items.map((kv) => kv.value), ['a', 'b2']);
    } finally {
      await f.close();
    }
  });

  it('listMany reads the revision once and every prefix at once; overtaken by writes, it answers each prefix as of its revision', bounded, async () => {
    const f = await fixture();
    try {
      for (const key of ['x/a', 'x/b', 'y/a', 'z/a']) assert.ok((await f.writes.create(`/registry/c/${key}`, key)).ok);
      const reads = f.reads(timing.gapGraceMs);
      const prefixes = ['/registry/c/x/', '/registry/c/y/', '/registry/c/none/'];
      await reads.list('/registry/c/'); // makes the writes' revisions final (settleThrough), once
      const asked = () => ({ get: f.reader.count('GetItem'), query: f.reader.count('Query') });
      let before = asked();
      const quiet = await reads.listMany!(prefixes);
      assert.deepEqual(quiet.map((r) => r.items.map((kv) => kv.value)), [['x/a', 'x/b'], ['y/a'], []]);
      assert.deepEqual({ get: asked().get - before.get, query: asked().query - before.query }, { get: 2, query: 3 }, 'the revision twice, a query per prefix');
      const revision = quiet[0].revision;
      assert.ok(quiet.every((r) => r.revision === revision && !r.more));

      // Writes under two of the prefixes land while the first prefix's objects are read.
      const xb = (await reads.get('/registry/c/x/b'))!;
      const objectsRead = f.reader.hold((name, input) => name === 'Query' && JSON.stringify(input).includes('"obj#/registry/c/x/"'), 'after');
      before = asked();
      const overtaken = reads.listMany!(prefixes);
      await objectsRead.reached;
      assert.ok((await f.writes.delete(xb.key, xb.modRevision)).ok);
      assert.ok((await f.writes.create('/registry/c/y/b', 'y/b')).ok);
      objectsRead.release();
      const lists = await overtaken;
      assert.deepEqual(lists.map((r) => r.items.map((kv) => kv.value)), [['x/a', 'x/b'], ['y/a'], []], 'each prefix as of the revision read');
      assert.deepEqual(lists.map((r) => r.revision), [revision, revision, revision]);
      assert.deepEqual({ get: asked().get - before.get, query: asked().query - before.query }, { get: 3, query: 4 }, 'and one log read for all');
      assert.deepEqual((await reads.listMany!(prefixes)).map((r) => r.items.map((kv) => kv.value)), [['x/a'], ['y/a', 'y/b'], []]);
    } finally {
      await f.close();
    }
  });

  it('a watcher that already saw a later revision still gets a write that commits late, in order', bounded, async () => {
    const f = await fixture();
    try {
      const watcher = f.reads(60_000).watch('/registry/c/', 0);
      const stalled = f.writer.hold(transactionOf('/registry/c/late'));
      const late = f.writes.create('/registry/c/late', 'late');
      await stalled.reached;
      const early = await f.writes.create('/registry/c/early', 'early');
      assert.ok(early.ok);
      await f.reader.calls('Query', 3); // the watcher has polled past `early` and found the hole
      stalled.release();
      const landed = await late;
      assert.ok(landed.ok && landed.kv.modRevision < early.kv.modRevision);
      const end = await f.writes.create('/registry/c/end', 'end');
      assert.ok(end.ok);
      const events = await (async () => {
        const seen: string[] = [];
        for await (const e of watcher) { seen.push(`${e.kv.key.slice(12)}@${e.kv.modRevision}`); if (e.kv.key.endsWith('/end')) break; }
        return seen;
      })();
      assert.deepEqual(events, [`late@${landed.kv.modRevision}`, `early@${early.kv.modRevision}`, `end@${end.kv.modRevision}`]);
      await checkConsistency(f.client, f.table, 'c');
    } finally {
      await f.close();
    }
  });

  it('a write stalled past the grace period loses its revision to a VOID marker and commits at a new one', bounded, async () => {
    const f = await fixture();
    try {
      const watcher = f.reads(timing.gapGraceMs).watch('/registry/c/', 0);
      const stalled = f.writer.hold(transactionOf('/registry/c/late'));
      const late = f.writes.create('/registry/c/late', 'late');
      await stalled.reached;
      const early = await f.writes.create('/registry/c/early', 'early');
      assert.ok(early.ok);
      const hole = early.kv.modRevision - 1;
      for (let i = 0; ; i++) {
        const { Item } = await f.client.send(new GetItemCommand({ TableName: f.table, Key: { pk: { S: 'c' }, sk: { S: logSk(hole) } }, ConsistentRead: true }));
        if (Item?.type?.S === 'VOID') break;
        assert.ok(i < 400, 'the watcher never voided the hole');
        await new Promise((r) => setTimeout(r, 25));
      }
      stalled.release();
      const landed = await late;
      assert.ok(landed.ok, 'the caller does not notice: the write is retried');
      assert.ok(landed.kv.modRevision > early.kv.modRevision, 'it commits at a revision after the void');
      const events: number[] = [];
      for await (const e of watcher) { events.push(e.kv.modRevision); if (e.kv.key.endsWith('/late')) break; }
      assert.deepEqual(events, [early.kv.modRevision, landed.kv.modRevision]);
      await checkConsistency(f.client, f.table, 'c');
    } finally {
      await f.close();
    }
  });

  it('a read never joins one that was sent before it was asked (no stale read after an acknowledged write)', bounded, async () => {
    const f = await fixture();
    try {
      const before = await f.writes.create('/registry/c/k', 'v1');
      assert.ok(before.ok);
      const reads = f.reads(60_000);
      const slow = f.reader.hold((name) => name === 'GetItem', 'after');
      const first = reads.get('/registry/c/k');
      await slow.reached; // the first read has the old value and is on its way back
      const written = await f.writes.update('/registry/c/k', 'v2', before.kv.modRevision);
      assert.ok(written.ok);
      const second = reads.get('/registry/c/k'); // asked after the write was acknowledged
      slow.release();
      assert.equal((await first)?.value, 'v1');
      assert.equal((await second)?.value, 'v2');
    } finally {
      await f.close();
    }
  });

  it('readers waiting on a key while this process writes it are answered by the committed write', bounded, async () => {
    const f = await fixture();
    try {
      const v1 = await f.writes.create('/registry/c/k', 'v1');
      assert.ok(v1.ok);
      const slow = f.writer.hold((name) => name === 'GetItem', 'after');
      const first = f.writes.get('/registry/c/k');
      await slow.reached; // a read with the old value is on its way back
      const waiting = f.writes.get('/registry/c/k'); // must not take that old answer
      const v2 = await f.writes.update('/registry/c/k', 'v2', v1.kv.modRevision);
      assert.ok(v2.ok);
      assert.deepEqual(await waiting, v2.kv, 'answered by the write, while the older read is still held');
      slow.release();
      assert.equal((await first)?.value, 'v1');
    } finally {
      await f.close();
    }
  });

  it('a list at a revision that gets compacted while it reads fails with CompactedError rather than a wrong answer', bounded, async () => {
    const f = await fixture();
    try {
      const v1 = await f.writes.create('/registry/c/k', 'v1');
      assert.ok(v1.ok);
      const v2 = await f.writes.update('/registry/c/k', 'v2', v1.kv.modRevision);
      assert.ok(v2.ok);
      const logRead = f.reader.hold((name, input) => name === 'Query' && !!(input as { FilterExpression?: string }).FilterExpression);
      const listing = f.reads(60_000).list('/registry/c/', { revision: v1.kv.modRevision });
      await logRead.reached; // objects read; the log of later changes is next
      await f.writes.compact(v2.kv.modRevision);
      logRead.release();
      await assert.rejects(listing, CompactedError);
    } finally {
      await f.close();
    }
  });

  it('a list waits for a write in flight below its revision, so it never reports a revision it does not contain', bounded, async () => {
    const f = await fixture();
    try {
      const stalled = f.writer.hold(transactionOf('/registry/c/late'));
      const late = f.writes.create('/registry/c/late', 'late');
      await stalled.reached;
      const early = await f.writes.create('/registry/c/early', 'early');
      assert.ok(early.ok);
      const looked = f.reader.calls('Query', 1);
      const listing = f.reads(60_000).list('/registry/c/');
      await looked; // the list is checking which revisions are still missing
      stalled.release();
      const [listed, landed] = await Promise.all([listing, late]);
      assert.ok(landed.ok);
      assert.ok(listed.revision >= early.kv.modRevision);
      assert.deepEqual(listed.items.map((kv) => kv.key), ['/registry/c/early', '/registry/c/late']);
    } finally {
      await f.close();
    }
  });
});

describe('dynamodb store: cluster lifecycle across processes', () => {
  async function tableFixture() {
    const client = local.client();
    const table = `life-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    return { client, table, async close() { await client.send(new DeleteTableCommand({ TableName: table })); client.destroy(); } };
  }

  /** Events until the watch ends by itself; the error it ended with, if any. */
  async function untilEnded(watcher: Watcher): Promise<{ events: StoreEvent[]; error?: unknown }> {
    const events: StoreEvent[] = [];
    try {
      for await (const e of watcher) events.push(e);
    } catch (error) {
      return { events, error };
    }
    return { events };
  }

  it('a restore in A fences off B\'s writes: each lands before it (and is replaced) or after it (and stays), or is refused as busy; B\'s watch ends compacted', bounded, async () => {
    const { client, table, close } = await tableFixture();
    try {
      const a = new DynamoStore({ client, table, ...timing, liveCheckMs: 100 }), b = new DynamoStore({ client, table, ...timing, liveCheckMs: 100 });
      await a.createCluster('c');
      const prefix = '/registry/c/core/configmaps/default/';
      const seed = await a.cluster('c').create(`${prefix}seed`, 'old');
      const watch = untilEnded(b.cluster('c').watch(prefix, seed.ok ? seed.kv.modRevision : 0));
      const acknowledged: KeyValue[] = [];
      const refusals: unknown[] = [];
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          try {
            const result = await b.cluster('c').create(`${prefix}b-${i}`, `v${i}`);
            if (result.ok) acknowledged.push(result.kv);
          } catch (err) {
            refusals.push(err);
            await new Promise((r) => setTimeout(r, 5));
          }
        }
      })();
      while (acknowledged.length < 5) await new Promise((r) => setTimeout(r, 5));
      const records = Array.from({ length: 60 }, (_, i) => ({ key: `${prefix}r-${String(i).padStart(2, '0')}`, value: `restored ${i}` }));
      const revision = await a.cluster('c').restore(records, []);
      const after = acknowledged.length;
      while (acknowledged.length < after + 5) await new Promise((r) => setTimeout(r, 5));
      stop = true;
      await writer;
      assert.deepEqual(refusals.filter((e) => !(e instanceof ClusterBusyError)), [], 'a write is only ever refused as busy');
      const expected = new Map(records.map((r) => [r.key, r.value]));
      for (const kv of acknowledged) {
        assert.notEqual(kv.modRevision, revision, 'no write shares the restore\'s revision');
        if (kv.modRevision > revision) expected.set(kv.key, kv.value);
      }
      const now = await a.cluster('c').list(prefix);
      assert.deepEqual(new Map(now.items.map((kv) => [kv.key, kv.value])), expected, 'the restored records plus every write acknowledged after the restore, nothing from before');
      const ended = await watch;
      assert.ok(ended.error instanceof CompactedError, `B's watch ends with CompactedError, got ${String(ended.error)}`);
      assert.ok(ended.events.every((e) => e.kv.modRevision < revision));
    } finally {
      await close();
    }
  });

  it('while a drop is under way (the cluster tombstoned, its items going), a read that misses says the cluster is gone, not that the object is missing', bounded, async () => {
    const f = await tableFixture();
    try {
      const a = new DynamoStore({ client: f.client, table: f.table, ...timing });
      await a.createCluster('c');
      assert.ok((await a.cluster('c').create('/registry/c/core/namespaces/default', '{}')).ok);
      // The drop's first step (dynamodb.ts drop()), as another process would be in the middle of it:
      // the meta item tombstoned; the namespace's item already deleted by a batch.
      await f.client.send(new UpdateItemCommand({
        TableName: f.table, Key: { pk: { S: 'c' }, sk: { S: metaSk } },
        UpdateExpression: 'SET #dropping = :now REMOVE #live', ExpressionAttributeNames: { '#dropping': droppingAttribute, '#live': liveAttribute },
        ExpressionAttributeValues: { ':now': { N: String(Date.now()) } },
      }));
      await f.client.send(new DeleteItemCommand({ TableName: f.table, Key: { pk: { S: 'c' }, sk: { S: objectSk('/registry/c/core/namespaces/default') } } }));
      // A request that found the cluster's record a moment before reads the namespace through a fresh instance:
      // a 404 for the namespace would be an answer from a cluster that is going.
      const fresh = new DynamoStore({ client: f.client, table: f.table, ...timing }).cluster('c');
      await assert.rejects(fresh.get('/registry/c/core/namespaces/default'), ClusterGoneError);
      // A cluster that was never created still reads as empty.
      assert.equal(await new DynamoStore({ client: f.client, table: f.table, ...timing }).cluster('never').get('/registry/never/x'), null);
    } finally {
      await f.close();
    }
  });

  it('B\'s watch ends when A drops and re-creates the cluster, without any of the new cluster\'s objects; B\'s instances cannot write into it', bounded, async () => {
    const f = await tableFixture();
    try {
      const a = new DynamoStore({ client: f.client, table: f.table, ...timing });
      // B never reads the meta item on its own schedule: only what its watch reads in the log can tell it.
      const b = new DynamoStore({ client: f.client, table: f.table, ...timing, liveCheckMs: 10 * 60_000 });
      await a.createCluster('c');
      for (let i = 0; i < 3; i++) assert.ok((await a.cluster('c').create(`/registry/c/old-${i}`, 'old')).ok);
      const bc = b.cluster('c');
      const mine = await bc.create('/registry/c/from-b', 'b');
      assert.ok(mine.ok);
      const watcher = bc.watch('/registry/c/', 0);
      const caughtUp = watcher[Symbol.asyncIterator]();
      for (let i = 0; i < 4; i++) assert.equal((await caughtUp.next()).done, false);
      // Another instance of B's that has learned the incarnation (by a read), with no watch.
      const b2 = new DynamoStore({ client: f.client, table: f.table, ...timing }).cluster('c');
      assert.equal(await b2.currentRevision(), mine.kv.modRevision);

      await a.dropCluster('c');
      await a.createCluster('c');
      const fresh: KeyValue[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await a.cluster('c').create(`/registry/c/new-${i}`, 'new');
        assert.ok(r.ok);
        fresh.push(r.kv);
      }
      assert.ok(fresh[fresh.length - 1].modRevision > mine.kv.modRevision, 'the new cluster\'s revisions passed B\'s cursor');

      const ended = await untilEnded(watcher);
      assert.deepEqual(ended.events.map((e) => e.kv.key), [], 'B\'s watch delivered the new cluster\'s objects');
      assert.ok(ended.error instanceof ClusterGoneError, `B's watch ended with ${ended.error}`);
      await assert.rejects(bc.create('/registry/c/late', 'late'), ClusterGoneError);
      await assert.rejects(b2.create('/registry/c/late', 'late'), ClusterGoneError, 'an instance that knew the old cluster cannot take a revision of the new one');
      await assert.rejects(b2.update(fresh[0].key, 'late', fresh[0].modRevision), ClusterGoneError);
      assert.equal(await a.cluster('c').get('/registry/c/late'), null);
      assert.equal(await a.cluster('c').currentRevision(), fresh[fresh.length - 1].modRevision, 'the refused writes took no revision');
      assert.deepEqual((await a.cluster('c').list('/registry/c/')).items, fresh);

      // B's store forgot the dead instance: asking again serves the new cluster.
      assert.notEqual(b.cluster('c'), bc);
      const later = await b.cluster('c').create('/registry/c/from-b-again', 'b');
      assert.ok(later.ok);
      const replay: string[] = [];
      for await (const e of b.cluster('c').watch('/registry/c/', 0)) { replay.push(e.kv.key); if (replay.length === fresh.length + 1) break; }
      assert.deepEqual(replay, [...fresh.map((kv) => kv.key), '/registry/c/from-b-again']);
      await checkConsistency(f.client, f.table, 'c');
    } finally {
      await f.close();
    }
  });

  it('a watch in another process ends within about liveCheckMs of a drop, and the drop leaves nothing behind', bounded, async () => {
    const f = await tableFixture();
    try {
      const a = new DynamoStore({ client: f.client, table: f.table, ...timing });
      const b = new DynamoStore({ client: f.client, table: f.table, ...timing, liveCheckMs: 300 });
      await a.createCluster('c');
      for (let i = 0; i < 40; i++) assert.ok((await a.cluster('c').create(`/registry/c/k-${i}`, 'v')).ok);
      const bc = b.cluster('c');
      const watcher = bc.watch('/registry/c/', await bc.currentRevision());
      await a.dropCluster('c');
      const droppedAt = Date.now();
      const ended = await untilEnded(watcher);
      assert.ok(ended.error instanceof ClusterGoneError, `the watch ended with ${ended.error}`);
      assert.ok(Date.now() - droppedAt < 5_000, `the watch took ${Date.now() - droppedAt} ms to end`);
      await assert.rejects(bc.create('/registry/c/late', 'late'), ClusterGoneError);
      await assert.rejects(b.cluster('c').create('/registry/c/late', 'late'), ClusterGoneError);
      assert.deepEqual(await partition(f.client, f.table, 'c'), [], 'every item is gone, and refused writes created none');
    } finally {
      await f.close();
    }
  });

  it('a name nobody created keeps no state, whatever is asked of it', bounded, async () => {
    const f = await tableFixture();
    try {
      const store = new DynamoStore({ client: f.client, table: f.table, ...timing });
      const s = store.cluster('ghost');
      assert.equal(await s.get('/registry/ghost/a'), null);
      assert.deepEqual(await s.list('/registry/ghost/'), { items: [], revision: 0, more: false });
      assert.equal(await s.count('/'), 0);
      assert.equal(await s.currentRevision(), 0);
      assert.deepEqual(await s.usage(), { objects: 0, bytes: 0 });
      await s.compact(5);
      await store.expireCluster('ghost', new Date(Date.UTC(2030, 0, 1)));
      const watcher = store.cluster('ghost').watch('/registry/ghost/', 0);
      await assert.rejects(watcher[Symbol.asyncIterator]().next(), ClusterGoneError);
      await assert.rejects(store.cluster('ghost').create('/registry/ghost/a', 'v'), ClusterGoneError);
      await assert.rejects(store.cluster('ghost').delete('/registry/ghost/a'), ClusterGoneError);
      await store.dropCluster('ghost');
      assert.deepEqual(await partition(f.client, f.table, 'ghost'), []);
    } finally {
      await f.close();
    }
  });

  it('a drop cut off half-way leaves a tombstone that takes no writes; createCluster finishes the drop first', bounded, async () => {
    const opened = await openDynamoStore();
    try {
      await opened.store.createCluster('c');
      const s = opened.store.cluster('c');
      for (let i = 0; i < 30; i++) assert.ok((await s.create(`/registry/c/k-${i}`, `v${i}`)).ok);
      opened.faults.arm({ at: 1, when: 'after' }); // the tombstone is in place, the deletes have not begun
      await assert.rejects(opened.store.dropCluster('c'), /injected crash/);
      opened.faults.disarm();
      assert.ok((await partition(opened.client, opened.table, 'c')).length > 30, 'the objects are still there');
      const other = opened.faults.restart();
      await assert.rejects(other.cluster('c').create('/registry/c/late', 'late'), ClusterGoneError, 'no revision is handed out under the tombstone');
      assert.deepEqual((await other.cluster('c').list('/registry/c/')).items, []);
      assert.equal(await other.cluster('c').currentRevision(), 0);

      await other.createCluster('c');
      const items = await partition(opened.client, opened.table, 'c');
      assert.deepEqual(items.map((i) => i.sk.S), ['meta'], 'the drop was finished before the cluster was created');
      const first = await other.cluster('c').create('/registry/c/k-0', 'new');
      assert.ok(first.ok && first.kv.createRevision === 1);
      assert.deepEqual((await other.cluster('c').list('/registry/c/')).items, [first.kv]);
    } finally {
      await opened.close();
    }
  });

  it('a write holding a revision when the drop begins cannot commit after it', bounded, async () => {
    const f = await tableFixture();
    try {
      const writer = gatedClient(f.client);
      const dropper = gatedClient(f.client);
      await new DynamoStore({ client: f.client, table: f.table }).createCluster('c');
      const w = new DynamoStore({ client: writer.client, table: f.table, ...timing }).cluster('c');
      assert.ok((await w.create('/registry/c/a', 'a')).ok);
      const stalled = writer.hold(transactionOf('/registry/c/late'));
      const late = w.create('/registry/c/late', 'late');
      await stalled.reached; // it has its revision; its transaction is not sent yet
      // Hold the drop once it has tombstoned and voided, before it lists what to delete.
      const listing = dropper.hold((name, input) => name === 'Query' && !(input as { KeyConditionExpression: string }).KeyConditionExpression.includes('BETWEEN'));
      const drop = new DynamoStore({ client: dropper.client, table: f.table, ...timing }).dropCluster('c');
      await listing.reached;
      stalled.release();
      await assert.rejects(late, ClusterGoneError);
      listing.release();
      await drop;
      assert.deepEqual(await partition(f.client, f.table, 'c'), []);
    } finally {
      await f.close();
    }
  });
});
