import { createApp } from '../src/app.ts';
import { systemClock, discardQueue, type Ports } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { TraceRing } from '../src/trace/ring.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { countingStore } from '../harness/countingStore.ts';
import { fmt, line, median } from './lib.ts';

/**
 * Issue 16: what tracing costs the request path. The same app (memory store, no control plane)
 * three ways — no TraceSink at all (the baseline), a TraceRing with the cluster's tracing off
 * (every deployment's default: nobody asked), and with it on (someone ran `apiserverless trace`
 * within the hour) — in alternated rounds of 60 pod creates and 60 GETs each, in process
 * (app.fetch, no TLS), timed in CPU milliseconds of this process (wall time on a shared machine
 * mostly measures the neighbours). Also counts store writes per create: a trace adds none.
 */
const relaxed = { requestsPerSecond: 1e9, burst: 1e9, maxWatches: 1000, maxObjects: 1e7, maxBytes: 1e12 };
type Mode = 'none' | 'off' | 'on';

async function setup(mode: Mode) {
  const counted = countingStore();
  const keys = hmacKeys('bench-secret-that-is-long-enough-for-hs256!');
  const ring = mode === 'none' ? undefined : new TraceRing();
  const ports: Ports = { store: counted.store, queue: discardQueue, clock: systemClock, keys, ...(ring ? { traces: ring } : {}) };
  const catalog = new Catalog(resources);
  const record = { name: 'default', uid: crypto.randomUUID(), createdAt: new Date().toISOString(), expiresAt: null, nodes: ['controlplane', 'node01'], kubernetesVersion };
  await provisionInStore(ports, catalog, record);
  if (mode === 'on') ring!.start('default');
  const token = await keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], cluster: 'default', clusterUid: record.uid });
  const app = createApp(ports, { catalog, limits: relaxed });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  let n = 0;
  const base = 'https://bench.local/api/v1/namespaces/default/pods';
  const create = async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${n++}`, labels: { app: 'load' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } });
    const res = await app.fetch(new Request(`${base}?fieldManager=kubectl-run`, { method: 'POST', headers, body }));
    if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    await res.arrayBuffer();
  };
  const get = async () => {
    const res = await app.fetch(new Request(`${base}/p-0`, { headers }));
    if (res.status !== 200) throw new Error(`get answered ${res.status}`);
    await res.arrayBuffer();
  };
  return { mode, create, get, counted, ring, creates: [] as number[], gets: [] as number[], created: 0 };
}

/** CPU milliseconds (user + system) per call. */
async function perOp(fn: () => Promise<void>, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / count;
}

export async function run(): Promise<void> {
  const sides = [await setup('none'), await setup('off'), await setup('on')];
  const [none, off, on] = sides;
  const rounds = 40, count = 60;
  for (const side of sides) await perOp(side.create, 100); // the JIT
  for (const side of sides) side.counted.reset();
  for (let round = 0; round < rounds; round++) {
    // Each round in another order, so drift in the machine's load falls on all three.
    for (const side of [sides[round % 3], sides[(round + 1) % 3], sides[(round + 2) % 3]]) {
      side.creates.push(await perOp(side.create, count));
      side.gets.push(await perOp(side.get, count));
      side.created += count;
    }
  }
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]));
  const figure = (what: string, pick: (s: typeof none) => number[]) => line(`${what}, CPU ms: none / off / on`,
    `${sides.map((s) => fmt(median(pick(s)), 3)).join(' / ')}  → off ×${fmt(ratio(pick(off), pick(none)), 3)}, on ×${fmt(ratio(pick(on), pick(none)), 3)}`);
  console.log(`(rounds of ${count} requests, ${rounds} rounds per mode, medians of the paired ratios; "none": no TraceSink, "off": tracing off, "on": tracing on)`);
  figure('create pod', (s) => s.creates);
  figure('GET one pod', (s) => s.gets);
  line('store writes per create: none / off / on', sides.map((s) => fmt(s.counted.writes() / s.created, 2)).join(' / '));
  const held = on.ring!.size('default');
  line('trace ring after the run (one cluster, tracing on)', `${held.records} records, ~${Math.round(held.bytes / 1024)} KiB (bounded: 256 records, 128 KiB)`);
}
