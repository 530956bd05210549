import { Hono, type Context } from 'hono';
import { kubernetesVersion } from '../apimachinery/version.ts';
import type { Clock, Keys } from '../ports.ts';
import { decodeDocument, mediaType, readBody } from '../server/codec.ts';
import { ApiError, alreadyExists, badRequest, forbidden, internalError, methodNotAllowed, notFound, unauthorized } from '../apimachinery/errors.ts';
import { clusterNameRe, isExpired, parseDuration, parseTtl, type ClusterDirectory, type ClusterRecord } from './clusters.ts';
import { maxSnapshotBytes, readSnapshot, type Snapshot } from './snapshot.ts';
import { defaultLimits } from './quotas.ts';
import { kubeconfig } from './kubeconfig.ts';
import type { ClusterProvisioner } from './provision.ts';
import { timestamp } from '../apimachinery/time.ts';

export interface AdminOptions {
  directory: ClusterDirectory;
  provisioner: ClusterProvisioner;
  keys: Keys;
  clock: Clock;
  /** The admin bearer token; without one the admin API answers 403. */
  adminToken?: string;
  /** The URL users reach this deployment at; default: the request's origin. */
  publicUrl?: string;
  defaultTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** The shortest ttl allowed (60 s; tests of expiry lower it). */
  minTtlSeconds?: number;
  maxNodes?: number;
  /** The largest snapshot file a restore reads (default: room for a cluster at the default byte budget). */
  maxSnapshotBytes?: number;
}

/** A body that is a snapshot file, not a JSON spec: `POST /clusters` with one creates the cluster from it. */
export const snapshotMediaTypes = new Set(['application/gzip', 'application/x-gzip', 'application/x-ndjson', 'application/jsonl', 'application/octet-stream']);

const clusters = { group: 'apiserverless.dev', resource: 'clusters' };

/** Constant-time comparison, so the admin token can't be guessed byte by byte from timings. */
function sameSecret(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a), eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

const isLocalHost = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

function nodeNames(input: unknown, maxNodes: number): string[] {
  if (input === undefined || input === null) return ['controlplane', 'node01'];
  if (typeof input === 'number' && Number.isInteger(input) && input >= 1 && input <= maxNodes) {
    return ['controlplane', ...Array.from({ length: input - 1 }, (_, i) => `node${String(i + 1).padStart(2, '0')}`)];
  }
  if (Array.isArray(input) && input.length >= 1 && input.length <= maxNodes && input.every((n) => typeof n === 'string' && clusterNameRe.test(n)) && new Set(input).size === input.length) {
    return input as string[];
  }
  throw badRequest(`nodes must be a count between 1 and ${maxNodes} or a list of distinct DNS-label names`);
}

/**
 * The root admin API: create, get, list, delete and extend ephemeral clusters.
 * A created cluster comes with a kubeconfig whose token expires with it.
 */
export function adminApp(options: AdminOptions) {
  const { directory, provisioner, keys, clock } = options;
  const defaultTtl = options.defaultTtlSeconds ?? 4 * 3600;
  const maxTtl = options.maxTtlSeconds ?? 7 * 86400;
  const minTtl = options.minTtlSeconds ?? 60;
  const maxNodes = options.maxNodes ?? 50;
  const app = new Hono();
  // This app is served on its own (at the Worker's edge, or mounted whole by createApp), so it renders
  // its own errors as metav1.Status; Hono's default would answer a wrong admin token with a bare 500.
  app.onError((err, c) => {
    const apiError = err instanceof ApiError ? err : internalError('an unexpected error occurred');
    if (!(err instanceof ApiError)) console.error(`internal error in the cluster admin API: ${(err as Error).stack ?? String(err)}`);
    return c.json(apiError.toStatus(), apiError.code as 400, apiError.headers);
  });
  // Only /clusters and /clusters/<name> reach this app: an unmatched request is a method those paths lack.
  app.notFound(() => { throw methodNotAllowed(); });

  app.use('*', async (c, next) => {
    if (!options.adminToken) throw forbidden('the cluster admin API is disabled: set ADMIN_TOKEN to enable it');
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/.exec(header)?.[1];
    if (!token || !sameSecret(token, options.adminToken)) throw unauthorized();
    await next();
  });

  const serverUrl = (c: Context, name: string) => `${(options.publicUrl || new URL(c.req.url).origin).replace(/\/$/, '')}/clusters/${name}`;

  async function issue(c: Context, record: ClusterRecord, user?: UserGrant): Promise<string> {
    const token = user ? await userToken(keys, record, clock, user.name, user.groups) : await adminToken(keys, record, clock);
    const server = serverUrl(c, record.name);
    return kubeconfig({ server, cluster: record.name, user: user?.name ?? 'kubernetes-admin', token, insecure: isLocalHost(new URL(server).hostname), namespace: user?.namespace });
  }

  async function clusterObject(c: Context, record: ClusterRecord, withCount = true) {
    const now = clock.now();
    const objectCount = withCount ? await provisioner.objectCount(record.name) : undefined;
    if (withCount && objectCount === undefined) return undefined; // gone: the directory has not caught up
    return {
      apiVersion: 'apiserverless.dev/v1', kind: 'Cluster',
      metadata: { name: record.name, uid: record.uid, creationTimestamp: record.createdAt },
      spec: { nodes: record.nodes, kubernetesVersion: record.kubernetesVersion },
      status: {
        phase: isExpired(record, now) ? 'Expired' : 'Ready',
        createdAt: record.createdAt, expiresAt: record.expiresAt, server: serverUrl(c, record.name),
        ...(objectCount === undefined ? {} : { objectCount }),
      },
    };
  }

  async function body(c: Context): Promise<Record<string, unknown>> {
    const bytes = await readBody(c.req.raw, 64 * 1024);
    if (!bytes.byteLength) return {};
    const doc = decodeDocument(bytes, c.req.header('content-type') ?? 'application/json');
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw badRequest('the request body must be a JSON object');
    return doc as Record<string, unknown>;
  }

  app.get('/clusters', async (c) => {
    const records = (await directory.list()).filter((r) => !isExpired(r, clock.now()));
    // A cluster dropped between the directory's list and its count is left out, as it is gone.
    const items = (await Promise.all(records.map((r) => clusterObject(c, r, c.req.query('objectCount') !== 'false')))).filter((item) => item !== undefined);
    return c.json({ apiVersion: 'apiserverless.dev/v1', kind: 'ClusterList', metadata: {}, items });
  });

  const maxSnapshot = options.maxSnapshotBytes ?? maxSnapshotBytes(defaultLimits.maxBytes);
  /** The snapshot a request carries, validated whole (a 400 naming what is wrong, before anything changes). */
  const snapshotIn = async (c: Context): Promise<Snapshot> => readSnapshot(await readBody(c.req.raw, maxSnapshot), maxSnapshot);

  /**
   * Creates a cluster: from a JSON spec, or from a snapshot file (`POST /clusters?name=bob&ttl=2h`
   * with the file as the body), which gives it the snapshot's objects, nodes and version under
   * an identity of its own (uid, CA, tokens): a whole class can start from one prepared state.
   */
  app.post('/clusters', async (c) => {
    const fromSnapshot = snapshotMediaTypes.has(mediaType(c.req.header('content-type') ?? null));
    const snapshot = fromSnapshot ? await snapshotIn(c) : undefined;
    const input: Record<string, unknown> = fromSnapshot ? { name: c.req.query('name'), ttl: c.req.query('ttl') } : await body(c);
    const name = input.name === undefined ? `cluster-${crypto.randomUUID().slice(0, 8)}` : input.name;
    if (typeof name !== 'string' || !clusterNameRe.test(name) || name === 'default') {
      throw new ApiError(422, 'Invalid', `Cluster "${String(name)}" is invalid: metadata.name: Invalid value: ${JSON.stringify(name)}: must be a DNS label (lower case letters, digits and '-', at most 63 characters) other than "default"`, { name: String(name), kind: 'Cluster', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] });
    }
    const ttl = parseTtl(input.ttl as string | number | undefined, defaultTtl, maxTtl, minTtl);
    const version = snapshot?.header.cluster.kubernetesVersion ?? (input.kubernetesVersion === undefined ? kubernetesVersion : input.kubernetesVersion);
    if (typeof version !== 'string' || !/^v1\.\d{1,2}\.\d{1,2}$/.test(version)) throw badRequest('kubernetesVersion must look like v1.35.0');
    const now = clock.now();
    const record: ClusterRecord = {
      name, uid: crypto.randomUUID(), createdAt: timestamp(now), expiresAt: timestamp(new Date(now.getTime() + ttl * 1000)),
      nodes: snapshot ? nodeNames(snapshot.header.cluster.nodes, maxNodes) : nodeNames(input.nodes, maxNodes), kubernetesVersion: version,
    };
    const existing = await directory.get(name);
    if (existing && isExpired(existing, now)) await removeCluster(name);
    if (!(await directory.create(record))) throw alreadyExists(clusters, name);
    try {
      await provisioner.provision(record, snapshot);
    } catch (err) {
      // Someone else's cluster of that name (a race the directory lost) stays untouched.
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) await removeCluster(name);
      throw err;
    }
    return c.json({ cluster: await clusterObject(c, record, false), kubeconfig: await issue(c, record) }, 201);
  });

  async function live(name: string): Promise<ClusterRecord> {
    const record = await directory.get(name);
    if (!record || isExpired(record, clock.now())) throw notFound(clusters, name);
    return record;
  }

  /** The local `default` cluster (no expiry): made on first ask, then its kubeconfig. Only the admin can ask. */
  app.put('/clusters/default', async (c) => {
    const record = await ensureDefaultCluster(directory, provisioner, clock);
    return c.json({ cluster: await clusterObject(c, record, false), kubeconfig: await issue(c, record) });
  });

  app.get('/clusters/:name', async (c) => {
    const record = await live(c.req.param('name'));
    const cluster = await clusterObject(c, record);
    if (!cluster) throw notFound(clusters, record.name);
    return c.json(c.req.query('kubeconfig') === 'true' ? { cluster, kubeconfig: await issue(c, record) } : cluster);
  });

  /**
   * A kubeconfig for a non-admin identity in the cluster (`apiserverless user create`): a token
   * bound to the cluster's uid like the admin's, for user `name` in `groups`. With `namespace`,
   * that namespace is made and the user gets `edit` in it (and only there), and the
   * kubeconfig's context defaults to it.
   */
  app.post('/clusters/:name/users', async (c) => {
    const record = await live(c.req.param('name'));
    const input = await body(c);
    const grant = userGrant(input);
    if (grant.namespace) await provisioner.grantNamespace(record.name, { namespace: grant.namespace, user: grant.name });
    const user = { name: grant.name, groups: grant.groups, ...(grant.namespace ? { namespace: grant.namespace } : {}) };
    // `certificate`: a client certificate from the cluster's CA instead of a token (`expired`: one that already ran out).
    if (input.certificate !== undefined) {
      const expired = (input.certificate as { expired?: unknown } | null)?.expired === true;
      const now = clock.now().getTime();
      const day = 86_400_000;
      const validity = expired ? { notBefore: now - 366 * day, notAfter: now - day } : { notBefore: now - 5 * 60_000, notAfter: record.expiresAt ? Date.parse(record.expiresAt) : now + 365 * day };
      const { issueClientCertificate } = await import('../apimachinery/x509.ts');
      const certificate = await issueClientCertificate(await provisioner.certificateAuthority(record.name), { commonName: grant.name, organizations: grant.groups }, validity);
      const server = serverUrl(c, record.name);
      const config = kubeconfig({ server, cluster: record.name, user: grant.name, certificate, insecure: isLocalHost(new URL(server).hostname), namespace: grant.namespace });
      return c.json({ user, certificate: { notBefore: new Date(validity.notBefore).toISOString(), notAfter: new Date(validity.notAfter).toISOString() }, kubeconfig: config }, 201);
    }
    return c.json({ user, kubeconfig: await issue(c, record, grant) }, 201);
  });

  /**
   * The cluster's snapshot (etcdctl's `snapshot save`): every object at one revision, as a
   * gzip'd JSON lines file (format in snapshot.ts).
   */
  app.get('/clusters/:name/snapshot', async (c) => {
    const record = await live(c.req.param('name'));
    const file = await provisioner.snapshot(record.name);
    if (!file) throw notFound(clusters, record.name);
    return c.body(file as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="${record.name}.snap"` });
  });

  /**
   * Restore (etcdutl's `snapshot restore`, in place): the cluster's objects become the
   * snapshot's. The cluster keeps its identity (name, uid, expiry, CA), so its kubeconfigs go on
   * working, as a kubeadm cluster's certificates do after an etcd restore; its revision moves on
   * past every earlier one and the older ones are compacted, so no resourceVersion goes backwards
   * and watches from before get 410 Gone and relist. A snapshot of another cluster (another
   * name or uid, which includes an earlier cluster of the same name) is refused unless
   * `?fromOtherCluster=true`: restoring bob's work into alice's cluster by mistake loses hers.
   */
  app.put('/clusters/:name/snapshot', async (c) => {
    const record = await live(c.req.param('name'));
    const snapshot = await snapshotIn(c);
    const of = snapshot.header.cluster;
    if ((of.name !== record.name || of.uid !== record.uid) && c.req.query('fromOtherCluster') !== 'true') {
      throw badRequest(`the snapshot is of cluster "${of.name}" (uid ${of.uid}), not of cluster "${record.name}" (uid ${record.uid}): to restore another cluster's snapshot into it, pass fromOtherCluster=true (apiserverless cluster restore --from-other-cluster)`);
    }
    const result = await provisioner.restore(record.name, snapshot);
    return c.json({
      apiVersion: 'apiserverless.dev/v1', kind: 'ClusterRestore', cluster: record.name,
      snapshot: { cluster: of.name, uid: of.uid, revision: snapshot.header.revision, takenAt: snapshot.header.takenAt },
      revision: result.revision, objects: result.objects,
    });
  });

  /** What changed, in revision order, from the cluster's change log (`?since=10m`, `?events=true`). */
  app.get('/clusters/:name/history', async (c) => {
    const record = await live(c.req.param('name'));
    const since = c.req.query('since');
    const sinceTime = since ? new Date(clock.now().getTime() - parseDuration(since, 'since') * 1000) : undefined;
    return c.json(await provisioner.history(record.name, { ...(sinceTime ? { since: sinceTime } : {}), events: c.req.query('events') === 'true' }));
  });

  /** Extend: the new expiry is `ttl` after the later of now and the current expiry; tokens are reissued. */
  app.patch('/clusters/:name', async (c) => {
    const record = await live(c.req.param('name'));
    const input = await body(c);
    const ttl = parseTtl(input.ttl as string | number | undefined, 3600, maxTtl, minTtl);
    const from = Math.max(clock.now().getTime(), record.expiresAt ? Date.parse(record.expiresAt) : 0);
    const expiresAt = new Date(Math.min(from + ttl * 1000, Date.parse(record.createdAt) + maxTtl * 1000));
    const next: ClusterRecord = { ...record, expiresAt: timestamp(expiresAt) };
    await provisioner.updateRecord(next);
    await directory.put(next);
    return c.json({ cluster: await clusterObject(c, next, false), kubeconfig: await issue(c, next) });
  });

  async function removeCluster(name: string): Promise<void> {
    await provisioner.drop(name);
    await directory.delete(name);
  }

  app.delete('/clusters/:name', async (c) => {
    const name = c.req.param('name');
    if (!clusterNameRe.test(name)) throw notFound(clusters, name);
    await removeCluster(name);
    return c.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: clusters.group, kind: clusters.resource }, code: 200 });
  });

  return app;
}

interface UserGrant { name: string; groups: string[]; namespace?: string }

const invalidUser = (field: string, value: unknown, detail: string) =>
  new ApiError(422, 'Invalid', `User "${typeof value === 'string' ? value : ''}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, { kind: 'User', causes: [{ reason: 'FieldValueInvalid', field }] });

/** A user name or group as kube takes them: any non-empty text without control characters (kube's own `system:` names included). */
const isIdentity = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 253 && !/[\u0000-\u001f\u007f]/.test(value);

function userGrant(input: Record<string, unknown>): UserGrant {
  const { name, groups = [], namespace } = input;
  if (!isIdentity(name)) throw invalidUser('name', name ?? '', 'must be a non-empty user name of at most 253 characters');
  if (!Array.isArray(groups) || groups.length > 32 || !groups.every(isIdentity)) throw invalidUser('groups', groups, 'must be a list of at most 32 non-empty group names');
  if (namespace !== undefined && (typeof namespace !== 'string' || !clusterNameRe.test(namespace))) {
    throw invalidUser('namespace', namespace, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  }
  return { name, groups: [...new Set(groups as string[])], ...(namespace ? { namespace } : {}) };
}

/** A user's token: bound to the cluster's uid, ending with the cluster (or in a year), in system:authenticated. */
export function userToken(keys: Keys, record: ClusterRecord, clock: Clock, user: string, groups: string[]): Promise<string> {
  const exp = record.expiresAt ? Math.floor(Date.parse(record.expiresAt) / 1000) : Math.floor(clock.now().getTime() / 1000) + nonExpiringTokenSeconds;
  return keys.sign({ sub: user, groups: [...groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'], cluster: record.name, clusterUid: record.uid, exp });
}

/** A year, as kubeadm's admin.conf certificate: tokens of clusters that never expire still do. */
const nonExpiringTokenSeconds = 365 * 86400;

/** The cluster admin's token: bound to the cluster's uid, ending with the cluster (or in a year). */
export function adminToken(keys: Keys, record: ClusterRecord, clock: Clock): Promise<string> {
  return userToken(keys, record, clock, 'kubernetes-admin', ['system:masters']);
}

/** The `default` cluster, provisioned if it does not exist yet, and listed in the directory. */
export async function ensureDefaultCluster(directory: ClusterDirectory, provisioner: ClusterProvisioner, clock: Clock): Promise<ClusterRecord> {
  for (;;) {
    const record = await provisioner.record('default');
    if (record) {
      const listed = await directory.get('default');
      if (listed?.uid !== record.uid) await directory.put(record);
      return record;
    }
    const candidate: ClusterRecord = {
      name: 'default', uid: crypto.randomUUID(), createdAt: timestamp(clock.now()), expiresAt: null,
      nodes: ['controlplane', 'node01'], kubernetesVersion,
    };
    // The directory entry is the claim: of the processes that start at once on a new
    // deployment (Lambda instances, cold), one provisions; the others wait for its record.
    if (await directory.create(candidate)) {
      await provisioner.provision(candidate);
      return candidate;
    }
    const claimed = await waitForDefaultRecord(provisioner, clock);
    if (claimed) return claimed;
    // Claimed long ago and never provisioned (its process died half-way): the claim is void.
    const stale = await directory.get('default');
    if (stale && clock.now().getTime() - Date.parse(stale.createdAt) > defaultClaimTimeoutMs) await directory.delete('default');
  }
}

/** How long a claim on the default cluster may stay unprovisioned before another process takes over. */
const defaultClaimTimeoutMs = 120_000;

/** The default cluster's record once its claimant has provisioned it (null after a while without). */
async function waitForDefaultRecord(provisioner: ClusterProvisioner, clock: Clock): Promise<ClusterRecord | null> {
  const until = clock.now().getTime() + 30_000;
  while (clock.now().getTime() < until) {
    const record = await provisioner.record('default');
    if (record) return record;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return null;
}

/** Deletes every expired cluster; run by a timer on Node and the cron trigger on Cloudflare. */
export async function sweepExpired(directory: ClusterDirectory, provisioner: ClusterProvisioner, clock: Clock): Promise<string[]> {
  const removed: string[] = [];
  for (const record of await directory.list()) {
    if (!isExpired(record, clock.now())) continue;
    await provisioner.drop(record.name);
    await directory.delete(record.name);
    removed.push(record.name);
  }
  return removed;
}
