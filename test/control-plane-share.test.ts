import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlPlaneShare } from '../src/tenancy/controlPlaneShare.ts';
import { pacedStore } from '../src/storage/paced.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { startControlPlane } from './helpers/controlplane.ts';
import { onSharedLoop } from '../src/controlplane/index.ts';
import { discardQueue, systemClock } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { Registry } from '../src/registry/generic.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';

/** A share on a hand-moved clock; its waits move the clock and are recorded per cluster. */
function shareOnFakeClock(options: { share: number; burstMs: number; maxStepMs?: number }) {
  const clock = { now: 0 };
  const waits: Array<{ ms: number }> = [];
  const share = new ControlPlaneShare({
    ...options, now: () => clock.now,
    sleep: async (ms) => { waits.push({ ms }); clock.now += ms; },
  });
  return { share, clock, waits };
}

describe('each cluster’s control plane gets a share of the shared loop (tenancy/controlPlaneShare.ts)', () => {
  it('is charged the time between its steps, not the time its store operations take, and runs freely within its burst', async () => {
    const { share, clock, waits } = shareOnFakeClock({ share: 0.1, burstMs: 20 });
    await share.step('alice');
    clock.now += 5; // 5 ms of work before its first operation
    await share.step('alice');
    clock.now += 100; // the operation waits 100 ms on a remote store: not the loop's work
    share.resumed('alice');
    clock.now += 3;
    await share.step('alice');
    // 8 ms charged, 108 ms of refill at a tenth (capped at the burst): still full.
    assert.equal(share.creditOf('alice'), 20);
    assert.deepEqual(waits, []);
  });

  it('past its burst its next step waits out the debt at its share, and another cluster does not wait', async () => {
    const { share, clock, waits } = shareOnFakeClock({ share: 0.1, burstMs: 20 });
    await share.step('attacker');
    clock.now += 30; // 30 ms of work in one stretch: 10 ms past the burst (3 ms refilled meanwhile)
    await share.step('attacker');
    assert.equal(waits.length, 1);
    assert.ok(Math.abs(waits[0].ms - 70) < 1e-9, `7 ms of debt at a tenth of the loop is 70 ms of waiting, got ${waits[0].ms}`);
    await share.step('victim');
    clock.now += 2;
    await share.step('victim');
    assert.equal(waits.length, 1, 'the victim’s control plane never waits for the attacker’s debt');
  });

  it('a pass that ends is charged up to its end, and the quiet time after it is not charged', async () => {
    const { share, clock } = shareOnFakeClock({ share: 0.5, burstMs: 100 });
    await share.step('alice');
    clock.now += 10;
    share.idle('alice');
    const afterPass = share.creditOf('alice');
    assert.equal(afterPass, 95, '10 ms charged, 5 refilled');
    clock.now += 1000; // idle for a second: refills, charges nothing
    await share.step('alice');
    assert.equal(share.creditOf('alice'), 100);
  });

  it('charges one stretch at most maxStepMs (a longer one waited on something else), and a dropped cluster starts afresh', async () => {
    const { share, clock } = shareOnFakeClock({ share: 0.01, burstMs: 100, maxStepMs: 50 });
    await share.step('alice');
    clock.now += 500;
    share.idle('alice');
    assert.equal(share.creditOf('alice'), 55, '50 charged (not 500), 5 refilled');
    share.forget('alice');
    assert.equal(share.creditOf('alice'), 100, 're-created under the same name: a full burst');
  });
});

describe('a paced store (storage/paced.ts)', () => {
  it('waits on its pacing before every read and write of a cluster and reports each answer; watches are not paced', async () => {
    const calls: string[] = [];
    const inner = new MemoryStore();
    await inner.createCluster('alice');
    const store = pacedStore(inner, {
      before: async (cluster) => { calls.push(`before ${cluster}`); },
      after: (cluster) => { calls.push(`after ${cluster}`); },
    });
    const alice = store.cluster('alice');
    assert.equal(store.cluster('alice'), alice, 'one wrapper per cluster store');
    await alice.create('/registry/alice/configmaps/default/a', '{}');
    await alice.get('/registry/alice/configmaps/default/a');
    await alice.list('/registry/alice/');
    assert.deepEqual(calls, ['before alice', 'after alice', 'before alice', 'after alice', 'before alice', 'after alice']);
    alice.watch('/registry/alice/', 0);
    assert.equal(calls.length, 6);
    // A refused write is still answered (after runs on a failure too).
    await assert.rejects(store.cluster('nobody').create('/registry/nobody/x', '{}'));
    assert.deepEqual(calls.slice(6), ['before nobody', 'after nobody']);
  });
});

describe('the control plane through its share (the Node entry’s wiring)', () => {
  it('a long list gives the loop back through the share: what other tasks run meanwhile is not charged to the cluster', async () => {
    // Other tasks take 30 ms of loop at each turn of it: a ticker on the hand-moved clock.
    const clock = { now: 0 };
    let ticking = true;
    const tick = () => { clock.now += 30; if (ticking) setImmediate(tick); };
    setImmediate(tick);
    const share = new ControlPlaneShare({ share: 0.1, burstMs: 100, maxStepMs: 10_000, now: () => clock.now, pace: () => new Promise((resolve) => setImmediate(resolve)) });
    const store = new MemoryStore();
    await store.createCluster('c');
    // 3 MiB of ConfigMaps: the registry decodes them in slices of 512 KiB, a turn of the loop between two.
    const data = { v: 'x'.repeat(100 * 1024) };
    for (let i = 0; i < 30; i++) await store.cluster('c').create(`/registry/c/core/configmaps/default/cm-${i}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data }));
    const ctx = onSharedLoop({ ports: { store, queue: discardQueue, clock: systemClock, keys: hmacKeys('x'.repeat(32)) }, catalog: new Catalog(resources) }, share);
    const registry = new Registry(ctx.catalog, ctx.ports, 'c');
    try {
      await share.step('c');
      const listed = await registry.list(ctx.catalog.find('', 'v1', 'configmaps')!, undefined);
      share.idle('c');
      assert.equal(listed.items.length, 30);
      // Its own decoding does not move this clock; only other tasks' turns do, and they were not its work.
      assert.equal(share.creditOf('c'), 100, 'the turns are steps: the time other tasks ran during them is not charged');
    } finally {
      ticking = false;
    }
  });

  it('a cluster whose control plane spends its share is made to wait, and its pods still all start', async () => {
    // Every reading of the clock moves it 1 ms: the work between two steps is charged by how much the control plane does.
    const clock = { now: 0 };
    let waited = 0;
    const share = new ControlPlaneShare({ share: 0.05, burstMs: 100, now: () => (clock.now += 1), sleep: async (ms) => { waited += ms; clock.now += ms; } });
    const cluster = await startControlPlane({ mode: 'manual', serve: false, loop: share });
    try {
      await cluster.drain();
      const waitedForBootstrap = waited;
      const pods = cluster.catalog.find('', 'v1', 'pods')!;
      const r = cluster.registry();
      for (let i = 0; i < 30; i++) await r.create(pods, 'default', { metadata: { name: `p${i}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KubeObject);
      await cluster.drain(120_000);
      assert.ok(waited > waitedForBootstrap, `thirty pods’ binding, starts and events spend the cluster’s burst and it waits (waited ${waited} ms in all)`);
      const phases = ((await r.list(pods, 'default')).items as Array<KubeObject & { status?: { phase?: string } }>).map((p) => p.status?.phase);
      assert.deepEqual(phases, Array(30).fill('Running'), 'delayed, not lost');
    } finally {
      await cluster.close();
    }
  });
});
