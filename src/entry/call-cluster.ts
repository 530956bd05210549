import type { WorkerEnv } from './worker-env.ts';

export const clusterHeader = 'x-apiserverless-cluster';
export const internalHeader = 'x-apiserverless-internal';

/** Sends an internal call to the Durable Object that owns a cluster: a JSON body, or text as it is (a snapshot's lines). */
export function callCluster(env: WorkerEnv, cluster: string, op: string, body?: unknown): Promise<Response> {
  const stub = env.CLUSTERS.get(env.CLUSTERS.idFromName(cluster));
  const text = typeof body === 'string';
  return stub.fetch(new Request(`https://cluster.internal/__internal/${op}`, {
    method: 'POST', headers: { [clusterHeader]: cluster, [internalHeader]: '1', 'content-type': text ? 'application/x-ndjson' : 'application/json' },
    body: text ? body : body === undefined ? '{}' : JSON.stringify(body),
  }));
}
