import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Queue } from '../src/ports.ts';
import { faultyQueue, seededRandom, type FaultCounts } from './helpers/queueFaults.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';

const pod = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec } as KubeObject);

/** Pods that reach every kind of end state, then a resync every 30 s of cluster time for 10 minutes. */
async function run(cluster: ControlPlaneCluster, queue: () => Queue): Promise<Record<string, string>> {
  const r = cluster.registry();
  const pods = cluster.catalog.find('', 'v1', 'pods')!;
  await cluster.drain();
  // A quota the pods count against: the quota controller must agree with a clean run too.
  const quotas = cluster.catalog.find('', 'v1', 'resourcequotas')!;
  await r.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '20', 'count/pods': '20', configmaps: '5' } } } as KubeObject);
  for (const p of [
    pod('web', { containers: [{ name: 'web', image: 'nginx' }] }),
    pod('once', { restartPolicy: 'Never', containers: [{ name: 'once', image: 'busybox', args: ['echo', 'done'] }] }),
    pod('crash', { containers: [{ name: 'crash', image: 'busybox', args: ['sh', '-c', 'exit 1'] }] }),
    pod('bad', { containers: [{ name: 'bad', image: 'nginx:does-not-exist' }] }),
    pod('pinned', { nodeName: 'controlplane', tolerations: [{ operator: 'Exists' }], containers: [{ name: 'p', image: 'redis' }] }),
    ...Array.from({ length: 10 }, (_, i) => pod(`replica-${i}`, { containers: [{ name: 'r', image: 'nginx' }] })),
  ]) await r.create(pods, 'default', p);
  for (let tick = 0; tick < 20; tick++) {
    await queue().send({ kind: 'resync', cluster: 'default' });
    await cluster.drain(30_000);
  }
  const out: Record<string, string> = { quota: JSON.stringify((await r.get(quotas, 'default', 'q')).status) };
  for (const p of (await r.list(pods, 'default')).items as Array<KubeObject & { spec: { nodeName?: string }; status: { phase: string; containerStatuses?: Array<{ state: Record<string, { reason?: string }> }> } }>) {
    const state = p.status.containerStatuses?.[0]?.state ?? {};
    const kind = Object.keys(state)[0];
    const reason = kind === 'waiting' ? state.waiting.reason : kind;
    out[p.metadata.name!] = `${p.status.phase} on ${p.spec.nodeName ?? '-'}: ${reason}`;
  }
  return out;
}

describe('queue faults (a fault-injecting Queue port)', () => {
  it('with 30% of events dropped and the rest duplicated, delayed and reordered, resync brings every pod to the state a clean run reaches', async () => {
    const clean = await startControlPlane({ mode: 'manual', serve: false });
    const expected = await run(clean, () => clean.queue);
    await clean.close();
    assert.match(expected.web, /^Running on node01: running$/);
    assert.match(expected.once, /^Succeeded on node01: terminated$/);
    assert.match(expected.crash, /: CrashLoopBackOff$/);
    assert.match(expected.bad, /: ImagePullBackOff$/);
    assert.match(expected.pinned, /^Running on controlplane: running$/);
    // the finished pod gave its slot back; kube-root-ca.crt is the namespace's one ConfigMap
    assert.deepEqual(JSON.parse(expected.quota).used, { pods: '14', 'count/pods': '14', configmaps: '1' });

    for (const seed of [7, 8]) {
      let counts: FaultCounts | undefined;
      let faulty: Queue | undefined;
      const rand = seededRandom(seed);
      const messy = await startControlPlane({
        mode: 'manual', serve: false, pick: (n) => Math.floor(rand() * n),
        wrapQueue: (q) => {
          const f = faultyQueue(q, { drop: 0.3, duplicate: 0.3, delay: 0.5, maxDelaySeconds: 8 }, rand);
          counts = f.counts;
          faulty = f;
          return f;
        },
      });
      const got = await run(messy, () => faulty!);
      await messy.close();
      console.log(`seed ${seed}: ${JSON.stringify(counts)}`);
      assert.ok(counts!.dropped > 10, 'the run really lost events');
      assert.deepEqual(got, expected, `seed ${seed}`);
    }
  });
});
