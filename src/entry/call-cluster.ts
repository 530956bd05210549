import type { WorkerEnv } from './worker-env.ts';

export const clusterHeader = 'x-apiserverless-cluster';
export const internalHeader = 'x-apiserverless-internal';

/** Sends an internal call to the Durable Object that owns a cluster. */
export function callCluster(env: WorkerEnv, cluster: string, op: string, body?: unknown): Promise<Response> {
  const stub = env.CLUSTERS.get(env.CLUSTERS.idFromName(cluster));
  return stub.fetch(new Request(`https://cluster.internal/__internal/${op}`, {
    method: 'POST', headers: { [clusterHeader]: cluster, [internalHeader]: '1', 'content-type': 'application/json' },
    body: body === undefined ? '{}' : JSON.stringify(body),
  }));
}
