import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Queue } from '../src/ports.ts';
import { faultyQueue, seededRandom, type FaultCounts } from './helpers/queueFaults.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';

const pod = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({ metadata: { name, labels }, spec } as KubeObject);
const replica = { tier: 'replica' };

type Address = { targetRef: { name: string } };
type Slice = KubeObject & { endpoints: Array<{ targetRef: { name: string }; conditions: Record<string, boolean> }> | null; ports: unknown };
const names = (list: Address[] | undefined) => (list ?? []).map((a) => a.targetRef.name).sort().join(' ');

/** What the endpoints, EndpointSlice and disruption controllers made of it (addresses aside: IPs depend on the order pods started). */
async function servicesState(cluster: ControlPlaneCluster): Promise<Record<string, string>> {
  const r = cluster.registry();
  const find = (group: string, plural: string) => cluster.catalog.find(group, 'v1', plural)!;
  const ep = await r.get(find('', 'endpoints'), 'default', 'replicas') as KubeObject & { subsets?: Array<{ addresses?: Address[]; notReadyAddresses?: Address[]; ports: unknown }> };
  const slices = (await r.list(find('discovery.k8s.io', 'endpointslices'), 'default')).items as Slice[];
  const pdb = await r.get(find('policy', 'poddisruptionbudgets'), 'default', 'replicas') as KubeObject & { status: Record<string, unknown> & { conditions: Array<{ status: string; reason: string }> } };
  const { conditions, ...counts } = pdb.status;
  return {
    endpoints: JSON.stringify((ep.subsets ?? []).map((s) => [names(s.addresses), names(s.notReadyAddresses), s.ports])),
    slices: JSON.stringify(slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'replicas').map((s) => [
      (s.endpoints ?? []).map((e) => `${e.targetRef.name}:${e.conditions.ready}/${e.conditions.serving}`).sort().join(' '), s.ports,
    ])),
    pdb: JSON.stringify([counts, conditions.map((c) => `${c.status}/${c.reason}`)]),
  };
}

/** Volumes and claims as the PV controller left them (provisioned names carry a claim's uid: shown by claim). */
async function storageState(cluster: ControlPlaneCluster): Promise<Record<string, string>> {
  const r = cluster.registry();
  type Volume = KubeObject & { spec: { claimRef?: { name: string } }; status: { phase: string } };
  type Claim = KubeObject & { spec: { volumeName?: string; storageClassName?: string }; status: { phase: string } };
  const volumes = (await r.list(cluster.catalog.find('', 'v1', 'persistentvolumes')!, undefined)).items as Volume[];
  const claims = (await r.list(cluster.catalog.find('', 'v1', 'persistentvolumeclaims')!, 'default')).items as Claim[];
  const name = (v: Volume) => (v.metadata.name!.startsWith('pvc-') ? `pvc-for-${v.spec.claimRef?.name}` : v.metadata.name!);
  return {
    volumes: volumes.map((v) => `${name(v)}:${v.status.phase}:${v.spec.claimRef?.name ?? ''}:${(v.metadata.finalizers ?? []).join()}`).sort().join(' '),
    claims: claims.map((c) => `${c.metadata.name}:${c.status.phase}:${c.spec.storageClassName}:${c.spec.volumeName === `pvc-${c.metadata.uid}` ? 'provisioned' : c.spec.volumeName}`).sort().join(' '),
  };
}

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
    pod('crash', { containers: [{ name: 'crash', image: 'busybox', args: ['sh', '-c', 'exit 1'], ports: [{ name: 'http', containerPort: 80 }] }] }, replica),
    pod('bad', { containers: [{ name: 'bad', image: 'nginx:does-not-exist' }] }),
    pod('pinned', { nodeName: 'controlplane', tolerations: [{ operator: 'Exists' }], containers: [{ name: 'p', image: 'redis' }] }),
    ...Array.from({ length: 10 }, (_, i) => pod(`replica-${i}`, { containers: [{ name: 'r', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] }, replica)),
  ]) await r.create(pods, 'default', p);
  await r.create(cluster.catalog.find('', 'v1', 'services')!, 'default', { metadata: { name: 'replicas' }, spec: { selector: replica, ports: [{ port: 8080, targetPort: 'http' }] } });
  await r.create(cluster.catalog.find('policy', 'v1', 'poddisruptionbudgets')!, 'default', { metadata: { name: 'replicas' }, spec: { minAvailable: 8, selector: { matchLabels: replica } } });
  // Storage: a static volume and its claim, a claim of the default class provisioned for its pod, a Retain volume released.
  const pvs = cluster.catalog.find('', 'v1', 'persistentvolumes')!, pvcs = cluster.catalog.find('', 'v1', 'persistentvolumeclaims')!;
  const volume = (name: string, storage: string) => ({ metadata: { name }, spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/mnt/${name}` }, storageClassName: '' } } as KubeObject);
  const claim = (name: string, storage: string, storageClassName?: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName } } as KubeObject);
  await r.create(pvs, undefined, volume('pv-a', '1Gi'));
  await r.create(pvs, undefined, volume('pv-b', '2Gi'));
  await r.create(pvcs, 'default', claim('static', '1Gi', ''));
  await r.create(pvcs, 'default', claim('released', '2Gi', ''));
  await r.create(pvcs, 'default', claim('dynamic', '1Gi'));
  await r.create(pods, 'default', pod('mounter', { containers: [{ name: 'm', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'dynamic' } }] }));
  for (let tick = 0; tick < 3; tick++) {
    await queue().send({ kind: 'resync', cluster: 'default' });
    await cluster.drain(30_000);
  }
  await r.delete(pvcs, 'default', 'released');
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
  return { ...out, ...(await servicesState(cluster)), ...(await storageState(cluster)) };
}

describe('queue faults (a fault-injecting Queue port)', () => {
  it('with 30% of events dropped and the rest duplicated, delayed and reordered, resync brings every pod, endpoint, slice, budget, volume and claim to the state a clean run reaches', async () => {
    const clean = await startControlPlane({ mode: 'manual', serve: false });
    const expected = await run(clean, () => clean.queue);
    await clean.close();
    assert.match(expected.web, /^Running on node01: running$/);
    assert.match(expected.once, /^Succeeded on node01: terminated$/);
    assert.match(expected.crash, /: CrashLoopBackOff$/);
    assert.match(expected.bad, /: ImagePullBackOff$/);
    assert.match(expected.pinned, /^Running on controlplane: running$/);
    // the finished pod gave its slot back; kube-root-ca.crt is the namespace's one ConfigMap
    assert.deepEqual(JSON.parse(expected.quota).used, { pods: '15', 'count/pods': '15', configmaps: '1' });
    const ready = Array.from({ length: 10 }, (_, i) => `replica-${i}`).sort().join(' ');
    assert.equal(expected.endpoints, JSON.stringify([[ready, 'crash', [{ port: 80, protocol: 'TCP' }]]]));
    assert.equal(expected.slices, JSON.stringify([[`crash:false/false ${ready.split(' ').map((n) => `${n}:true/true`).join(' ')}`, [{ name: '', protocol: 'TCP', port: 80 }]]]));
    assert.equal(expected.volumes, 'pv-a:Bound:static:kubernetes.io/pv-protection pv-b:Released:released:kubernetes.io/pv-protection pvc-for-dynamic:Bound:dynamic:kubernetes.io/pv-protection');
    assert.equal(expected.claims, 'dynamic:Bound:standard:provisioned static:Bound::pv-a');
    assert.match(expected.mounter, /^Running on node01: running$/);
    assert.equal(expected.pdb, JSON.stringify([{ disruptionsAllowed: 2, currentHealthy: 10, desiredHealthy: 8, expectedPods: 11, observedGeneration: 1 }, ['True/SufficientPods']]));

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
