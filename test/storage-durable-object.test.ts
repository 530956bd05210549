import { after } from 'node:test';
import { defaultLogBounds } from '../src/storage/store.ts';
import { HttpStore } from '../harness/httpStore.ts';
import { storeContract } from './helpers/storeContract.ts';
import { startWorker, type TestWorker } from '../harness/worker.ts';

/**
 * The store contract on the `durable-object` backend: each cluster's SQLite Durable Object
 * in workerd (wrangler dev), driven over the Worker's test-only store routes.
 * Every test gets Durable Objects of its own.
 */
let worker: Promise<TestWorker> | undefined;
let run = 0;
after(async () => { if (worker) await (await worker).close(); });

storeContract('durable-object (SQLite Durable Object in workerd)', async () => {
  const w = await (worker ??= startWorker());
  // The Durable Object's store keeps the default bounds.
  return { store: new HttpStore(w.url, `t${++run}-`), close: async () => {}, logBytes: defaultLogBounds.bytes };
});
