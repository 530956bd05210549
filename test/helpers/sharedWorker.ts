import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { insecureRequest } from '../../src/client/https.ts';
import { hmacKeys } from '../../src/server/keys.ts';
import { kubeconfig } from '../../src/tenancy/kubeconfig.ts';
import { HttpStore } from '../../harness/httpStore.ts';
import { testSecret } from '../../harness/server.ts';
import { adminTestToken, startWorker, type TestWorker } from '../../harness/worker.ts';

/**
 * One workerd for many tests: booting it costs seconds of CPU, a
 * cluster on a running one costs a request. Each test takes a fresh cluster of
 * its own (that is what clusters are for); tests that read the server's log,
 * restart it or need other settings keep starting their own with startWorker.
 */

/** Set by the test launcher (test/run.ts) to the URL of the Worker it runs for the whole suite. */
export const sharedWorkerVariable = 'APISERVERLESS_TEST_WORKER_URL';

/** What the shared server runs with beyond the test defaults: the tenancy tests make clusters that live for seconds. */
export const sharedWorkerVars: Record<string, string> = { MIN_TTL_SECONDS: '1' };

export interface SharedWorker {
  /** The server's root: the admin API, the default cluster, the test-only store routes. */
  url: string;
  adminToken: string;
  /** Every cluster's Durable Object, over the test-only store routes. */
  store: HttpStore;
}

let own: Promise<string> | undefined;

/** The launcher's Worker, or (a file run on its own) one for this process, stopped when it exits. */
export async function sharedWorker(): Promise<SharedWorker> {
  const url = process.env[sharedWorkerVariable] ?? (await (own ??= startForThisProcess()));
  return { url, adminToken: adminTestToken, store: new HttpStore(url) };
}

async function startForThisProcess(): Promise<string> {
  const worker = await startWorker({ vars: sharedWorkerVars });
  // The file's tests may end in any order, so none of them stops it: the file's end does
  // (and startWorker's watchdog, if this process is killed outright).
  started = worker;
  return worker.url;
}

let started: TestWorker | undefined;
// Registered as this module loads, so on the file's root: it runs once every test of the file has ended.
after(() => started?.close());

/**
 * A cluster of a test's own on the shared Worker; `default` (or no name) means this cluster.
 * Clusters are left to go with the server: deleting them would only add work for it (each
 * queued event of a deleted cluster is retried for a while) while other files run.
 */
export interface WorkerTestCluster {
  /** This cluster's API root, as its kubeconfig names it. */
  url: string;
  name: string;
  server: SharedWorker;
  token(cluster?: string, options?: { exp?: number; sub?: string; groups?: string[] }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  /** Nothing to do: the cluster goes with the server, which runs on for the other tests. */
  close(): Promise<void>;
}

const keys = hmacKeys(testSecret);

/** Creates a fresh cluster (two nodes, as the default cluster) on the shared Worker through the admin API. */
export async function freshWorkerCluster(): Promise<WorkerTestCluster> {
  const server = await sharedWorker();
  const name = `t-${randomBytes(5).toString('hex')}`;
  // A connection of its own: one kept alive since an earlier call may be closing under this one.
  const headers = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json', connection: 'close' };
  const created = await insecureRequest('POST', `${server.url}/clusters`, headers, JSON.stringify({ name, ttl: '6h' }));
  if (created.status !== 201) throw new Error(`POST /clusters answered ${created.status}: ${created.body}`);
  const uid = (JSON.parse(created.body) as { cluster: { metadata: { uid: string } } }).cluster.metadata.uid;
  const url = `${server.url}/clusters/${name}`;
  const own = (cluster?: string) => (cluster === undefined || cluster === 'default' ? name : cluster);
  const token = (cluster?: string, o: { exp?: number; sub?: string; groups?: string[] } = {}) =>
    keys.sign({ sub: o.sub ?? 'kubernetes-admin', groups: o.groups ?? ['system:masters', 'system:authenticated'], cluster: own(cluster), clusterUid: own(cluster) === name ? uid : 'no-such-cluster', exp: o.exp });
  return {
    url, name, server, token,
    async kubeconfig(cluster?: string, given?: string) {
      const target = own(cluster);
      return kubeconfig({ server: `${server.url}/clusters/${target}`, cluster: target, user: 'kubernetes-admin', token: given ?? (await token(target)), insecure: true });
    },
    async close() {},
  };
}
