import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countingStore } from '../harness/countingStore.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { everyMessageTwice, seededRandom } from './helpers/queueFaults.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';

/**
 * The HPA controller and metrics.k8s.io on a manual clock: the scaling the replica calculator
 * asks for, reached whatever the queue does, and no write at all once it is reached (nor for
 * reading metrics, which are computed on read).
 */

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const container = { name: 'web', image: 'nginx', resources: { requests: { cpu: '200m' }, limits: { cpu: '500m' } } };

async function loadedDeployment(cluster: ControlPlaneCluster, generators: number): Promise<void> {
  const r = cluster.registry();
  const find = (group: string, version: string, plural: string) => cluster.catalog.find(group, version, plural)!;
  await cluster.drain();
  await r.create(find('apps', 'v1', 'deployments'), 'default', {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } } },
  } as KubeObject);
  await r.create(find('', 'v1', 'services'), 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubeObject);
  await r.create(find('autoscaling', 'v2', 'horizontalpodautoscalers'), 'default', {
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
  } as KubeObject);
  for (let i = 0; i < generators; i++) {
    await r.create(find('', 'v1', 'pods'), 'default', {
      metadata: { name: `load-${i}` },
      spec: { containers: [{ name: 'load', image: 'busybox', command: ['/bin/sh', '-c', 'while sleep 0.01; do wget -q -O- http://web; done'] }] },
    } as KubeObject);
  }
  await cluster.drain(10 * 60_000);
}

const replicasOf = async (cluster: ControlPlaneCluster) =>
  ((await cluster.registry().get(cluster.catalog.find('apps', 'v1', 'deployments')!, 'default', 'web')) as Obj).spec?.replicas;

describe('horizontal pod autoscaler on a manual clock', () => {
  it('scales to what the load needs: 500m per generator over pods requesting 200m at a 50% target', async () => {
    for (const [generators, replicas] of [[0, 1], [1, 5], [2, 10]] as const) {
      const cluster = await startControlPlane({ mode: 'manual', serve: false });
      await loadedDeployment(cluster, generators);
      assert.equal(await replicasOf(cluster), replicas, `${generators} load generators`);
      await cluster.close();
    }
  });

  it('reaches the same size when every message is delivered twice, late and reordered', async () => {
    for (const seed of [1, 2]) {
      const rand = seededRandom(seed);
      const cluster = await startControlPlane({ mode: 'manual', serve: false, wrapQueue: (q) => everyMessageTwice(q, rand), pick: (n) => Math.floor(rand() * n) });
      await loadedDeployment(cluster, 1);
      assert.equal(await replicasOf(cluster), 5, `seed ${seed}`);
      await cluster.close();
    }
  });

  it('a settled HPA, and reading metrics, make zero store writes in a simulated hour of resyncs', async () => {
    const counting = countingStore();
    const cluster = await startControlPlane({ mode: 'manual', serve: false, store: counting.store });
    await loadedDeployment(cluster, 1);
    assert.equal(await replicasOf(cluster), 5);
    const r = cluster.registry();
    const hpa = await r.get(cluster.catalog.find('autoscaling', 'v2', 'horizontalpodautoscalers')!, 'default', 'web') as Obj;
    assert.deepEqual((hpa.status?.currentMetrics as unknown[])[0], { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '100m', averageUtilization: 50 } } });
    counting.reset();
    for (let i = 0; i < 120; i++) {
      await cluster.queue.send({ kind: 'resync', cluster: 'default' });
      await cluster.drain(30_000);
      await r.list(cluster.catalog.find('metrics.k8s.io', 'v1beta1', 'pods')!, 'default');
      await r.list(cluster.catalog.find('metrics.k8s.io', 'v1beta1', 'nodes')!, undefined);
    }
    assert.equal(counting.writes(), 0);
    await cluster.close();
  });
});
