import { createApp } from '../../src/app.ts';
import { ManualClock, ScaledClock } from '../../src/clock.ts';
import { serveHttps, type RunningServer } from '../../src/entry/node.ts';
import type { Clock, Ports, Queue, QueueMessage } from '../../src/ports.ts';
import { InProcessQueue } from '../../src/queue/memory.ts';
import { Catalog } from '../../src/registry/catalog.ts';
import { Registry } from '../../src/registry/generic.ts';
import { resources } from '../../src/registry/resources/index.ts';
import { hmacKeys } from '../../src/server/keys.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import type { Store } from '../../src/storage/store.ts';
import type { ControlPlaneShare } from '../../src/tenancy/controlPlaneShare.ts';
import { kubeconfig } from '../../src/tenancy/kubeconfig.ts';
import { provisionInStore, storeProvisioner } from '../../src/tenancy/provision.ts';
import { storeDirectory } from '../../src/tenancy/clusters.ts';
import { kubernetesVersion } from '../../src/apimachinery/version.ts';
import { handleMessage, onSharedLoop, type ControlPlaneContext } from '../../src/controlplane/index.ts';
import { podNetwork } from '../../src/server/clusterNetwork.ts';
import { testAdminToken, testSecret, testTls } from '../../harness/server.ts';
import { timestamp } from '../../src/apimachinery/time.ts';
import { TraceRing } from '../../src/trace/ring.ts';

/**
 * A cluster with the scheduler and kubelets running on an in-process queue.
 * - manual: a ManualClock; nothing happens until `drain()` (deterministic tests).
 * - live: real timers on a clock sped up by 1/timeScale, for kubectl-driven e2e.
 */
export interface ControlPlaneOptions {
  mode: 'manual' | 'live';
  /** Live mode: real seconds per cluster second (0.1: ten times faster). */
  timeScale?: number;
  nodes?: string[];
  /** Wraps the store (e.g. to count writes). */
  store?: Store;
  /** Wraps the queue port the registry and the control plane send to (fault injection). */
  wrapQueue?: (queue: Queue) => Queue;
  /** Manual mode: which due message goes next. */
  pick?: (due: number) => number;
  /** Serve HTTPS for kubectl (default true). */
  serve?: boolean;
  /** Each cluster's share of the loop (tenancy/controlPlaneShare.ts): the control plane's store is paced through it, as in the Node entry. */
  loop?: ControlPlaneShare;
  /** Serve the admin API too (`/clusters`, token `testAdminToken`), for the teacher's CLI: its clusters get this control plane. */
  admin?: boolean;
}

export interface ControlPlaneCluster {
  ports: Ports;
  catalog: Catalog;
  queue: InProcessQueue;
  clock: Clock;
  ctx: ControlPlaneContext;
  registry(cluster?: string): Registry;
  /** Manual mode: deliver everything due, moving the clock, for at most forMs of cluster time. */
  drain(forMs?: number): Promise<void>;
  server?: RunningServer;
  /** A token for the default cluster: its admin's, or another identity's. */
  token(cluster?: string, options?: { sub?: string; groups?: string[] }): Promise<string>;
  /** A kubeconfig for the default cluster, with the admin's token or the one given. */
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlaneCluster> {
  // A sped-up clock starts an hour back so it stays behind kubectl's own clock during a test.
  const clock = options.mode === 'manual' ? new ManualClock() : new ScaledClock(options.timeScale ?? 1, (options.timeScale ?? 1) < 1 ? -3_600_000 : 0);
  const errors: unknown[] = [];
  const queue = new InProcessQueue({
    clock, mode: options.mode, timeScale: options.timeScale, pick: options.pick,
    onError: (error) => { errors.push(error); console.error('control plane error:', error); },
  });
  const port: Queue = options.wrapQueue ? options.wrapQueue(queue) : queue;
  const ports: Ports = { store: options.store ?? new MemoryStore(), queue: port, clock, keys: hmacKeys(testSecret), traces: new TraceRing() };
  const catalog = new Catalog(resources);
  const own: ControlPlaneContext = { ports, catalog, podNetwork };
  const ctx = options.loop ? onSharedLoop(own, options.loop) : own;
  queue.consume((message: QueueMessage) => handleMessage(ctx, message));
  const record = {
    name: 'default', uid: crypto.randomUUID(), createdAt: timestamp(clock.now()), expiresAt: null,
    nodes: options.nodes ?? ['controlplane', 'node01'], kubernetesVersion,
  };
  await provisionInStore(ports, catalog, record);
  const token = (_cluster?: string, o: { sub?: string; groups?: string[] } = {}) =>
    ports.keys.sign({ sub: o.sub ?? 'kubernetes-admin', groups: o.groups ?? ['system:masters', 'system:authenticated'], cluster: 'default', clusterUid: record.uid });
  let server: RunningServer | undefined;
  if (options.serve !== false) {
    const admin = options.admin ? { directory: storeDirectory(ports.store), provisioner: storeProvisioner(ports, catalog), keys: ports.keys, clock, adminToken: testAdminToken } : undefined;
    const app = createApp(ports, { catalog, limits: { requestsPerSecond: 1e9, burst: 1e9, maxWatches: 1000, maxObjects: 1e6, maxBytes: 1e12 }, ...(admin ? { admin } : {}) });
    server = await serveHttps(app.fetch, { port: 0, tls: await testTls() });
  }
  return {
    ports, catalog, queue, clock, ctx, server,
    registry: (cluster = 'default') => new Registry(catalog, ports, cluster),
    async drain(forMs?: number) {
      const result = await queue.drain({ forMs });
      if (errors.length) throw errors[0];
      if (forMs === undefined && !result.idle) throw new Error(`queue did not go idle (${result.pending} pending)`);
    },
    token,
    async kubeconfig(_cluster?: string, given?: string) {
      if (!server) throw new Error('started with serve: false');
      return kubeconfig({ server: server.url, cluster: 'default', user: 'kubernetes-admin', token: given ?? (await token()), insecure: true });
    },
    async close() {
      queue.close();
      await server?.close();
    },
  };
}
