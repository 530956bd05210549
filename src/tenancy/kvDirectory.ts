import type { KVNamespace } from '../types/cloudflare.ts';
import type { ClusterDirectory, ClusterRecord } from './clusters.ts';

/**
 * The cluster directory in Workers KV: read from every location, written only
 * when a cluster is created, extended or deleted. KV is eventually consistent
 * and has no compare-and-swap, so it is never the authority on whether a
 * cluster exists — each cluster's Durable Object is (it refuses a second
 * create of the same name). Entries expire by themselves a minute after their
 * cluster, so an abandoned entry cannot outlive it for long.
 */
export function kvDirectory(kv: KVNamespace): ClusterDirectory {
  const key = (name: string) => `cluster/${name}`;
  const put = (record: ClusterRecord) => kv.put(key(record.name), JSON.stringify(record),
    record.expiresAt ? { expiration: Math.floor(Date.parse(record.expiresAt) / 1000) + 60 } : {});
  return {
    async create(record) {
      if (await kv.get(key(record.name))) return false;
      await put(record);
      return true;
    },
    async get(name) {
      const value = await kv.get(key(name));
      return value ? (JSON.parse(value) as ClusterRecord) : null;
    },
    async list() {
      const out: ClusterRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix: 'cluster/', cursor });
        const values = await Promise.all(page.keys.map((k) => kv.get(k.name)));
        for (const v of values) if (v) out.push(JSON.parse(v) as ClusterRecord);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return out;
    },
    put,
    async delete(name) {
      await kv.delete(key(name));
    },
  };
}
