import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ClusterGoneError, CompactedError, FutureRevisionError,
  type ClusterStore, type KeyValue, type Store, type StoreEvent, type Usage, type Watcher, type WriteResult,
} from '../../src/storage/store.ts';

/**
 * The Store contract (etcd semantics, see src/storage/store.ts), run against
 * every backend. Each test opens a fresh store.
 */

/** A backend whose writes take several storage steps can have a crash injected between any two. */
export interface FaultInjection {
  /** Starts counting storage calls; with `fail`, call number `at` (0-based) fails before it reaches storage or after it took effect. */
  arm(fail?: { at: number; when: 'before' | 'after' }): void;
  /** Stops counting and failing; returns the names of the calls made while armed. */
  disarm(): string[];
  /** A new store over the same storage with nothing carried over from the "crashed" one. */
  restart(): Store;
  /** Throws unless the cluster's stored objects and change log agree. */
  checkConsistency(cluster: string): Promise<void>;
}

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
  faults?: FaultInjection;
  /** The byte bound of the backend's change log, where the log lives in the server's memory or storage (not DynamoDB's). */
  logBytes?: number;
}

const registry = (cluster: string) => `/registry/${cluster}/`;
const value = (n: number | string) => JSON.stringify({ n });

function ok(result: WriteResult): KeyValue {
  assert.ok(result.ok, `expected the write to succeed, got current=${JSON.stringify(result.ok ? null : result.current)}`);
  return result.kv;
}

/** Events until `stop` says so (the watcher is closed after). */
async function collect(watcher: Watcher, stop: (events: StoreEvent[]) => boolean): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  if (stop(events)) { watcher.close(); return events; }
  for await (const event of watcher) {
    events.push(event);
    if (stop(events)) break;
  }
  return events;
}

/** A backend may refuse a compacted watch at once or on the first read: both are CompactedError. */
async function assertWatchCompacted(start: () => Watcher): Promise<void> {
  let watcher: Watcher;
  try {
    watcher = start();
  } catch (err) {
    assert.ok(err instanceof CompactedError, `expected CompactedError, got ${err}`);
    return;
  }
  const iterator = watcher[Symbol.asyncIterator]();
  await assert.rejects(iterator.next(), CompactedError);
  watcher.close();
}

/** Watches of a cluster that does not exist fail with ClusterGoneError, at once or on the first read. */
async function assertWatchGone(start: () => Watcher): Promise<void> {
  let watcher: Watcher;
  try {
    watcher = start();
  } catch (err) {
    assert.ok(err instanceof ClusterGoneError, `expected ClusterGoneError, got ${err}`);
    return;
  }
  await assert.rejects(watcher[Symbol.asyncIterator]().next(), ClusterGoneError);
  watcher.close();
}

/** Every event until the watch ends by itself, which it must do by returning or by failing with ClusterGoneError. */
async function untilEnded(watcher: Watcher): Promise<StoreEvent[]> {
  const events: StoreEvent[] = [];
  try {
    for await (const event of watcher) events.push(event);
  } catch (err) {
    assert.ok(err instanceof ClusterGoneError, `a watch of a dropped cluster ended with ${err}, not ClusterGoneError`);
  }
  return events;
}

/** What a cluster that does not exist shows to reads: nothing. */
async function assertEmpty(s: ClusterStore, key: string): Promise<void> {
  assert.equal(await s.get(key), null);
  assert.deepEqual((await s.list('/')).items, []);
  assert.equal(await s.count('/'), 0);
  assert.equal(await s.currentRevision(), 0);
  assert.deepEqual(await s.usage(), { objects: 0, bytes: 0 });
}

/** Usage counted independently of the store: UTF-8 bytes of key and value. */
function usageOf(records: KeyValue[]): Usage {
  return { objects: records.length, bytes: records.reduce((n, kv) => n + Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value), 0) };
}

/** A broken watch hangs rather than fails; the bound turns that into a failure. */
const bounded = { timeout: 60_000 };

const increasing = (revisions: number[]) => revisions.every((r, i) => i === 0 || r > revisions[i - 1]);

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  /** A fresh store for one test, closed whatever happens. */
  async function withStore(run: (store: Store, opened: OpenedStore) => Promise<void>): Promise<void> {
    const opened = await open();
    try {
      await run(opened.store, opened);
    } finally {
      await opened.close();
    }
  }

  describe(`store contract: ${name}`, () => {
    it('creates, reads, updates and deletes records with per-write revisions', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const key = `${registry('c1')}core/configmaps/default/a`;
      assert.equal(await s.get(key), null);
      const created = ok(await s.create(key, value(1)));
      assert.equal(created.key, key);
      assert.equal(created.value, value(1));
      assert.ok(created.modRevision > 0);
      assert.equal(created.createRevision, created.modRevision);
      assert.equal(await s.currentRevision(), created.modRevision);
      assert.deepEqual(await s.get(key), created);

      const updated = ok(await s.update(key, value(2), created.modRevision));
      assert.ok(updated.modRevision > created.modRevision);
      assert.equal(updated.createRevision, created.createRevision);
      assert.deepEqual(await s.get(key), updated);

      const deleted = ok(await s.delete(key));
      assert.ok(deleted.modRevision > updated.modRevision, 'a delete takes a revision of its own');
      assert.equal(deleted.value, value(2), 'the delete result is the deleted record');
      assert.equal(await s.get(key), null);
      assert.equal(await s.currentRevision(), deleted.modRevision);
      const again = await s.delete(key);
      assert.deepEqual(again, { ok: false, current: null });
    }));

    it('create succeeds only if the key is absent, also under concurrency', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const key = `${registry('c1')}core/pods/default/p`;
      const first = ok(await s.create(key, value('first')));
      const second = await s.create(key, value('second'));
      assert.equal(second.ok, false);
      assert.deepEqual(!second.ok && second.current, first);

      const racy = `${registry('c1')}core/pods/default/racy`;
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => s.create(racy, value(i))));
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, 'exactly one concurrent create wins');
      const winner = ok(winners[0]);
      for (const r of results) if (!r.ok) assert.deepEqual(r.current, winner);
      assert.deepEqual(await s.get(racy), winner);
    }));

    it('update is compare-and-swap on the revision', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const key = `${registry('c1')}core/configmaps/default/cas`;
      const v1 = ok(await s.create(key, value(1)));
      const v2 = ok(await s.update(key, value(2), v1.modRevision));
      const stale = await s.update(key, value(3), v1.modRevision);
      assert.deepEqual(stale, { ok: false, current: v2 }, 'a stale revision loses and reports the current record');
      assert.deepEqual(await s.update(`${key}-absent`, value(1), v1.modRevision), { ok: false, current: null });

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.update(key, value(`racer-${i}`), v2.modRevision)));
      assert.equal(results.filter((r) => r.ok).length, 1, 'exactly one concurrent update of one revision wins');
      const winner = ok(results.find((r) => r.ok)!);
      assert.deepEqual(await s.get(key), winner);
    }));

    it('delete honours an expected revision', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const key = `${registry('c1')}core/secrets/default/d`;
      const v1 = ok(await s.create(key, value(1)));
      const v2 = ok(await s.update(key, value(2), v1.modRevision));
      assert.deepEqual(await s.delete(key, v1.modRevision), { ok: false, current: v2 });
      assert.deepEqual(await s.get(key), v2, 'a failed delete changes nothing');
      const deleted = ok(await s.delete(key, v2.modRevision));
      assert.equal(deleted.value, value(2));
      assert.deepEqual(await s.delete(key, deleted.modRevision), { ok: false, current: null });
    }));

    it('counts keys under a prefix', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const pods = `${registry('c1')}core/pods/`;
      for (const ns of ['a', 'b']) for (let i = 0; i < 4; i++) ok(await s.create(`${pods}${ns}/p${i}`, value(i)));
      ok(await s.create(`${registry('c1')}core/podtemplates/a/t`, value(0)));
      assert.equal(await s.count(pods), 8);
      assert.equal(await s.count(`${pods}a/`), 4);
      ok(await s.delete(`${pods}a/p0`));
      assert.equal(await s.count(`${pods}a/`), 3);
      assert.equal(await s.count(`${pods}zzz/`), 0);
    }));

    it('lists a prefix in key order with limit and startAfter at one consistent revision', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}core/configmaps/ns/`;
      const keys = Array.from({ length: 10 }, (_, i) => `${prefix}cm-${String(i).padStart(2, '0')}`);
      for (const key of [...keys].reverse()) ok(await s.create(key, value(key)));
      ok(await s.create(`${registry('c1')}core/configmaps/ns2/outside`, value(0)));
      ok(await s.create(`${registry('c1')}core/configmaps/nsx`, value(0)));

      const all = await s.list(prefix);
      assert.deepEqual(all.items.map((kv) => kv.key), keys);
      assert.equal(all.more, false);
      assert.equal(all.revision, await s.currentRevision());

      const first = await s.list(prefix, { limit: 4 });
      assert.deepEqual(first.items.map((kv) => kv.key), keys.slice(0, 4));
      assert.equal(first.more, true);
      // Writes after the first page must not show in later pages read at its revision.
      ok(await s.create(`${prefix}cm-05a`, value('new')));
      ok(await s.delete(keys[6]));
      const cm7 = (await s.get(keys[7]))!;
      ok(await s.update(keys[7], value('changed'), cm7.modRevision));

      const pages = [...first.items];
      let last = first;
      while (last.more) {
        last = await s.list(prefix, { limit: 4, startAfter: pages[pages.length - 1].key, revision: first.revision });
        assert.equal(last.revision, first.revision);
        pages.push(...last.items);
      }
      assert.deepEqual(pages.map((kv) => kv.key), keys);
      assert.deepEqual(pages.map((kv) => kv.value), all.items.map((kv) => kv.value));

      const now = await s.list(prefix);
      assert.deepEqual(now.items.map((kv) => kv.key), [...keys.slice(0, 6), `${prefix}cm-05a`, ...keys.slice(7)].sort());
      assert.equal(now.items.find((kv) => kv.key === keys[7])!.value, value('changed'));
      assert.ok(now.revision > first.revision);

      assert.deepEqual((await s.list(prefix, { startAfter: keys[8] })).items.map((kv) => kv.key), [keys[9]]);
      assert.deepEqual((await s.list(prefix, { startAfter: `${prefix}zzz` })).items, []);
      assert.deepEqual((await s.list(`${prefix}nothing/`)).items, []);
    }));

    it('lists at a past revision, and refuses a future one', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}apps/deployments/`;
      const a = ok(await s.create(`${prefix}d/a`, value('a1')));
      const b = ok(await s.create(`${prefix}d/b`, value('b1')));
      const c = ok(await s.create(`${prefix}d/c`, value('c1')));
      const past = await s.list(prefix);
      ok(await s.update(a.key, value('a2'), a.modRevision));
      ok(await s.delete(b.key));
      ok(await s.create(`${prefix}d/b`, value('b-again')));
      ok(await s.create(`${prefix}d/bb`, value('bb')));
      for (let i = 0; i < 5; i++) ok(await s.create(`${prefix}d/b${i}`, value(i)));
      ok(await s.delete(c.key, c.modRevision));

      const then = await s.list(prefix, { revision: past.revision });
      assert.equal(then.revision, past.revision);
      assert.deepEqual(then.items, [a, b, c]);
      const firstPage = await s.list(prefix, { revision: past.revision, limit: 2 });
      assert.deepEqual(firstPage.items, [a, b]);
      assert.equal(firstPage.more, true);
      const secondPage = await s.list(prefix, { revision: past.revision, limit: 2, startAfter: b.key });
      assert.deepEqual(secondPage.items, [c]);
      assert.equal(secondPage.more, false);
      const middle = await s.list(prefix, { revision: b.modRevision });
      assert.deepEqual(middle.items, [a, b]);

      const current = await s.currentRevision();
      await assert.rejects(s.list(prefix, { revision: current + 10 }), FutureRevisionError);
    }));

    it('watches from a revision: every committed write once, in order, deletes with prevKv', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}core/pods/default/`;
      const before = ok(await s.create(`${prefix}old`, value('old')));
      const from = await s.currentRevision();
      const watcher = s.watch(prefix, from);
      const history = s.watch(prefix, before.modRevision - 1);

      const a = ok(await s.create(`${prefix}a`, value(1)));
      ok(await s.create(`${registry('c1')}core/pods/other/x`, value('outside')));
      const a2 = ok(await s.update(a.key, value(2), a.modRevision));
      const gone = ok(await s.delete(a.key, a2.modRevision));
      const old2 = ok(await s.update(before.key, value('old2'), before.modRevision));
      const sentinel = ok(await s.create(`${prefix}zz-sentinel`, value('end')));
      const done = (events: StoreEvent[]) => events.some((e) => e.kv.key === sentinel.key);

      const events = await collect(watcher, done);
      assert.deepEqual(events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [
        ['PUT', a.key, a.modRevision], ['PUT', a.key, a2.modRevision], ['DELETE', a.key, gone.modRevision],
        ['PUT', before.key, old2.modRevision], ['PUT', sentinel.key, sentinel.modRevision],
      ]);
      assert.equal(events[0].prevKv, undefined, 'a create has no previous record');
      assert.deepEqual(events[1].prevKv, a);
      assert.deepEqual(events[1].kv, a2);
      assert.deepEqual(events[2].prevKv, a2, 'a delete carries the deleted record');
      assert.equal(events[2].kv.value, value(2));
      assert.deepEqual(events[3].prevKv, before);

      const replay = await collect(history, done);
      assert.deepEqual(replay.map((e) => e.kv.modRevision), [before.modRevision, ...events.map((e) => e.kv.modRevision)]);
    }));

    it('a watch sees 200 concurrent writers as 200 distinct, increasing revisions', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}core/configmaps/load/`;
      const watcher = s.watch(prefix, await s.currentRevision());
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => s.create(`${prefix}cm-${i}`, value(i))));
      const written = new Map(results.map((r) => { const kv = ok(r); return [kv.key, kv.modRevision] as const; }));
      const sentinel = ok(await s.create(`${prefix}zz-sentinel`, value('end')));
      const events = (await collect(watcher, (e) => e.some((x) => x.kv.key === sentinel.key))).slice(0, -1);
      const revisions = events.map((e) => e.kv.modRevision);
      assert.ok(increasing(revisions), 'revisions arrive in increasing order');
      assert.equal(new Set(revisions).size, 200);
      assert.equal(new Set(events.map((e) => e.kv.key)).size, 200);
      for (const e of events) assert.equal(e.kv.modRevision, written.get(e.kv.key), 'each event carries its write\'s revision');
      const listed = await s.list(prefix);
      assert.equal(listed.items.length, 201, 'the 200 and the sentinel');
    }));

    it('compaction: older revisions answer CompactedError, newer ones still work', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}core/events/`;
      const first = ok(await s.create(`${prefix}e1`, value(1)));
      const second = ok(await s.update(first.key, value(2), first.modRevision));
      const third = ok(await s.create(`${prefix}e2`, value(3)));
      const keep = second.modRevision;
      await s.compact(keep);
      await assert.rejects(s.list(prefix, { revision: first.modRevision }), CompactedError);
      await assertWatchCompacted(() => s.watch(prefix, first.modRevision));
      assert.deepEqual((await s.list(prefix, { revision: keep })).items, [second]);
      const watcher = s.watch(prefix, keep);
      const events = await collect(watcher, (e) => e.length >= 1);
      assert.deepEqual(events.map((e) => e.kv), [third]);
      assert.deepEqual((await s.list(prefix)).items, [second, third]);
      await s.compact(first.modRevision); // compacting backwards is a no-op
      await assert.rejects(s.list(prefix, { revision: first.modRevision }), CompactedError);
    }));

    it('changes: the retained log in pages, as watch delivers it, without following', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const prefix = `${registry('c1')}core/configmaps/default/`;
      const a = ok(await s.create(`${prefix}a`, value(1)));
      const a2 = ok(await s.update(a.key, value(2), a.modRevision));
      const b = ok(await s.create(`${prefix}b`, value(3)));
      const gone = ok(await s.delete(a.key));
      const first = await s.changes(0, 2);
      assert.deepEqual(first.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['PUT', a.key, a.modRevision], ['PUT', a.key, a2.modRevision]]);
      assert.equal(first.more, true);
      assert.equal(first.revision, a2.modRevision);
      assert.deepEqual(first.events[1].prevKv, a);
      const rest = await s.changes(first.revision, 10);
      assert.deepEqual(rest.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]), [['PUT', b.key, b.modRevision], ['DELETE', a.key, gone.modRevision]]);
      assert.equal(rest.events[1].kv.value, value(2), "a deletion carries the object's last value");
      assert.equal(rest.more, false);
      assert.equal(rest.revision, await s.currentRevision());
      await s.compact(a2.modRevision);
      const compacted = await s.changes(0, 10);
      assert.equal(compacted.compacted, a2.modRevision);
      assert.deepEqual(compacted.events.map((e) => e.kv.modRevision), [b.modRevision, gone.modRevision]);
    }));

    it('restore replaces the content at one new revision, keeps the kept keys, compacts the log and ends watches', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const own = `${registry('c1')}apiserverless.dev/`;
      const pods = `${registry('c1')}core/pods/default/`;
      const record = ok(await s.create(`${own}clusters/c1`, value('record')));
      const old = ok(await s.create(`${pods}old`, value(1)));
      const kept = ok(await s.update(old.key, value(2), old.modRevision));
      const before = await s.currentRevision();
      const watcher = s.watch(pods, before);
      // The watch is seen open (it delivers a write) before the restore, so the restore ends a watch
      // in flight, not one that opens after it (that one is refused at open, checked below).
      let delivered!: () => void;
      const open = new Promise<void>((resolve) => (delivered = resolve));
      const ended = (async () => { try { for await (const _ of watcher) delivered(); return 'closed'; } catch (err) { return err; } })();
      await s.create(`${pods}seen`, value('seen'));
      await open;
      const restored = await s.restore([{ key: `${pods}a`, value: value('a') }, { key: kept.key, value: value('b') }], [own]);
      assert.ok(restored > before, 'the restore takes a revision after every earlier one');
      assert.equal(await s.currentRevision(), restored);
      assert.deepEqual((await s.list(registry('c1'))).items, [
        { key: `${own}clusters/c1`, value: value('record'), createRevision: record.createRevision, modRevision: record.modRevision },
        { key: `${pods}a`, value: value('a'), createRevision: restored, modRevision: restored },
        { key: kept.key, value: value('b'), createRevision: restored, modRevision: restored },
      ]);
      assert.deepEqual(await s.usage(), usageOf((await s.list(registry('c1'))).items));
      const end = await ended;
      assert.ok(end instanceof CompactedError, `an open watch ends with CompactedError, got ${String(end)}`);
      await assertWatchCompacted(() => s.watch(pods, before));
      await assert.rejects(s.list(pods, { revision: before }), CompactedError);
      assert.deepEqual((await s.changes(0, 10)).events, [], 'the log starts after the restore');
      // The restored cluster goes on: a compare-and-swap on the restored revision, a watch from it.
      const from = s.watch(pods, restored);
      const next = ok(await s.update(`${pods}a`, value('a2'), restored));
      assert.ok(next.modRevision > restored);
      assert.deepEqual((await collect(from, (e) => e.length >= 1)).map((e) => [e.type, e.kv, e.prevKv?.value]), [['PUT', next, value('a')]]);
      assert.equal((await s.update(kept.key, value('x'), kept.modRevision)).ok, false, 'a revision from before the restore matches nothing');
    }));

    it('clusters have independent revisions and never see each other\'s keys', bounded, () => withStore(async (store) => {
      await store.createCluster('alpha');
      const a = store.cluster('alpha');
      await store.createCluster('beta');
      const b = store.cluster('beta');
      const seen = { alpha: [] as number[], beta: [] as number[] };
      for (let i = 0; i < 6; i++) {
        seen.alpha.push(ok(await a.create(`${registry('alpha')}core/pods/default/p${i}`, value(i))).modRevision);
        if (i % 2) seen.beta.push(ok(await b.create(`${registry('beta')}core/pods/default/p${i}`, value(i))).modRevision);
      }
      assert.ok(increasing(seen.alpha) && increasing(seen.beta));
      assert.equal(await b.currentRevision(), seen.beta[seen.beta.length - 1], 'beta\'s revision counts only its own writes');
      assert.ok(await b.currentRevision() < await a.currentRevision());
      assert.deepEqual((await b.list('/')).items.map((kv) => kv.key), [1, 3, 5].map((i) => `${registry('beta')}core/pods/default/p${i}`));
      assert.deepEqual((await b.list(registry('alpha'))).items, []);
      assert.equal(await b.get(`${registry('alpha')}core/pods/default/p0`), null);
      assert.equal(await b.count('/'), 3);
    }));

    it('dropCluster removes every key, log entry and revision of one cluster', bounded, () => withStore(async (store) => {
      await store.createCluster('doomed');
      const doomed = store.cluster('doomed');
      await store.createCluster('kept');
      const kept = store.cluster('kept');
      const prefix = registry('doomed');
      for (let i = 0; i < 30; i++) ok(await doomed.create(`${prefix}core/pods/default/p${i}`, value(i)));
      const survivor = ok(await kept.create(`${registry('kept')}core/pods/default/p`, value('kept')));
      await store.dropCluster('doomed');
      await store.dropCluster('doomed');
      await assertEmpty(store.cluster('doomed'), `${prefix}core/pods/default/p0`);
      await store.createCluster('doomed');
      const fresh = store.cluster('doomed');
      await assertEmpty(fresh, `${prefix}core/pods/default/p0`);
      const reborn = ok(await fresh.create(`${prefix}core/pods/default/p0`, value('new')));
      assert.equal(reborn.createRevision, 1, 'revisions start again');
      const replay = await collect(fresh.watch('/', 0), (e) => e.length >= 1);
      assert.deepEqual(replay.map((e) => e.kv), [reborn], 'no log entry of the old cluster survives');
      assert.deepEqual(await kept.get(survivor.key), survivor);
    }));

    it('a cluster nobody created: reads find nothing, writes and watches fail with ClusterGoneError', bounded, () => withStore(async (store) => {
      const key = `${registry('ghost')}core/configmaps/default/a`;
      await assertEmpty(store.cluster('ghost'), key);
      await assert.rejects(store.cluster('ghost').create(key, value(1)), ClusterGoneError);
      await assert.rejects(store.cluster('ghost').update(key, value(1), 1), ClusterGoneError);
      await assert.rejects(store.cluster('ghost').delete(key), ClusterGoneError);
      await assertWatchGone(() => store.cluster('ghost').watch(registry('ghost'), 0));
      await assertEmpty(store.cluster('ghost'), key);
      await store.dropCluster('ghost'); // dropping what does not exist is a no-op
      await assertEmpty(store.cluster('ghost'), key);

      await store.createCluster('ghost');
      await store.createCluster('ghost'); // a no-op once it exists
      const kv = ok(await store.cluster('ghost').create(key, value(1)));
      await store.createCluster('ghost');
      assert.deepEqual(await store.cluster('ghost').get(key), kv, 'createCluster of an existing cluster keeps its content');
    }));

    it('after dropCluster, instances from before it fail, their watches end, and fresh ones find nothing', bounded, () => withStore(async (store) => {
      await store.createCluster('doomed');
      const before = store.cluster('doomed');
      const prefix = registry('doomed');
      const a = ok(await before.create(`${prefix}core/configmaps/default/a`, value('a')));
      const watcher = before.watch(prefix, a.modRevision);
      const next = watcher[Symbol.asyncIterator]().next().then((result) => ({ result, error: undefined }), (error: unknown) => ({ result: undefined, error }));
      await store.dropCluster('doomed');
      const { result, error } = await next;
      if (error) assert.ok(error instanceof ClusterGoneError, `the watch of a dropped cluster failed with ${error}`);
      else assert.equal(result!.done, true, `the watch of a dropped cluster delivered ${JSON.stringify(result!.value)}`);
      await assert.rejects(before.create(`${prefix}core/configmaps/default/b`, value('b')), ClusterGoneError);
      await assert.rejects(before.update(a.key, value('a2'), a.modRevision), ClusterGoneError);
      await assert.rejects(before.delete(a.key), ClusterGoneError);
      await assertWatchGone(() => before.watch(prefix, 0));
      const fresh = store.cluster('doomed');
      await assertEmpty(fresh, a.key);
      await assert.rejects(fresh.create(a.key, value('again')), ClusterGoneError, 'a dropped cluster takes no writes until created again');
      await assertEmpty(store.cluster('doomed'), a.key);
    }));

    it('a cluster created again after a drop starts empty, and instances of the old one cannot write into it', bounded, () => withStore(async (store) => {
      await store.createCluster('phoenix');
      const old = store.cluster('phoenix');
      const prefix = registry('phoenix');
      const written: KeyValue[] = [];
      for (let i = 0; i < 5; i++) written.push(ok(await old.create(`${prefix}core/pods/default/old-${i}`, value(i))));
      const oldWatch = old.watch(prefix, written[1].modRevision);
      await store.dropCluster('phoenix');
      await store.createCluster('phoenix');
      await assert.rejects(old.create(`${prefix}core/pods/default/late`, value('late')), ClusterGoneError);
      await assert.rejects(old.update(written[0].key, value('late'), written[0].modRevision), ClusterGoneError);
      await assert.rejects(old.delete(written[0].key), ClusterGoneError);

      const reborn = store.cluster('phoenix');
      await assertEmpty(reborn, written[0].key);
      const fresh: KeyValue[] = [];
      // Enough writes that the new cluster's revisions pass where the old watch stood.
      for (let i = 0; i < 10; i++) fresh.push(ok(await reborn.create(`${prefix}core/pods/default/new-${i}`, value(i))));
      assert.equal(fresh[0].createRevision, 1, 'revisions start again');
      await assert.rejects(old.create(`${prefix}core/pods/default/late`, value('late')), ClusterGoneError, 'still not, once the new cluster has writes');

      const seenByOld = await untilEnded(oldWatch);
      assert.deepEqual(seenByOld.filter((e) => !written.some((kv) => kv.key === e.kv.key)).map((e) => e.kv.key), [],
        'the old watch delivered objects of the new cluster');
      assert.equal(await reborn.get(`${prefix}core/pods/default/late`), null);
      assert.deepEqual((await reborn.list(prefix)).items, fresh);
      assert.deepEqual(await reborn.usage(), usageOf(fresh));
      const replay = await collect(reborn.watch(prefix, 0), (e) => e.length >= fresh.length);
      assert.deepEqual(replay.map((e) => e.kv), fresh);
    }));

    it('the change log is bounded by bytes: a few huge values cannot pin history (older revisions compact)', bounded, async (t) => {
      const opened = await open();
      try {
        if (!opened.logBytes) { t.skip('this backend keeps its change log outside the server'); return; }
        await opened.store.createCluster('c1');
        const s = opened.store.cluster('c1');
        const key = `${registry('c1')}core/configmaps/default/big`;
        const big = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(1024 * 1024) });
        let kv = ok(await s.create(key, big(0)));
        const first = kv.modRevision;
        // Each update's log entry holds its value and the one it replaced: ~2 MiB.
        const writes = Math.ceil(opened.logBytes / (2 * 1024 * 1024)) + 4;
        for (let i = 1; i <= writes; i++) kv = ok(await s.update(key, big(i), kv.modRevision));
        await assert.rejects(s.list(registry('c1'), { revision: first }), CompactedError, 'the oldest revisions were compacted');
        // Thrown by watch() itself, or by the first next() on a remote backend.
        await assert.rejects(async () => { await s.watch(registry('c1'), first)[Symbol.asyncIterator]().next(); }, CompactedError);
        // The newest history is still there: a watch from the previous revision gets the last write.
        const [last] = await collect(s.watch(registry('c1'), kv.modRevision - 1), (e) => e.length >= 1);
        assert.equal(last.kv.modRevision, kv.modRevision);
      } finally {
        await opened.close();
      }
    });

    it('values of several megabytes (an operator\'s CRD) are kept whole: written, replaced, read at a past revision, watched, counted', bounded, () => withStore(async (store, opened) => {
      await store.createCluster('huge');
      const s = store.cluster('huge');
      const prefix = `${registry('huge')}apiextensions.k8s.io/customresourcedefinitions/`;
      // Incompressible, with multi-byte characters wherever a value may be cut into pieces.
      const huge = (tag: string, mib: number) => {
        const parts: string[] = [];
        for (let length = 0; length < mib * 1024 * 1024; length += 4096 + 4) parts.push(randomBytes(3 * 1024).toString('base64'), 'é🚀中');
        return JSON.stringify({ tag, schema: parts.join('') });
      };
      // Under the memory store's 8 MiB log bound, for the read at a past revision.
      const first = huge('v1', 2.5), second = huge('v2', 2.2), small = value('small');
      const watcher = s.watch(prefix, await s.currentRevision());
      const a = ok(await s.create(`${prefix}a`, first));
      const b = ok(await s.create(`${prefix}b`, small));
      assert.equal((await s.get(a.key))?.value, first);
      const a2 = ok(await s.update(a.key, second, a.modRevision));
      const b2 = ok(await s.update(b.key, huge('v3', 0.6), b.modRevision));
      assert.deepEqual(await s.get(a.key), a2);
      assert.deepEqual((await s.list(prefix)).items, [a2, b2]);
      assert.deepEqual((await s.list(prefix, { revision: b.modRevision })).items, [a, b], 'the past, from the log');
      assert.deepEqual(await s.usage(), usageOf([a2, b2]));
      const gone = ok(await s.delete(a.key, a2.modRevision));
      const b3 = ok(await s.update(b.key, small, b2.modRevision));
      assert.deepEqual(await s.usage(), usageOf([b3]));
      const events = await collect(watcher, (e) => e.length >= 6);
      assert.deepEqual(events.map((e) => [e.type, e.kv.value === first ? 'first' : e.kv.value === second ? 'second' : e.kv.value === b2.value ? 'b2' : e.kv.value === small ? 'small' : 'other', e.prevKv?.modRevision]),
        [['PUT', 'first', undefined], ['PUT', 'small', undefined], ['PUT', 'second', a.modRevision], ['PUT', 'b2', b.modRevision], ['DELETE', 'second', a2.modRevision], ['PUT', 'small', b2.modRevision]]);
      assert.equal(events[2].prevKv?.value, first);
      assert.equal(events[4].prevKv?.value, second);
      assert.equal(gone.value, second);
      // The newest entries (a log bound may have dropped the first ones by now), read as history reads them.
      const page = await s.changes(b2.modRevision - 1, 10);
      assert.deepEqual(page.events, events.slice(3));
      // Each value is its own: a re-created key starts from nothing of the old one's.
      const a3 = ok(await s.create(a.key, small));
      assert.deepEqual((await s.list(prefix)).items, [a3, b3]);
      await opened.faults?.checkConsistency('huge');
    }));

    it('usage counts the objects under the cluster and their bytes (key and value, UTF-8), exactly', bounded, () => withStore(async (store) => {
      await store.createCluster('metered');
      await store.createCluster('other');
      const s = store.cluster('metered');
      const prefix = `${registry('metered')}core/configmaps/default/`;
      assert.deepEqual(await s.usage(), { objects: 0, bytes: 0 });
      const records = new Map<string, KeyValue>();
      const put = (kv: KeyValue) => records.set(kv.key, kv);
      put(ok(await s.create(`${prefix}ascii`, value('plain'))));
      put(ok(await s.create(`${prefix}accents-é`, value('été, naïve, Ω'))));
      put(ok(await s.create(`${prefix}emoji`, value('🚀🚀 and 中文'))));
      put(ok(await s.create(`${prefix}big`, value('x'.repeat(20_000) + 'é'.repeat(5_000)))));
      ok(await store.cluster('other').create(`${registry('other')}core/configmaps/default/x`, value('not counted')));
      assert.deepEqual(await s.usage(), usageOf([...records.values()]));

      const accents = records.get(`${prefix}accents-é`)!;
      put(ok(await s.update(accents.key, value('longer: ' + 'ü'.repeat(100)), accents.modRevision)));
      const big = records.get(`${prefix}big`)!;
      put(ok(await s.update(big.key, value('small now'), big.modRevision)));
      ok(await s.delete(`${prefix}emoji`));
      records.delete(`${prefix}emoji`);
      assert.deepEqual(await s.usage(), usageOf([...records.values()]));
      ok(await s.delete(`${prefix}ascii`));
      records.delete(`${prefix}ascii`);
      assert.equal((await s.create(accents.key, value('exists'))).ok, false);
      assert.deepEqual(await s.usage(), usageOf([...records.values()]), 'failed writes change nothing');
    }));

    it('a successful update or delete reports the record it replaced (prevKv)', bounded, () => withStore(async (store) => {
      await store.createCluster('c1');
      const s = store.cluster('c1');
      const key = `${registry('c1')}core/configmaps/default/prev`;
      const created = await s.create(key, value(1));
      assert.ok(created.ok);
      assert.equal(created.prevKv, undefined, 'a create replaces nothing');
      const updated = await s.update(key, value(2), created.kv.modRevision);
      assert.ok(updated.ok);
      assert.deepEqual(updated.prevKv, created.kv);
      const deleted = await s.delete(key);
      assert.ok(deleted.ok);
      assert.deepEqual(deleted.prevKv, updated.kv);
      assert.equal(deleted.kv.value, value(2));
      const again = ok(await s.create(key, value(3)));
      const guarded = await s.delete(key, again.modRevision);
      assert.ok(guarded.ok);
      assert.deepEqual(guarded.prevKv, again);
    }));

    it('a crash between any two storage steps leaves object and log agreeing and loses no acknowledged write', bounded, async (t) => {
      const probe = await open();
      const hasFaults = !!probe.faults;
      await probe.close();
      if (!hasFaults) { t.skip('this backend commits a write in one step'); return; }
      await crashMatrix(open);
    });
  });
}

type Op = 'create' | 'update' | 'delete' | 'create-existing' | 'update-stale';
const ops: Op[] = ['create', 'update', 'delete', 'create-existing', 'update-stale'];

/** The record `k` before the operation, and the operation itself. */
async function prepare(s: ClusterStore, prefix: string): Promise<KeyValue> {
  ok(await s.create(`${prefix}a`, value('a')));
  return ok(await s.create(`${prefix}k`, value('k1')));
}

function runOp(s: ClusterStore, op: Op, k: KeyValue, prefix: string): Promise<WriteResult> {
  switch (op) {
    case 'create': return s.create(`${prefix}n`, value('n'));
    case 'update': return s.update(k.key, value('k2'), k.modRevision);
    case 'delete': return s.delete(k.key);
    case 'create-existing': return s.create(k.key, value('dup'));
    case 'update-stale': return s.update(k.key, value('stale'), k.modRevision - 1);
  }
}

/** For each operation, each storage call it makes, and before/after that call: crash there and check what is left. */
async function crashMatrix(open: () => Promise<OpenedStore>): Promise<void> {
  const opened = await open();
  const faults = opened.faults!;
  try {
    for (const op of ops) {
      const traceCluster = `trace-${op}`;
      await opened.store.createCluster(traceCluster);
      const s = opened.store.cluster(traceCluster);
      const k = await prepare(s, registry(traceCluster));
      faults.arm();
      await runOp(s, op, k, registry(traceCluster));
      const calls = faults.disarm();
      assert.ok(calls.length > 0);
      for (let at = 0; at < calls.length; at++) {
        for (const when of ['before', 'after'] as const) {
          await crashAt(opened, faults, op, at, when, calls[at]);
        }
      }
    }
  } finally {
    await opened.close();
  }
}

async function crashAt(opened: OpenedStore, faults: FaultInjection, op: Op, at: number, when: 'before' | 'after', call: string): Promise<void> {
  const cluster = `crash-${op}-${at}-${when}`;
  const where = `${op}: crash ${when} call ${at} (${call})`;
  const prefix = registry(cluster);
  await opened.store.createCluster(cluster);
  const s = opened.store.cluster(cluster);
  const k = await prepare(s, prefix);
  // Another process watches from the start; it must see every committed write, in order.
  const observer = faults.restart().cluster(cluster);
  const watcher = observer.watch(prefix, 0);

  faults.arm({ at, when });
  let result: WriteResult | undefined;
  try {
    result = await runOp(s, op, k, prefix);
  } catch {
    result = undefined; // crashed: not acknowledged
  } finally {
    faults.disarm();
  }

  // The process is gone; a new one carries on and must be able to write and read.
  const next = faults.restart().cluster(cluster);
  const after = ok(await next.create(`${prefix}z`, value('after')));
  await faults.checkConsistency(cluster);

  const state = new Map((await next.list(prefix)).items.map((kv) => [kv.key.slice(prefix.length), kv.value]));
  assert.equal(state.get('a'), value('a'), `${where}: an acknowledged write was lost`);
  assert.equal(state.get('z'), value('after'), `${where}: the write after the crash is missing`);
  const applied = op === 'create' ? state.get('n') === value('n')
    : op === 'update' ? state.get('k') === value('k2')
      : op === 'delete' ? !state.has('k') : false;
  if (result?.ok) assert.ok(applied, `${where}: an acknowledged write is not visible`);
  if (result && !result.ok) assert.ok(!applied, `${where}: a refused write took effect`);
  if (!applied) assert.equal(state.get('k'), value('k1'), `${where}: a failed write changed the record`);

  const events = await collect(watcher, (e) => e.some((x) => x.kv.key === after.key));
  const revisions = events.map((e) => e.kv.modRevision);
  assert.ok(increasing(revisions), `${where}: events out of order: ${revisions}`);
  const opEvents = events.filter((e) => e.kv.modRevision > k.modRevision && e.kv.key !== after.key);
  assert.equal(opEvents.length, applied ? 1 : 0, `${where}: the watch and the objects disagree about the write`);
  assert.deepEqual(events.map((e) => e.kv.key.slice(prefix.length)).slice(0, 2), ['a', 'k']);
}
