import { systemClock } from '../ports.ts';
import { alreadyExists } from '../apimachinery/errors.ts';
import { hmacKeys } from '../server/keys.ts';
import { adminApp } from '../tenancy/admin.ts';
import { kvDirectory } from '../tenancy/kvDirectory.ts';
import type { ClusterRecord } from '../tenancy/clusters.ts';
import type { ClusterProvisioner } from '../tenancy/provision.ts';
import { callCluster } from './call-cluster.ts';
import type { WorkerEnv } from './worker-env.ts';

/** Clusters on Cloudflare: each is its own Durable Object, listed in Workers KV. */
export function workerProvisioner(env: WorkerEnv): ClusterProvisioner {
  const ok = async (response: Response, what: string) => {
    if (response.status === 409) throw alreadyExists({ group: 'apiserverless.dev', resource: 'clusters' }, what);
    if (!response.ok) throw new Error(`cluster object answered ${response.status} to ${what}`);
    return response;
  };
  return {
    async provision(record) { await ok(await callCluster(env, record.name, 'provision', record), record.name); },
    async updateRecord(record) { await ok(await callCluster(env, record.name, 'record', record), record.name); },
    async drop(name) { await ok(await callCluster(env, name, 'drop'), name); },
    async objectCount(name) {
      const response = await ok(await callCluster(env, name, 'count'), name);
      return ((await response.json()) as { count: number | null }).count ?? undefined;
    },
    async grantNamespace(name, grant) { await ok(await callCluster(env, name, 'grant', grant), name); },
    async record(name) {
      const response = await ok(await callCluster(env, name, 'read-record'), name);
      return ((await response.json()) as { record: ClusterRecord | null }).record;
    },
  };
}

export function workerDirectory(env: WorkerEnv) {
  return kvDirectory(env.REGISTRY);
}

let cached: { env: WorkerEnv; app: ReturnType<typeof adminApp> } | undefined;

/** The admin API at the edge: it never needs a cluster's data, only its object. */
export function workerAdmin(env: WorkerEnv) {
  if (cached?.env !== env) {
    cached = {
      env,
      app: adminApp({
        directory: workerDirectory(env), provisioner: workerProvisioner(env), keys: hmacKeys(env.JWT_SECRET), clock: systemClock,
        adminToken: env.ADMIN_TOKEN, publicUrl: env.PUBLIC_URL,
        ...(Number(env.MIN_TTL_SECONDS) > 0 ? { minTtlSeconds: Number(env.MIN_TTL_SECONDS) } : {}),
      }),
    };
  }
  return cached.app;
}
