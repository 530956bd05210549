import { MemoryStore } from '../src/storage/memory.ts';
import type { ClusterStore, Store } from '../src/storage/store.ts';

/** A memory store that counts every write (create, update, delete): idle clusters must make none. */
export function countingStore(): { store: Store; writes(): number; reset(): void } {
  let writes = 0;
  const counted = (store: ClusterStore): ClusterStore => ({
    get cluster() { return store.cluster; },
    get: (key) => store.get(key), list: (p, o) => store.list(p, o), count: (p) => store.count(p), watch: (p, r) => store.watch(p, r),
    currentRevision: () => store.currentRevision(), compact: (r) => store.compact(r), usage: () => store.usage(), changes: (a, l) => store.changes(a, l),
    restore: (records, keep) => { writes++; return store.restore(records, keep); },
    create: (key, v) => { writes++; return store.create(key, v); },
    update: (key, v, r) => { writes++; return store.update(key, v, r); },
    delete: (key, r) => { writes++; return store.delete(key, r); },
  });
  const memory = new MemoryStore();
  return {
    store: { cluster: (name) => counted(memory.cluster(name)), createCluster: (name) => memory.createCluster(name), dropCluster: (name) => memory.dropCluster(name) },
    writes: () => writes,
    reset: () => { writes = 0; },
  };
}
