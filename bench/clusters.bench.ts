import { execFile } from 'node:child_process';
import { Kubectl, kubectlBinary } from '../harness/kubectl.ts';
import { startNodeServer } from '../harness/server.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { discardQueue, systemClock } from '../src/ports.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { call, fmt, line, median, timed } from './lib.ts';

function kubectlGetNodes(kubectl: Kubectl): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(kubectlBinary(), ['get', 'nodes'], { env: kubectl.env() }, (err) => (err ? reject(err) : resolve()));
  });
}

/** Issue 6: how fast and how small an ephemeral cluster is. */
export async function run(): Promise<void> {
  // 1,000 clusters in one process: memory per cluster on the memory store.
  const ports = { store: new MemoryStore(), queue: discardQueue, clock: systemClock, keys: hmacKeys('x'.repeat(32)) };
  const catalog = new Catalog(resources);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  let objects = 0, bytes = 0;
  for (let i = 0; i < 1000; i++) {
    const name = `class-${i}`;
    await provisionInStore(ports, catalog, { name, uid: crypto.randomUUID(), createdAt: new Date().toISOString(), expiresAt: null, nodes: ['controlplane', 'node01'], kubernetesVersion });
    if (i === 0) {
      const page = await ports.store.cluster(name).list(`/registry/${name}/`);
      objects = page.items.length;
      bytes = page.items.reduce((sum, kv) => sum + kv.value.length, 0);
    }
  }
  const elapsed = performance.now() - start;
  gc?.();
  const perCluster = (process.memoryUsage().heapUsed - before) / 1000;
  line('1,000 clusters provisioned in one process', `${fmt(elapsed)} ms (${fmt(elapsed / 1000, 2)} ms each)`);
  line(`memory per cluster (${objects} objects, ${fmt(bytes / 1024)} KiB of JSON)${gc ? '' : ' [no --expose-gc]'}`, `${fmt(perCluster / 1024)} KiB`);
  line('ratio memory per cluster / its JSON bytes', `${fmt(perCluster / bytes, 2)}x`);

  const server = await startNodeServer();
  try {
    // Baseline: kubectl get nodes against a cluster that already exists (process start + discovery + list).
    const existing = new Kubectl(await server.kubeconfig());
    await kubectlGetNodes(existing);
    const baseline: number[] = [];
    for (let i = 0; i < 10; i++) baseline.push((await timed(() => kubectlGetNodes(existing))).ms);

    const createOnly: number[] = [], createToFirstList: number[] = [], createToKubectl: number[] = [];
    for (let i = 0; i < 10; i++) {
      const name = `bench-${i}`;
      const start = performance.now();
      const created = await call(`${server.url}/clusters`, { method: 'POST', token: server.adminToken, body: JSON.stringify({ name, ttl: '1h' }) });
      if (created.status !== 201) throw new Error(`create answered ${created.status}: ${created.body}`);
      createOnly.push(performance.now() - start);
      const kubeconfig = (JSON.parse(created.body) as { kubeconfig: string }).kubeconfig;
      const token = /token: (\S+)/.exec(kubeconfig)![1];
      const nodes = await call(`${server.url}/clusters/${name}/api/v1/nodes?limit=500`, { token });
      if (nodes.status !== 200) throw new Error(`list nodes answered ${nodes.status}`);
      createToFirstList.push(performance.now() - start);
      const kubectl = new Kubectl(kubeconfig);
      const t0 = performance.now();
      await kubectlGetNodes(kubectl);
      createToKubectl.push(createToFirstList[i] + (performance.now() - t0));
    }
    line('cluster create (admin API), median', `${fmt(median(createOnly))} ms`);
    line('create → first GET /api/v1/nodes answered, median', `${fmt(median(createToFirstList))} ms (target ≤100 ms)`);
    line('create → first `kubectl get nodes` done (incl. kubectl), median', `${fmt(median(createToKubectl))} ms`);
    line('baseline: `kubectl get nodes` on an existing cluster, median', `${fmt(median(baseline))} ms`);
    line('ratio create→kubectl / baseline kubectl', `${fmt(median(createToKubectl) / median(baseline), 2)}x`);
  } finally {
    await server.close();
  }
}
