import { Agent, request } from 'node:https';
import { createApp } from '../src/app.ts';
import { ScaledClock } from '../src/clock.ts';
import { selfSignedCertificate, serveHttps } from '../src/entry/node.ts';
import { discardQueue, type Ports } from '../src/ports.ts';
import { InProcessQueue } from '../src/queue/memory.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { handleMessage, passCount } from '../src/controlplane/index.ts';

/**
 * 1,000 pods created over HTTP on the Node entry (memory store, in-process
 * queue) with 50 nodes: how fast the scheduler binds them and the kubelets
 * run them, against a baseline of the same creates with no control plane at all.
 */

const podCount = Number(process.env.BENCH_PODS ?? 1000);
const nodeCount = 50;
const concurrency = 32;
/** Cluster time runs 100× faster, so simulated image pulls do not dominate "all Running". */
const timeScale = 0.01;

interface Run { createMs: number; boundMs?: number; runningMs?: number; passes: number; startedMs: number }

type Mode = 'none' | 'concurrent' | 'burst';

function post(agent: Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * none: no control plane (baseline). concurrent: the control plane consumes while pods are created.
 * burst: all creates first, the control plane attached afterwards: the scheduler's own rate.
 */
async function once(mode: Mode): Promise<Run> {
  const withWorkers = mode !== 'none';
  const clock = new ScaledClock(timeScale);
  const store = new MemoryStore();
  const queue = new InProcessQueue({ clock, mode: 'live', timeScale, onError: (err) => console.error('control plane error', err) });
  const ports: Ports = { store, queue: withWorkers ? queue : discardQueue, clock, keys: hmacKeys('bench-secret-that-is-long-enough-for-hs256') };
  const catalog = new Catalog(resources);
  const nodes = ['controlplane', ...Array.from({ length: nodeCount - 1 }, (_, i) => `node${String(i + 1).padStart(2, '0')}`)];
  const uid = crypto.randomUUID();
  await provisionInStore(ports, catalog, { name: 'default', uid, createdAt: clock.now().toISOString(), expiresAt: null, nodes, kubernetesVersion });
  const ctx = { ports, catalog };
  if (mode === 'concurrent') queue.consume((m) => handleMessage(ctx, m));
  const app = createApp(ports, { catalog, limits: { requestsPerSecond: 1e9, burst: 1e9, maxWatches: 1000, maxObjects: 1e6, maxBytes: 1e12 }, log: () => {} });
  const server = await serveHttps(app.fetch, { port: 0, tls: await selfSignedCertificate() });
  const token = await ports.keys.sign({ sub: 'bench', groups: ['system:masters'], cluster: 'default', clusterUid: uid });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });
  const url = new URL(`${server.url}/api/v1/namespaces/default/pods`);

  // Progress from the store's own change log: no extra reads, no JSON parsing.
  const cluster = store.cluster('default');
  const bound = new Set<string>(), running = new Set<string>();
  const watcher = cluster.watch('/registry/default/core/pods/default/', await cluster.currentRevision());
  let boundAt: number | undefined, runningAt: number | undefined;
  let start = performance.now();
  const follow = (async () => {
    for await (const event of watcher) {
      if (event.type !== 'PUT') continue;
      if (event.kv.value.includes('"nodeName":')) bound.add(event.kv.key);
      if (event.kv.value.includes('"phase":"Running"')) running.add(event.kv.key);
      if (bound.size === podCount && boundAt === undefined) boundAt = performance.now() - start;
      if (running.size === podCount) { runningAt = performance.now() - start; break; }
    }
  })();

  let next = 0;
  const body = (i: number) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}` },
    spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < podCount) {
      const i = next++;
      const status = await post(agent, url, token, body(i));
      if (status !== 201) throw new Error(`create pod-${i}: HTTP ${status}`);
    }
  }));
  const createMs = performance.now() - start;
  let startedMs = 0;
  if (mode === 'burst') {
    startedMs = createMs;
    start = performance.now();
    queue.consume((m) => handleMessage(ctx, m));
  }
  if (withWorkers) {
    const deadline = Date.now() + 120_000;
    while (runningAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
  watcher.close();
  await follow.catch(() => {});
  agent.destroy();
  queue.close();
  await server.close();
  return { createMs, boundMs: boundAt, runningMs: runningAt, passes: withWorkers ? passCount(ctx, 'default') : 0, startedMs };
}

export async function run(): Promise<void> {
  await once('none'); // warm-up: JIT, TLS, module loading
  const baseline = await once('none');
  const concurrent = await once('concurrent');
  const burst = await once('burst');
  const rate = (ms: number | undefined) => (ms ? `${Math.round((podCount * 1000) / ms)} pods/s` : 'did not finish');
  const ms = (t: number | undefined) => (t === undefined ? '-' : `${t.toFixed(0)} ms`);
  console.log(`${podCount} pods, ${nodeCount} nodes, ${concurrency} concurrent creates over HTTPS (memory store, in-process queue)`);
  console.log(`baseline, no control plane:   created in ${ms(baseline.createMs)} (${rate(baseline.createMs)})`);
  console.log(`control plane while creating: created in ${ms(concurrent.createMs)}, all bound at ${ms(concurrent.boundMs)} (${rate(concurrent.boundMs)}), all Running at ${ms(concurrent.runningMs)}; ${concurrent.passes} passes`);
  console.log(`control plane after a burst:  all bound ${ms(burst.boundMs)} after it started (${rate(burst.boundMs)} scheduled), all Running at ${ms(burst.runningMs)}; ${burst.passes} passes`);
  if (concurrent.boundMs) console.log(`ratio: all bound with the control plane / baseline creates = ${(concurrent.boundMs / baseline.createMs).toFixed(2)}x`);
}
