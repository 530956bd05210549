import { randomBytes } from 'node:crypto';
import { call } from '../../src/client/https.ts';
import { hmacKeys } from '../../src/server/keys.ts';
import { kubeconfig } from '../../src/tenancy/kubeconfig.ts';
import { testSecret } from '../../harness/server.ts';

/** A server that hosts many clusters: its root (the admin API) and the admin token, signing with the test secret. */
export interface ClusterHost {
  url: string;
  adminToken: string;
}

/**
 * A cluster of a test's own on a shared server; `default` (or no name) means this cluster.
 * Clusters are left to go with the server: deleting them would only add work for it (each
 * queued event of a deleted cluster is retried for a while) while other files run.
 */
export interface FreshCluster<S extends ClusterHost = ClusterHost> {
  /** This cluster's API root, as its kubeconfig names it. */
  url: string;
  name: string;
  server: S;
  token(cluster?: string, options?: { exp?: number; sub?: string; groups?: string[] }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  /** Nothing to do: the cluster goes with the server, which runs on for the other tests. */
  close(): Promise<void>;
}

const keys = hmacKeys(testSecret);

/** Creates a fresh cluster (two nodes, as the default cluster) on `server` through the admin API. */
export async function freshClusterOn<S extends ClusterHost>(server: S): Promise<FreshCluster<S>> {
  const name = `t-${randomBytes(5).toString('hex')}`;
  // A connection of its own: one kept alive since an earlier call may be closing under this one.
  const headers = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json', connection: 'close' };
  // Provisioning is a few hundred writes: on DynamoDB Local with the suite's load beside it, seconds.
  const created = await call(`${server.url}/clusters`, { method: 'POST', headers, body: JSON.stringify({ name, ttl: '6h' }), insecure: true, timeoutMs: 60_000 });
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
