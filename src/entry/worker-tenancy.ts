import type { CertificateAuthority } from '../apimachinery/x509.ts';
import { systemClock } from '../ports.ts';
import { alreadyExists, ApiError, type Status } from '../apimachinery/errors.ts';
import { hmacKeys } from '../server/keys.ts';
import { adminApp } from '../tenancy/admin.ts';
import { kvDirectory } from '../tenancy/kvDirectory.ts';
import type { ClusterRecord } from '../tenancy/clusters.ts';
import type { ClusterProvisioner, RestoreResult } from '../tenancy/provision.ts';
import type { ClusterHistory } from '../tenancy/history.ts';
import { encodeSnapshot, maxSnapshotBytes } from '../tenancy/snapshot.ts';
import { limitsFromEnv } from '../tenancy/quotas.ts';
import { callCluster } from './call-cluster.ts';
import type { WorkerEnv } from './worker-env.ts';

/** Clusters on Cloudflare: each is its own Durable Object, listed in Workers KV. */
export function workerProvisioner(env: WorkerEnv): ClusterProvisioner {
  const ok = async (response: Response, what: string) => {
    if (response.status === 409) throw alreadyExists({ group: 'apiserverless.dev', resource: 'clusters' }, what);
    // A client's mistake the object found (a snapshot too large for the budget): the same Status here.
    if (response.status >= 400 && response.status < 500 && response.headers.get('content-type')?.startsWith('application/json')) {
      const status = (await response.json()) as Partial<Status>;
      if (status.kind === 'Status' && status.reason) throw new ApiError(response.status, status.reason, status.message ?? '', status.details, status.details?.retryAfterSeconds !== undefined ? { 'Retry-After': String(status.details.retryAfterSeconds) } : {});
    }
    if (!response.ok) throw new Error(`cluster object answered ${response.status} to ${what}`);
    return response;
  };
  return {
    async provision(record, snapshot) {
      // With a snapshot: the record's line, then the snapshot's lines (validated again where they are restored).
      const body = snapshot ? `${JSON.stringify(record)}\n${encodeSnapshot(snapshot)}` : record;
      await ok(await callCluster(env, record.name, 'provision', body), record.name);
    },
    async snapshot(name) {
      const response = await callCluster(env, name, 'snapshot');
      if (response.status === 404) return undefined;
      return new Uint8Array(await (await ok(response, name)).arrayBuffer());
    },
    async restore(name, snapshot) {
      return (await (await ok(await callCluster(env, name, 'restore', encodeSnapshot(snapshot)), name)).json()) as RestoreResult;
    },
    async history(name, options) {
      const body = { ...(options.since ? { since: options.since.toISOString() } : {}), events: options.events ?? false };
      return (await (await ok(await callCluster(env, name, 'history', body), name)).json()) as ClusterHistory;
    },
    async updateRecord(record) { await ok(await callCluster(env, record.name, 'record', record), record.name); },
    async drop(name) { await ok(await callCluster(env, name, 'drop'), name); },
    async objectCount(name) {
      const response = await ok(await callCluster(env, name, 'count'), name);
      return ((await response.json()) as { count: number | null }).count ?? undefined;
    },
    async grantNamespace(name, grant) { await ok(await callCluster(env, name, 'grant', grant), name); },
    async certificateAuthority(name) {
      return ((await (await ok(await callCluster(env, name, 'certificate-authority'), name)).json()) as { ca: CertificateAuthority }).ca;
    },
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
        maxSnapshotBytes: maxSnapshotBytes(limitsFromEnv(env as unknown as Record<string, string | undefined>).maxBytes),
        ...(Number(env.MIN_TTL_SECONDS) > 0 ? { minTtlSeconds: Number(env.MIN_TTL_SECONDS) } : {}),
      }),
    };
  }
  return cached.app;
}
