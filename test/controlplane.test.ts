import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Queue } from '../src/ports.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';
import { passCount } from '../src/controlplane/index.ts';
import { countingStore, wrappedMemoryStore } from '../harness/countingStore.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { Store } from '../src/storage/store.ts';
import { everyMessageTwice, seededRandom } from './helpers/queueFaults.ts';

/**
 * Deterministic runs on a manual clock: queue deliveries are explicit, so the
 * scheduler and kubelets can be shown to be level-triggered and idempotent.
 */

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** A seeded generator (a failing run replays), and every message delivered twice, late and reordered. */
const random = seededRandom;
const duplicating = (rand: () => number) => (queue: Queue): Queue => everyMessageTwice(queue, rand);

const pod = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec } as KubeObject);

/** A workload that exercises every stage: runs, completes, crash-loops, fails to pull, waits for a label. */
async function scenario(cluster: ControlPlaneCluster): Promise<void> {
  const r = cluster.registry();
  const pods = cluster.catalog.find('', 'v1', 'pods')!;
  const nodes = cluster.catalog.find('', 'v1', 'nodes')!;
  await cluster.drain();
  for (const p of [
    pod('nginx', { containers: [{ name: 'nginx', image: 'nginx' }] }),
    pod('hello', { restartPolicy: 'Never', containers: [{ name: 'hello', image: 'busybox', args: ['echo', 'hello'] }] }),
    pod('crash', { containers: [{ name: 'crash', image: 'busybox', args: ['sh', '-c', 'exit 1'] }] }),
    pod('bad', { containers: [{ name: 'bad', image: 'nginx:does-not-exist' }] }),
    pod('ssd', { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'web', image: 'nginx' }] }),
    pod('big', { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '3' } } }] }),
    pod('init', { initContainers: [{ name: 'setup', image: 'busybox', args: ['sh', '-c', 'sleep 5'] }], containers: [{ name: 'app', image: 'redis' }] }),
  ]) await r.create(pods, 'default', p);
  await cluster.drain(60_000);
  await r.mutate(nodes, undefined, 'node01', (n) => { n.metadata.labels = { ...n.metadata.labels, disk: 'ssd' }; return n; });
  await cluster.drain(60_000);
  await r.delete(pods, 'default', 'nginx');
  await cluster.drain(30_000);
}

interface Outcome {
  pods: Record<string, unknown>;
  events: Record<string, { objects: number; count: number }>;
}

/** What must not depend on delivery: everything but timestamps, uids, IDs and resourceVersions. */
async function outcome(cluster: ControlPlaneCluster): Promise<Outcome> {
  const r = cluster.registry();
  const pods: Record<string, unknown> = {};
  for (const p of (await r.list(cluster.catalog.find('', 'v1', 'pods')!, 'default')).items as Obj[]) {
    const status = p.status as { phase: string; podIP?: string; conditions?: Array<Record<string, unknown>>; containerStatuses?: Array<Record<string, unknown>>; initContainerStatuses?: Array<Record<string, unknown>> };
    const containers = (list?: Array<Record<string, unknown>>) => list?.map((c) => {
      const state = c.state as Record<string, { reason?: string; exitCode?: number }>;
      const kind = Object.keys(state)[0];
      return { name: c.name, state: kind, reason: state[kind]?.reason, exitCode: state[kind]?.exitCode, ready: c.ready, restartCount: c.restartCount, image: c.image };
    });
    pods[p.metadata.name!] = {
      nodeName: p.spec?.nodeName, phase: status.phase, hasIP: !!status.podIP, deleting: !!p.metadata.deletionTimestamp,
      conditions: status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`),
      containers: containers(status.containerStatuses), inits: containers(status.initContainerStatuses),
    };
  }
  const events: Outcome['events'] = {};
  for (const e of (await r.list(cluster.catalog.find('', 'v1', 'events')!, 'default')).items as Array<Obj & { reason: string; count: number; involvedObject: { name: string } }>) {
    const key = `${e.involvedObject.name}/${e.reason}`;
    const entry = (events[key] ??= { objects: 0, count: 0 });
    entry.objects++;
    entry.count += e.count;
  }
  return { pods, events };
}

describe('the control plane on a manual clock', () => {
  it('every event delivered twice, late and out of order, ends exactly where a clean run ends', async () => {
    const clean = await startControlPlane({ mode: 'manual', serve: false });
    await scenario(clean);
    const expected = await outcome(clean);
    await clean.close();

    // The clean run itself shows the behaviour the comparison relies on.
    const p = expected.pods as Record<string, { phase: string; nodeName?: string; containers: Array<{ reason?: string; restartCount: number }> }>;
    assert.equal(p.nginx, undefined, 'nginx was deleted');
    assert.equal(p.hello.phase, 'Succeeded');
    assert.equal(p.crash.containers[0].reason, 'CrashLoopBackOff');
    assert.ok(p.crash.containers[0].restartCount >= 3);
    assert.equal(p.bad.containers[0].reason, 'ImagePullBackOff');
    assert.equal(p.ssd.nodeName, 'node01');
    assert.equal(p.ssd.phase, 'Running');
    assert.equal(p.big.phase, 'Pending');
    assert.equal(p.init.phase, 'Running');
    // Tried on creation, again on the node label and on nginx's deletion: one aggregated event.
    assert.deepEqual(expected.events['big/FailedScheduling'], { objects: 1, count: 3 });
    assert.deepEqual(expected.events['ssd/FailedScheduling'], { objects: 1, count: 1 });
    for (const name of ['hello', 'crash', 'bad', 'ssd', 'init']) assert.deepEqual(expected.events[`${name}/Scheduled`], { objects: 1, count: 1 }, name);
    assert.deepEqual(expected.events['nginx/Killing'], { objects: 1, count: 1 });

    for (const seed of [1, 2, 3]) {
      const rand = random(seed);
      const messy = await startControlPlane({ mode: 'manual', serve: false, wrapQueue: duplicating(rand), pick: (n) => Math.floor(rand() * n) });
      await scenario(messy);
      assert.deepEqual(await outcome(messy), expected, `seed ${seed}`);
      await messy.close();
    }
  });

  it('on a store with listMany (DynamoDB\'s), a pass reads what it needs first in one call, and ends where it ends on any store', async () => {
    const clean = await startControlPlane({ mode: 'manual', serve: false });
    await scenario(clean);
    const expected = await outcome(clean);
    await clean.close();

    // listMany as the port defines it: each prefix listed at one revision. list() is counted by prefix.
    let many = 0;
    const listed = new Map<string, number>();
    const store = wrappedMemoryStore((inner) => ({
      list: (prefix, options) => { listed.set(prefix, (listed.get(prefix) ?? 0) + 1); return inner.list(prefix, options); },
      async listMany(prefixes) {
        many++;
        const revision = await inner.currentRevision();
        return Promise.all(prefixes.map((prefix) => inner.list(prefix, { revision })));
      },
    }));
    const batched = await startControlPlane({ mode: 'manual', serve: false, store });
    await scenario(batched);
    assert.deepEqual(await outcome(batched), expected);
    const passes = passCount(batched.ctx, 'default');
    assert.equal(many, passes, 'one listMany a pass');
    // The pass reads ConfigMaps, Secrets and the workload groups through it only (the scenario's own API calls list none of them).
    for (const prefix of ['/registry/default/core/configmaps/', '/registry/default/core/secrets/', '/registry/default/apps/', '/registry/default/batch/']) {
      assert.equal(listed.get(prefix) ?? 0, 0, `${prefix} listed on its own`);
    }
    await batched.close();
  });

  it('crash-loop back-off doubles from 10s and caps at 5m, on the queue\'s delays', async () => {
    const cluster = await startControlPlane({ mode: 'manual', serve: false });
    const r = cluster.registry();
    const pods = cluster.catalog.find('', 'v1', 'pods')!;
    await cluster.drain();
    await r.create(pods, 'default', pod('crash', { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', args: ['false'] }] }));
    const seen: string[] = [];
    let last = '';
    // Follow the container through 20 minutes of cluster time, one delivery at a time.
    const until = cluster.clock.now().getTime() + 20 * 60_000;
    while (cluster.clock.now().getTime() < until) {
      const { idle } = await cluster.queue.drain({ maxDeliveries: 1 });
      const status = ((await r.get(pods, 'default', 'crash')) as Obj).status as { containerStatuses?: Array<{ restartCount: number; state: { waiting?: { message?: string } } }> };
      const message = status.containerStatuses?.[0]?.state.waiting?.message?.replace(/ restarting.*/, '');
      if (message && message !== last) seen.push(`${status.containerStatuses![0].restartCount}:${message}`);
      last = message ?? last;
      if (idle) break;
    }
    assert.deepEqual(seen, ['1:back-off 10s', '2:back-off 20s', '3:back-off 40s', '4:back-off 1m20s', '5:back-off 2m40s', '6:back-off 5m0s']);
    await cluster.close();
  });

  it('an idle cluster makes zero store writes in a simulated hour of resyncs', async () => {
    const counting = countingStore();
    const store = counting.store;
    const cluster = await startControlPlane({ mode: 'manual', serve: false, store });
    const r = cluster.registry();
    await r.create(cluster.catalog.find('', 'v1', 'pods')!, 'default', pod('web', { containers: [{ name: 'web', image: 'nginx' }] }));
    await cluster.drain();
    const running = await r.get(cluster.catalog.find('', 'v1', 'pods')!, 'default', 'web') as Obj;
    assert.equal((running.status as { phase: string }).phase, 'Running');
    const nodes = cluster.catalog.find('', 'v1', 'nodes')!;
    const beatBefore = JSON.stringify((await r.get(nodes, undefined, 'node01')).status);

    counting.reset();
    const start = cluster.clock.now().getTime();
    for (let i = 0; i < 120; i++) {
      await cluster.queue.send({ kind: 'resync', cluster: 'default' });
      await cluster.drain(30_000);
    }
    assert.ok(cluster.clock.now().getTime() - start >= 3_600_000, 'an hour went by');
    assert.equal(counting.writes(), 0);
    // Heartbeats still move: they are computed when read.
    assert.notEqual(JSON.stringify((await r.get(nodes, undefined, 'node01')).status), beatBefore);
    await cluster.close();
  });

  it('a pass decodes again only what changed since the last one; a ConfigMap or Secret only once a container reads it', async () => {
    const cluster = await startControlPlane({ mode: 'manual', serve: false });
    const r = cluster.registry();
    const unread = 'nobody-reads-me-'.repeat(1000), read = 'a-container-reads-me-'.repeat(1000);
    const parse = JSON.parse;
    const decoded = { unread: 0, read: 0 };
    const readEncoded = btoa(read).slice(0, 40);
    JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
      if (typeof text === 'string' && text.includes(unread)) decoded.unread++;
      if (typeof text === 'string' && text.includes(readEncoded)) decoded.read++;
      return parse(text, reviver);
    };
    try {
      await r.create(cluster.catalog.find('', 'v1', 'configmaps')!, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { v: unread } } as KubeObject);
      await r.create(cluster.catalog.find('', 'v1', 'secrets')!, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, stringData: { v: read } } as KubeObject);
      await cluster.drain();
      for (let i = 0; i < 5; i++) {
        const env = [{ name: 'V', valueFrom: { secretKeyRef: { name: 'big', key: 'v' } } }];
        await r.create(cluster.catalog.find('', 'v1', 'pods')!, 'default', pod(`web-${i}`, { containers: [{ name: 'web', image: 'nginx', env }] }));
        await cluster.drain();
      }
    } finally {
      JSON.parse = parse;
    }
    assert.ok(passCount(cluster.ctx, 'default') >= 5, 'the pods brought passes');
    const running = await r.get(cluster.catalog.find('', 'v1', 'pods')!, 'default', 'web-4') as Obj;
    assert.equal((running.status as { phase: string }).phase, 'Running');
    assert.deepEqual(decoded, { unread: 0, read: 1 }, 'the Secret the pods read is decoded once and kept; the ConfigMap nobody reads, never');
    await cluster.close();
  });

  it('a lost event is recovered by the periodic resync', async () => {
    let drop = false;
    const lossy = (queue: Queue): Queue => ({ send: async (m, o) => { if (!drop) await queue.send(m, o); } });
    const cluster = await startControlPlane({ mode: 'manual', serve: false, wrapQueue: lossy });
    const r = cluster.registry();
    const pods = cluster.catalog.find('', 'v1', 'pods')!;
    await cluster.drain();
    drop = true;
    await r.create(pods, 'default', pod('lost', { containers: [{ name: 'web', image: 'nginx' }] }));
    drop = false;
    await cluster.drain();
    assert.equal(((await r.get(pods, 'default', 'lost')) as Obj).spec?.nodeName, undefined, 'nothing saw the pod');
    await cluster.queue.send({ kind: 'resync', cluster: 'default' });
    await cluster.drain();
    const found = await r.get(pods, 'default', 'lost') as Obj;
    assert.equal(found.spec?.nodeName, 'node01');
    assert.equal((found.status as { phase: string }).phase, 'Running');
    await cluster.close();
  });

  it('pending pods cost a pass no store reads when nothing that could place them changed', async () => {
    // kube-scheduler leaves its unschedulable queue alone on a change no plugin's hint cares for; a pass here
    // read each pending pod's FailedScheduling event to decide as much, so a student's 400 pending pods
    // were 400 reads on every pass their own creates set off.
    const memory = new MemoryStore();
    let eventReads = 0;
    const store: Store = {
      cluster: (name) => {
        const inner = memory.cluster(name);
        return new Proxy(inner, {
          get: (target, key, receiver) => key === 'get'
            ? (k: string) => { if (k.includes('/events/')) eventReads++; return target.get(k); }
            : Reflect.get(target, key, receiver),
        });
      },
      createCluster: (name) => memory.createCluster(name), dropCluster: (name) => memory.dropCluster(name),
    };
    const cluster = await startControlPlane({ mode: 'manual', serve: false, store });
    const r = cluster.registry();
    const pods = cluster.catalog.find('', 'v1', 'pods')!;
    const nodes = cluster.catalog.find('', 'v1', 'nodes')!;
    await cluster.drain();
    for (let i = 0; i < 20; i++) await r.create(pods, 'default', pod(`big-${i}`, { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '3' } } }] }));
    await cluster.drain(60_000);
    const unschedulable = (p: Obj) => (p.status as { conditions?: Array<{ type: string; reason?: string }> }).conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
    assert.equal(((await r.list(pods, 'default')).items as Obj[]).filter(unschedulable).length, 20);

    // A change that frees no room (a ConfigMap, one more pod that fits) runs passes that leave the 20 alone, unread.
    eventReads = 0;
    await r.create(cluster.catalog.find('', 'v1', 'configmaps')!, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated' }, data: { a: 'b' } } as KubeObject);
    await r.create(pods, 'default', pod('small', { containers: [{ name: 'small', image: 'nginx' }] }));
    await cluster.drain(30_000);
    assert.equal(((await r.get(pods, 'default', 'small')) as Obj).spec?.nodeName !== undefined, true, 'the pod that fits was placed');
    assert.equal(eventReads, 0, 'no FailedScheduling event read for the pods no change could help');

    // A change that may make room still tries every one of them again (and reads their events to aggregate).
    await r.mutate(nodes, undefined, 'node01', (n) => { n.metadata.labels = { ...n.metadata.labels, disk: 'ssd' }; return n; });
    await cluster.drain(30_000);
    assert.ok(eventReads >= 20, `the node change retried the 20 pending pods (${eventReads} event reads)`);
    const events = (await r.list(cluster.catalog.find('', 'v1', 'events')!, 'default')).items as Array<Obj & { reason: string; count: number; involvedObject: { name: string } }>;
    for (let i = 0; i < 20; i++) assert.equal(events.find((e) => e.involvedObject.name === `big-${i}` && e.reason === 'FailedScheduling')?.count, 2, `big-${i}`);
    await cluster.close();
  });

  it('a node changed while the scheduler decided is seen: the pod it refused on the old node is tried again at once', async () => {
    // The race kube-scheduler closes with its moveRequestCycle: the pass read node01 cordoned, then the node was
    // uncordoned, then the pass recorded the pod Unschedulable. The uncordon's own event is older than that record,
    // so it alone would not retry the pod, and it waited for the 5-minute flush (the Worker e2e's node-cordoned flake).
    let beforeUnschedulable: (() => Promise<unknown>) | undefined;
    const store = wrappedMemoryStore((inner) => ({
      restore: (records, keep) => inner.restore(records, keep), create: (key, v) => inner.create(key, v), delete: (key, r) => inner.delete(key, r),
      update: async (key, v, r) => {
        const hook = beforeUnschedulable;
        if (hook && key.includes('/pods/') && v.includes('"reason":"Unschedulable"')) { beforeUnschedulable = undefined; await hook(); }
        return inner.update(key, v, r);
      },
    }));
    const cluster = await startControlPlane({ mode: 'manual', serve: false, store });
    const r = cluster.registry();
    const pods = cluster.catalog.find('', 'v1', 'pods')!;
    const nodes = cluster.catalog.find('', 'v1', 'nodes')!;
    await cluster.drain();
    await r.mutate(nodes, undefined, 'node01', (n) => { (n as Obj).spec = { ...(n as Obj).spec, unschedulable: true }; return n; });
    await cluster.drain();
    let uncordoned = false;
    beforeUnschedulable = async () => {
      await r.mutate(nodes, undefined, 'node01', (n) => { (n as Obj).spec = { ...(n as Obj).spec, unschedulable: false }; return n; });
      uncordoned = true;
    };
    await r.create(pods, 'default', pod('web', { containers: [{ name: 'web', image: 'nginx' }] }));
    await cluster.drain(60_000);
    assert.ok(uncordoned, 'the node was uncordoned between the read and the Unschedulable record');
    assert.equal(((await r.get(pods, 'default', 'web')) as Obj).spec?.nodeName, 'node01');
    await cluster.close();
  });
});
