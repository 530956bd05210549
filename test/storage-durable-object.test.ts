import { randomBytes } from 'node:crypto';
import { defaultLogBounds } from '../src/storage/store.ts';
import { HttpStore } from '../harness/httpStore.ts';
import { storeContract } from './helpers/storeContract.ts';
import { sharedWorker } from './helpers/sharedWorker.ts';

/**
 * The store contract on the `durable-object` backend: each cluster's SQLite Durable Object
 * in workerd (Miniflare), driven over the Worker's test-only store routes.
 * Every test gets Durable Objects of its own, named apart from other files' on the shared server.
 */
const prefix = `kv${randomBytes(4).toString('hex')}-`;
let run = 0;

storeContract('durable-object (SQLite Durable Object in workerd)', async () => {
  const { url } = await sharedWorker();
  // The Durable Object's store keeps the default bounds.
  return { store: new HttpStore(url, `${prefix}${++run}-`), close: async () => {}, logBytes: defaultLogBounds.bytes };
});
