import { tooLarge, tooManyRequests } from '../apimachinery/errors.ts';
import type { Clock } from '../ports.ts';
import { bootstrapPolicyFootprint } from './bootstrapPolicy.ts';
import {
  kvBytes, recordBytes, wrapClusters,
  type ClusterStore, type KeyValue, type ListOptions, type Store, type Usage, type WriteResult,
} from '../storage/store.ts';

/** What one cluster may hold: the store-level budgets every write path meets. */
export interface StorageBudget {
  maxObjects: number;
  /** Bytes of keys and values (UTF-8) the cluster may hold. */
  maxBytes: number;
}

/**
 * 429 for a create past the cluster's object limit. Only a delete frees room, so no wait is
 * worth advising: Retry-After 0 lets kubectl retry at once (client-go does, ten times) and then
 * print this message, instead of sleeping a second between tries.
 */
const objectLimitReached = (cluster: string, maxObjects: number) =>
  tooManyRequests(`cluster "${cluster}" has reached its limit of ${maxObjects} objects: delete some before creating more`, 0);

const byteLimitReached = (cluster: string, maxBytes: number) =>
  tooManyRequests(`cluster "${cluster}" has reached its storage limit of ${maxBytes} bytes (${mebibytes(maxBytes)}): delete or shrink objects before writing more`, 0);

/**
 * Events say why something failed, so they must fit when the cluster is full of objects
 * (a FailedCreate event explains the refused create): the object limit does not apply to
 * them. Their bytes still count, so they cannot fill memory either.
 */
const isEvent = (key: string) => /^\/registry\/[^/]+\/(core|events\.k8s\.io)\/events\//.test(key);

/** A restore whose records would not fit: a permanent answer (413), not a wait. */
const snapshotTooLarge = (cluster: string, objects: number, bytes: number, maxObjects: number, maxBytes: number) =>
  tooLarge(`the snapshot holds ${objects} objects and ${bytes} bytes (${mebibytes(bytes)}): cluster "${cluster}" may hold ${maxObjects} objects and ${maxBytes} bytes (${mebibytes(maxBytes)})`);

const mebibytes = (bytes: number) => `${Math.round((bytes / 1048576) * 10) / 10} MiB`;

/** Usage as this process last knew it, moved by each write it made since the last recount. */
interface Known extends Usage { readAt: number }

/**
 * A Store whose clusters cannot grow past their budget, whoever writes: the API (create,
 * update, server-side apply), controllers, the scheduler and kubelets all reach the store
 * through it. Usage is recounted from the backend every `recountMs` and moved by each
 * write in between; on a backend shared by several processes (DynamoDB) each may overshoot
 * by what it wrote since its last recount. Deletes are never refused.
 * Reserved keyspaces (names starting with `_`, such as the cluster directory) are not budgeted.
 */
export function budgetedStore(store: Store, budget: StorageBudget, clock: Clock, recountMs = 5_000): Store {
  const known = new Map<ClusterStore, Known>();
  async function usage(inner: ClusterStore): Promise<Known> {
    const now = clock.now().getTime();
    let k = known.get(inner);
    if (!k || now - k.readAt > recountMs) {
      k = { ...(await inner.usage()), readAt: now };
      known.set(inner, k);
      if (known.size > 10_000) known.delete(known.keys().next().value!);
    }
    return k;
  }
  const moved = (inner: ClusterStore, objects: number, bytes: number) => {
    const k = known.get(inner);
    if (k) { k.objects += objects; k.bytes += bytes; }
  };
  const sizeOf = (kv: KeyValue | undefined) => (kv ? kvBytes(kv) : 0);

  function wrap(inner: ClusterStore): ClusterStore {
    // The RBAC bootstrap policy every cluster is given is not the student's: its room is added to the budget.
    const system = bootstrapPolicyFootprint(inner.cluster);
    // Read at each write: the budget may be changed while the server runs (tests do).
    const maxObjects = () => budget.maxObjects + system.objects, maxBytes = () => budget.maxBytes + system.bytes;
    return {
      get cluster() { return inner.cluster; },
      get: (key) => inner.get(key),
      list: (prefix: string, options?: ListOptions) => inner.list(prefix, options),
      ...(inner.listMany ? { listMany: (prefixes: string[]) => inner.listMany!(prefixes) } : {}),
      count: (prefix) => inner.count(prefix),
      watch: (prefix, from) => inner.watch(prefix, from),
      currentRevision: () => inner.currentRevision(),
      compact: (revision) => inner.compact(revision),
      usage: () => inner.usage(),
      async create(key, value): Promise<WriteResult> {
        const k = await usage(inner);
        if (k.objects + 1 > maxObjects() && !isEvent(key)) throw objectLimitReached(inner.cluster, budget.maxObjects);
        const size = recordBytes(key, value);
        if (k.bytes + size > maxBytes()) throw byteLimitReached(inner.cluster, budget.maxBytes);
        const result = await inner.create(key, value);
        if (result.ok) moved(inner, 1, size);
        return result;
      },
      async update(key, value, expectedRevision): Promise<WriteResult> {
        const k = await usage(inner);
        const size = recordBytes(key, value);
        // Only a write that might not fit pays for reading what it replaces.
        if (k.bytes + size > maxBytes()) {
          const current = await inner.get(key);
          if (current && k.bytes + size - sizeOf(current) > maxBytes()) throw byteLimitReached(inner.cluster, budget.maxBytes);
        }
        const result = await inner.update(key, value, expectedRevision);
        if (result.ok) moved(inner, 0, size - sizeOf(result.prevKv));
        return result;
      },
      changes: (after, limit) => inner.changes(after, limit),
      /** A restore meets the budget as a whole: what it writes plus the keys it keeps, counted as creates count. */
      async restore(records, keep): Promise<number> {
        let objects = 0, bytes = 0;
        for (const { key, value } of records) {
          if (!isEvent(key)) objects++;
          bytes += recordBytes(key, value);
        }
        for (const prefix of keep) {
          for (const kv of (await inner.list(prefix)).items) { objects++; bytes += kvBytes(kv); }
        }
        if (objects > maxObjects() || bytes > maxBytes()) throw snapshotTooLarge(inner.cluster, objects, bytes, budget.maxObjects, budget.maxBytes);
        try {
          return await inner.restore(records, keep);
        } finally {
          known.delete(inner); // recounted at the next write
        }
      },
      async delete(key, expectedRevision): Promise<WriteResult> {
        const result = await inner.delete(key, expectedRevision);
        if (result.ok) moved(inner, -1, -sizeOf(result.prevKv));
        return result;
      },
    };
  }

  return wrapClusters(store, wrap, (name) => name.startsWith('_'));
}
