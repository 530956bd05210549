import { wrapClusters, type ClusterStore, type Store } from './store.ts';

/** What a paced store calls around each read and write of a cluster. */
export interface StorePacing {
  /** Before the operation: may wait (for a turn of the loop, for the cluster's share of it). */
  before(cluster: string): Promise<void>;
  /** After its answer. */
  after(cluster: string): void;
}

/**
 * A store whose every read and write waits on `pacing` first. The control plane is given one in
 * the Node entry (tenancy/controlPlaneShare.ts): on the memory store nothing it awaits gives the
 * loop back, so a kubelet pass writing the statuses of fifty new pods, or the events of their
 * starts, ran as one block on the loop every cluster shares, each other cluster's requests
 * waiting behind it. Paced operation by operation, such work is cut into turns and charged to
 * its cluster. Watches, compaction, restores and the clusters' lifecycle pass through unpaced.
 */
export function pacedStore(store: Store, pacing: StorePacing): Store {
  const wrap = (inner: ClusterStore): ClusterStore => {
    const cluster = inner.cluster;
    const paced = <A extends unknown[], R>(op: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      await pacing.before(cluster);
      try {
        return await op(...args);
      } finally {
        pacing.after(cluster);
      }
    };
    return {
      get cluster() { return inner.cluster; },
      get: paced((key) => inner.get(key)),
      list: paced((prefix, options) => inner.list(prefix, options)),
      ...(inner.listMany ? { listMany: paced((prefixes: string[]) => inner.listMany!(prefixes)) } : {}),
      count: paced((prefix) => inner.count(prefix)),
      create: paced((key, value) => inner.create(key, value)),
      update: paced((key, value, expectedRevision) => inner.update(key, value, expectedRevision)),
      delete: paced((key, expectedRevision) => inner.delete(key, expectedRevision)),
      currentRevision: paced(() => inner.currentRevision()),
      changes: paced((after, limit) => inner.changes(after, limit)),
      usage: paced(() => inner.usage()),
      watch: (prefix, from) => inner.watch(prefix, from),
      compact: (revision) => inner.compact(revision),
      restore: (records, keep) => inner.restore(records, keep),
    };
  };
  return wrapClusters(store, wrap);
}
