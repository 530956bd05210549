import { discardQueue, type Ports } from '../ports.ts';
import type { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import { bootstrapCluster } from './bootstrap.ts';
import { writeBootstrapPolicy } from './bootstrapPolicy.ts';
import { clusterRecordKey, readClusterRecord, type ClusterRecord } from './clusters.ts';

/** Creates, changes and removes whole clusters: what sits behind the admin API. */
export interface ClusterProvisioner {
  /** The cluster's fresh content, then its record: it exists only once complete. */
  provision(record: ClusterRecord): Promise<void>;
  updateRecord(record: ClusterRecord): Promise<void>;
  /** Removes every key, log entry and revision of the cluster. Idempotent. */
  drop(name: string): Promise<void>;
  objectCount(name: string): Promise<number>;
  /** The record the cluster itself keeps (the authority on whether it exists), or null. */
  record(name: string): Promise<ClusterRecord | null>;
}

/** Writes a cluster's content and record into a Store through the generic registry. */
export async function provisionInStore(ports: Ports, catalog: Catalog, record: ClusterRecord): Promise<void> {
  await ports.store.createCluster(record.name);
  await bootstrapCluster(new Registry(catalog, ports, record.name), { nodes: record.nodes, version: record.kubernetesVersion });
  // The RBAC policy is written already aggregated and nothing acts on it: no change events.
  await writeBootstrapPolicy(new Registry(catalog, { ...ports, queue: discardQueue }, record.name));
  await writeRecord(ports, record);
}

async function writeRecord(ports: Ports, record: ClusterRecord): Promise<void> {
  if (record.expiresAt) await ports.store.expireCluster?.(record.name, new Date(record.expiresAt));
  const store = ports.store.cluster(record.name);
  const key = clusterRecordKey(record.name);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await store.get(key);
    const result = current ? await store.update(key, JSON.stringify(record), current.modRevision) : await store.create(key, JSON.stringify(record));
    if (result.ok) return;
  }
  throw new Error(`could not write the record of cluster ${record.name}`);
}

/** The provisioner for Node: clusters live in the same Store (memory or DynamoDB). */
export function storeProvisioner(ports: Ports, catalog: Catalog): ClusterProvisioner {
  return {
    provision: (record) => provisionInStore(ports, catalog, record),
    updateRecord: (record) => writeRecord(ports, record),
    drop: (name) => ports.store.dropCluster(name),
    async objectCount(name) {
      return Math.max(0, (await ports.store.cluster(name).usage()).objects - 1);
    },
    record: (name) => readClusterRecord(ports.store.cluster(name)),
  };
}
