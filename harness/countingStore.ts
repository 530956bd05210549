import { MemoryStore } from '../src/storage/memory.ts';
import type { ClusterStore, ListOptions, RestoredRecord, Store } from '../src/storage/store.ts';

/** What a test store steps into (writes to count or hook, a listMany to add); everything else passes through. */
type Steps = Partial<Omit<ClusterStore, 'cluster'>>;

/** A memory store whose clusters' operations go through `steps(inner)` where it gives them (a test's hook or count), the rest straight to memory. */
export function wrappedMemoryStore(steps: (inner: ClusterStore) => Steps): Store {
  const wrap = (store: ClusterStore): ClusterStore => Object.assign({
    get cluster() { return store.cluster; },
    get: (key: string) => store.get(key), list: (p: string, o?: ListOptions) => store.list(p, o), count: (p: string) => store.count(p), watch: (p: string, r: number) => store.watch(p, r),
    currentRevision: () => store.currentRevision(), compact: (r: number) => store.compact(r), usage: () => store.usage(), changes: (a: number, l: number) => store.changes(a, l),
    create: (k: string, v: string) => store.create(k, v), update: (k: string, v: string, r: number) => store.update(k, v, r), delete: (k: string, r?: number) => store.delete(k, r),
    restore: (records: RestoredRecord[], keep: string[]) => store.restore(records, keep),
  }, steps(store));
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
