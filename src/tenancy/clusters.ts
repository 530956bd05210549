import { clusterPrefix, type ClusterStore, type Store } from '../storage/store.ts';
import { badRequest } from '../apimachinery/errors.ts';

/** An ephemeral cluster, as the admin API and the directory know it. */
export interface ClusterRecord {
  name: string;
  uid: string;
  createdAt: string;
  /** null: never expires (the local `default` cluster). */
  expiresAt: string | null;
  nodes: string[];
  kubernetesVersion: string;
}

export const clusterNameRe = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Where a cluster keeps its own record: inside its own keyspace, so dropping the cluster drops it. */
export const clusterRecordKey = (cluster: string) => `${clusterPrefix(cluster)}apiserverless.dev/clusters/${cluster}`;

export async function readClusterRecord(store: ClusterStore): Promise<ClusterRecord | null> {
  const kv = await store.get(clusterRecordKey(store.cluster));
  return kv ? (JSON.parse(kv.value) as ClusterRecord) : null;
}

export const isExpired = (record: ClusterRecord, now: Date) => record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime();

/** Seconds in `90s`, `30m`, `2h`, `1d`, `1h30m`, or plain seconds; a 400 naming `what` otherwise. */
export function parseDuration(value: string, what: string): number {
  if (/^\d{1,12}$/.test(value)) return Number(value);
  // Bounded before the scan: a duration is a few characters.
  const parts = value.length <= 64 ? [...value.matchAll(/(\d{1,12})([smhd])/g)] : [];
  if (!parts.length || parts.map((p) => p[0]).join('') !== value) throw badRequest(`invalid ${what} "${value.slice(0, 64)}": use a duration like 90s, 30m, 2h or 1d`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** `90s`, `30m`, `2h`, `1d`, `1h30m`, or plain seconds. */
export function parseTtl(value: string | number | undefined, fallbackSeconds: number, maxSeconds: number, minSeconds = 60): number {
  if (value === undefined || value === '') return fallbackSeconds;
  // The value comes from a request body: an object, list, boolean or null is the client's mistake, not a crash
  if (typeof value !== 'string' && typeof value !== 'number') throw badRequest('invalid ttl: use a duration like 90s, 30m, 2h or 1d, or a number of seconds');
  const seconds = typeof value === 'number' ? value : parseDuration(value, 'ttl');
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > maxSeconds) throw badRequest(`invalid ttl: must be between ${minSeconds} seconds and ${maxSeconds} seconds`);
  return seconds;
}

/** The list of clusters, for listing and expiry sweeps (not for authorizing requests). */
export interface ClusterDirectory {
  /** False when the name is taken. */
  create(record: ClusterRecord): Promise<boolean>;
  get(name: string): Promise<ClusterRecord | null>;
  list(): Promise<ClusterRecord[]>;
  put(record: ClusterRecord): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * A directory kept in any Store, in a reserved keyspace whose name no cluster
 * can have (cluster names are DNS labels; `_directory` is not one).
 */
export function storeDirectory(store: Store): ClusterDirectory {
  let created: Promise<void> | undefined;
  const dir = () => store.cluster('_directory');
  /** The directory's keyspace is made on its first write (a no-op where it exists). */
  const writable = async () => { await (created ??= store.createCluster('_directory')); return dir(); };
  const key = (name: string) => `${clusterPrefix('_directory')}clusters/${name}`;
  return {
    async create(record) {
      return (await (await writable()).create(key(record.name), JSON.stringify(record))).ok;
    },
    async get(name) {
      const kv = await dir().get(key(name));
      return kv ? (JSON.parse(kv.value) as ClusterRecord) : null;
    },
    async list() {
      const out: ClusterRecord[] = [];
      let startAfter: string | undefined;
      for (;;) {
        const page = await dir().list('/registry/_directory/clusters/', { startAfter, limit: 500 });
        out.push(...page.items.map((kv) => JSON.parse(kv.value) as ClusterRecord));
        if (!page.more || !page.items.length) return out;
        startAfter = page.items[page.items.length - 1].key;
      }
    },
    async put(record) {
      const d = await writable();
      for (let attempt = 0; attempt < 10; attempt++) {
        const current = await d.get(key(record.name));
        const result = current ? await d.update(key(record.name), JSON.stringify(record), current.modRevision) : await d.create(key(record.name), JSON.stringify(record));
        if (result.ok) return;
      }
      throw new Error(`could not update the directory entry of cluster ${record.name}`);
    },
    async delete(name) {
      await (await writable()).delete(key(name));
    },
  };
}
