import { ApiError } from '../apimachinery/errors.ts';
import { discardQueue, type Ports } from '../ports.ts';
import type { Catalog } from '../registry/catalog.ts';
import { ensureCertificateAuthority, readCertificateAuthority } from '../registry/certificateAuthority.ts';
import { Registry } from '../registry/generic.ts';
import type { KubeObject } from '../registry/types.ts';
import { MemoryStore } from '../storage/memory.ts';
import { ClusterGoneError, clusterPrefix } from '../storage/store.ts';
import { bootstrapCluster } from './bootstrap.ts';
import { writeBootstrapPolicy } from './bootstrapPolicy.ts';
import { writeSystemObjects } from './bootstrapSystem.ts';
import { writeGatewayApi } from './bootstrapGatewayApi.ts';
import { clusterRecordKey, readClusterRecord, type ClusterRecord } from './clusters.ts';
import { readHistory, type ClusterHistory, type HistoryOptions } from './history.ts';
import { encodeSnapshot, gzip, identityPrefix, snapshotOf, type Snapshot, type SnapshotRecord } from './snapshot.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { CertificateAuthority } from '../apimachinery/x509.ts';

/** Creates, changes and removes whole clusters: what sits behind the admin API. */
export interface ClusterProvisioner {
  /** The cluster's fresh content (or a snapshot's), then its record: it exists only once complete. */
  provision(record: ClusterRecord, snapshot?: Snapshot): Promise<void>;
  /** The cluster's snapshot file (gzip'd JSON lines, see snapshot.ts); undefined once it is gone. */
  snapshot(name: string): Promise<Uint8Array | undefined>;
  /** Replaces the cluster's content with a snapshot's, keeping its identity; the control plane re-levels. */
  restore(name: string, snapshot: Snapshot): Promise<RestoreResult>;
  /** What changed in the cluster, from its change log. */
  history(name: string, options: HistoryOptions): Promise<ClusterHistory>;
  updateRecord(record: ClusterRecord): Promise<void>;
  /** Removes every key, log entry and revision of the cluster. Idempotent. */
  drop(name: string): Promise<void>;
  /** How many objects the cluster holds; undefined once it is gone (the directory may not know yet). */
  objectCount(name: string): Promise<number | undefined>;
  /** The record the cluster itself keeps (the authority on whether it exists), or null. */
  record(name: string): Promise<ClusterRecord | null>;
  /** A user's own namespace in the cluster: made if missing, with `edit` bound to the user there. */
  grantNamespace(name: string, grant: NamespaceGrant): Promise<void>;
  /** The cluster's CA (made now if it has none), to issue a client certificate with. */
  certificateAuthority(name: string): Promise<CertificateAuthority>;
}

export interface NamespaceGrant { namespace: string; user: string }

/** What a restore did: the revision the cluster continues from, and how many objects it holds now. */
export interface RestoreResult { revision: number; objects: number }

/** Writes a cluster's content and record into a Store through the generic registry. */
export async function provisionInStore(ports: Ports, catalog: Catalog, record: ClusterRecord, snapshot?: Snapshot): Promise<void> {
  await ports.store.createCluster(record.name);
  // Expiry first: every item written from here on carries it, instead of each being stamped after.
  await stampExpiry(ports, record);
  const ca = await ensureCertificateAuthority(ports.store.cluster(record.name), ports.clock.now());
  await restoreContent(ports, record.name, snapshot?.records ?? await freshContent(ports, catalog, record, ca.certificate), ca.certificate);
  await putRecord(ports, record);
  // The content came in one step with no change events: the control plane looks at the whole cluster once (it exists now).
  await ports.queue.send({ kind: 'resync', cluster: record.name });
}

/**
 * A new cluster's objects, made through the generic registry (admission, defaults, validation)
 * in a scratch memory store and written to the real one in one step, as a snapshot is: a few
 * hundred objects cost a handful of batch writes instead of a transaction each (on DynamoDB Local,
 * a create took ~1.5 s and 0.8 CPU-s of the server before, 0.4–1.1 s and ~0.2 after). All of them carry one resourceVersion,
 * as after an etcd restore; nothing a client does depends on their being apart.
 */
async function freshContent(ports: Ports, catalog: Catalog, record: ClusterRecord, caCertificate: string): Promise<SnapshotRecord[]> {
  const scratch = new MemoryStore();
  await scratch.createCluster(record.name);
  const registry = new Registry(catalog, { ...ports, store: scratch, queue: discardQueue }, record.name);
  await bootstrapCluster(registry, { nodes: record.nodes, version: record.kubernetesVersion, caCertificate });
  await writeBootstrapPolicy(registry);
  await writeSystemObjects(registry);
  await writeGatewayApi(registry);
  const prefix = clusterPrefix(record.name);
  const { items } = await scratch.cluster(record.name).list(prefix);
  return items.map((kv) => ({ key: kv.key.slice(prefix.length), value: kv.value }));
}

/** The cluster's snapshot: every object read at one revision, gzip'd. */
async function takeSnapshot(ports: Ports, name: string): Promise<Uint8Array | undefined> {
  const store = ports.store.cluster(name);
  try {
    const record = await readClusterRecord(store);
    if (!record) return undefined;
    const { items, revision } = await store.list(clusterPrefix(name));
    return await gzip(encodeSnapshot(snapshotOf(record, items, revision, timestamp(ports.clock.now()))));
  } catch (err) {
    if (err instanceof ClusterGoneError) return undefined; // dropped meanwhile
    throw err;
  }
}

const rootCAKey = /^core\/configmaps\/[^/]+\/kube-root-ca\.crt$/;

/**
 * A snapshot's objects as this cluster stores them. The `kube-root-ca.crt` ConfigMaps (what
 * kube-controller-manager's root-ca-cert-publisher keeps in every namespace) name this
 * cluster's CA, not the one the snapshot was taken under: the CA is the cluster's identity.
 */
function ownRecords(name: string, records: SnapshotRecord[], caCertificate: string | undefined) {
  const prefix = clusterPrefix(name);
  return records.map(({ key, value }) => {
    if (caCertificate && rootCAKey.test(key)) {
      const configMap = JSON.parse(value) as { data?: Record<string, string> };
      if (configMap.data?.['ca.crt'] !== caCertificate) value = JSON.stringify({ ...configMap, data: { ...configMap.data, 'ca.crt': caCertificate } });
    }
    return { key: prefix + key, value };
  });
}

/** The snapshot's objects replace the cluster's; its record and CA stay (see ClusterStore.restore for revisions and watches). */
async function restoreContent(ports: Ports, name: string, records: SnapshotRecord[], caCertificate: string | undefined): Promise<RestoreResult> {
  const revision = await ports.store.cluster(name).restore(ownRecords(name, records, caCertificate), [identityPrefix(name)]);
  // The traces of this process describe writes the restore replaced.
  ports.traces?.forget(name);
  return { revision, objects: records.length };
}

/** A restore in place: the content, then one resync so the controllers, scheduler and kubelets re-level from it. */
async function restoreInStore(ports: Ports, name: string, snapshot: Snapshot): Promise<RestoreResult> {
  const result = await restoreContent(ports, name, snapshot.records, (await readCertificateAuthority(ports.store.cluster(name)))?.certificate);
  await ports.queue.send({ kind: 'resync', cluster: name });
  return result;
}

/** Where the store expires items itself (DynamoDB's TTL), the cluster's items get the record's expiry. */
async function stampExpiry(ports: Ports, record: ClusterRecord): Promise<void> {
  if (record.expiresAt) await ports.store.expireCluster?.(record.name, new Date(record.expiresAt));
}

/** A changed record (an extended expiry): every item is stamped again, then the record written. */
async function writeRecord(ports: Ports, record: ClusterRecord): Promise<void> {
  await stampExpiry(ports, record);
  await putRecord(ports, record);
}

async function putRecord(ports: Ports, record: ClusterRecord): Promise<void> {
  const store = ports.store.cluster(record.name);
  const key = clusterRecordKey(record.name);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await store.get(key);
    const result = current ? await store.update(key, JSON.stringify(record), current.modRevision) : await store.create(key, JSON.stringify(record));
    if (result.ok) return;
  }
  throw new Error(`could not write the record of cluster ${record.name}`);
}

/**
 * `kubectl create namespace <ns>` and `kubectl create rolebinding <user>-edit --clusterrole=edit
 * --user=<user> -n <ns>`, as the cluster admin would type them: what lets several students
 * share one cluster, each with edit rights in their own namespace only. Idempotent.
 */
export async function grantNamespaceInStore(ports: Ports, catalog: Catalog, cluster: string, grant: NamespaceGrant): Promise<void> {
  const registry = new Registry(catalog, ports, cluster);
  const ensure = async (group: string, plural: string, namespace: string | undefined, obj: KubeObject) => {
    try {
      await registry.create(catalog.find(group, 'v1', plural)!, namespace, obj);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  };
  await ensure('', 'namespaces', undefined, { metadata: { name: grant.namespace } });
  await ensure('rbac.authorization.k8s.io', 'rolebindings', grant.namespace, {
    metadata: { name: `${grant.user}-edit` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: grant.user }],
  });
}

/** The provisioner for Node: clusters live in the same Store (memory or DynamoDB). */
export function storeProvisioner(ports: Ports, catalog: Catalog): ClusterProvisioner {
  return {
    provision: (record, snapshot) => provisionInStore(ports, catalog, record, snapshot),
    snapshot: (name) => takeSnapshot(ports, name),
    restore: (name, snapshot) => restoreInStore(ports, name, snapshot),
    history: (name, options) => readHistory(ports.store.cluster(name), options),
    updateRecord: (record) => writeRecord(ports, record),
    drop: (name) => ports.store.dropCluster(name),
    async objectCount(name) {
      // The cluster's own keys (its record, its CA) are not objects.
      const store = ports.store.cluster(name);
      try {
        if (!(await readClusterRecord(store))) return undefined;
        return Math.max(0, (await store.usage()).objects - await store.count(`${clusterPrefix(name)}apiserverless.dev/`));
      } catch (err) {
        if (err instanceof ClusterGoneError) return undefined; // dropped while being counted
        throw err;
      }
    },
    record: (name) => readClusterRecord(ports.store.cluster(name)),
    grantNamespace: (name, grant) => grantNamespaceInStore(ports, catalog, name, grant),
    certificateAuthority: (name) => ensureCertificateAuthority(ports.store.cluster(name), ports.clock.now()),
  };
}
