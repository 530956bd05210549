import { createApp } from '../src/app.ts';
import { selfSignedCertificate, serveHttps, type RunningServer, type Tls } from '../src/entry/node.ts';
import { DocumentThread } from '../src/entry/documentThread.ts';
import { discardQueue, systemClock, type Ports } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { Registry } from '../src/registry/generic.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { sweepExpired } from '../src/tenancy/admin.ts';
import { budgetedStore } from '../src/tenancy/budgets.ts';
import { readClusterRecord, storeDirectory, type ClusterRecord } from '../src/tenancy/clusters.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { provisionInStore, storeProvisioner } from '../src/tenancy/provision.ts';
import type { Limits } from '../src/tenancy/quotas.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { timestamp } from '../src/apimachinery/time.ts';
import { TraceRing } from '../src/trace/ring.ts';

let tls: Promise<Tls> | undefined;
/** One certificate per test process: RSA key generation is the slow part of starting. */
export const testTls = () => (tls ??= selfSignedCertificate());

export const testSecret = 'test-secret-that-is-long-enough-for-hs256!';
export const testAdminToken = 'test-admin-token-0123456789abcdef';

/** Limits high enough that only tests about limits meet them. */
export const relaxedLimits: Limits = { requestsPerSecond: 1e9, burst: 1e9, maxWatches: 10_000, maxObjects: 1e7, maxBytes: 1e12 };

export const defaultClusterRecord = (): ClusterRecord => ({
  name: 'default', uid: crypto.randomUUID(), createdAt: timestamp(Date.now()), expiresAt: null,
  nodes: ['controlplane', 'node01'], kubernetesVersion,
});

export interface TestServer extends RunningServer {
  ports: Ports;
  catalog: Catalog;
  registry(cluster?: string): Registry;
  adminToken: string;
  /** Runs the expiry sweep now (the Node entry runs it on a timer). */
  sweep(): Promise<void>;
  token(cluster?: string, options?: { exp?: number; sub?: string; groups?: string[] }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
}

/** The Node entry on a free port with the memory store and the default cluster bootstrapped. */
export async function startNodeServer(overrides: Partial<Ports> = {}, options: { limits?: Limits; log?: (message: string) => void } = {}): Promise<TestServer> {
  const limits = options.limits ?? relaxedLimits;
  // Large bodies decoded on a thread of their own, as the Node entry's servers do.
  const base: Ports = { store: new MemoryStore(), queue: discardQueue, clock: systemClock, keys: hmacKeys(testSecret), traces: new TraceRing(), documents: new DocumentThread(), ...overrides };
  // As the Node entry does: every write path meets the cluster's storage budget.
  const ports: Ports = { ...base, store: budgetedStore(base.store, limits, base.clock) };
  const catalog = new Catalog(resources);
  const registry = (cluster = 'default') => new Registry(catalog, ports, cluster);
  await provisionInStore(ports, catalog, defaultClusterRecord());
  const directory = storeDirectory(ports.store);
  const provisioner = storeProvisioner(ports, catalog);
  const app = createApp(ports, {
    catalog, limits, log: options.log,
    admin: { directory, provisioner, keys: ports.keys, clock: ports.clock, adminToken: testAdminToken, minTtlSeconds: 1 },
  });
  const server = await serveHttps(app.fetch, { port: 0, tls: await testTls() });
  /** An admin token for the cluster as it exists now (bound to its uid; a cluster that does not exist gets a uid of none). */
  const token = async (cluster = 'default', options: { exp?: number; sub?: string; groups?: string[] } = {}) => {
    const uid = (await readClusterRecord(ports.store.cluster(cluster)))?.uid ?? 'no-such-cluster';
    return ports.keys.sign({ sub: options.sub ?? 'kubernetes-admin', groups: options.groups ?? ['system:masters', 'system:authenticated'], cluster, clusterUid: uid, exp: options.exp });
  };
  return {
    ...server, ports, catalog, registry, token, adminToken: testAdminToken,
    sweep: async () => { await sweepExpired(directory, provisioner, ports.clock); },
    async kubeconfig(cluster = 'default', given?: string) {
      const server_ = cluster === 'default' ? server.url : `${server.url}/clusters/${cluster}`;
      return kubeconfig({ server: server_, cluster, user: 'kubernetes-admin', token: given ?? (await token(cluster)), insecure: true });
    },
  };
}
