import { MemoryStore } from '../src/storage/memory.ts';
import type { ClusterStore, Store } from '../src/storage/store.ts';

/** The writes a test store may step into; everything else passes through. */
type Writes = Pick<ClusterStore, 'create' | 'update' | 'delete' | 'restore'>;

/** A memory store whose clusters' writes go through `writes(inner)` (a test's hook or count), reads straight to memory. */
export function wrappedMemoryStore(writes: (inner: ClusterStore) => Writes): Store {
  const wrap = (store: ClusterStore): ClusterStore => ({
    get cluster() { return store.cluster; },
    get: (key) => store.get(key), list: (p, o) => store.list(p, o), count: (p) => store.count(p), watch: (p, r) => store.watch(p, r),
    currentRevision: () => store.currentRevision(), compact: (r) => store.compact(r), usage: () => store.usage(), changes: (a, l) => store.changes(a, l),
    ...writes(store),
  });
  const memory = new MemoryStore();
  return { cluster: (name) => wrap(memory.cluster(name)), createCluster: (name) => memory.createCluster(name), dropCluster: (name) => memory.dropCluster(name) };
}

/** A memory store that counts every write (create, update, delete): idle clusters must make none. */
export function countingStore(): { store: Store; writes(): number; reset(): void } {
  let writes = 0;
  const store = wrappedMemoryStore((inner) => ({
    restore: (records, keep) => { writes++; return inner.restore(records, keep); },
    create: (key, v) => { writes++; return inner.create(key, v); },
    update: (key, v, r) => { writes++; return inner.update(key, v, r); },
    delete: (key, r) => { writes++; return inner.delete(key, r); },
  }));
  return {
    store,
    writes: () => writes,
    reset: () => { writes = 0; },
  };
}
