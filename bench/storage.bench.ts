import { randomBytes } from 'node:crypto';
import { DynamoStore, ensureTable } from '../src/storage/dynamodb.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { ClusterStore } from '../src/storage/store.ts';
import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { HttpStore } from '../harness/httpStore.ts';
import { startWorker } from '../harness/worker.ts';
import { fmt } from './lib.ts';

const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { key: 'v'.repeat(400) } });

/** Writes (creates) and reads (gets) per second, 16 at a time, on one cluster's store. */
async function measure(store: ClusterStore, count: number): Promise<{ writes: number; reads: number }> {
  const keys = Array.from({ length: count }, (_, i) => `/registry/${store.cluster}/core/configmaps/default/cm-${i}`);
  const run = async (op: (key: string) => Promise<unknown>) => {
    const start = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => { while (next < keys.length) await op(keys[next++]); }));
    return count / ((performance.now() - start) / 1000);
  };
  const writes = await run(async (k) => { if (!(await store.create(k, value)).ok) throw new Error('create failed'); });
  const reads = await run(async (k) => { if (!(await store.get(k))) throw new Error('get failed'); });
  return { writes, reads };
}

/** Issue 3: each backend's raw throughput, as a ratio to the memory store measured in the same run. */
export async function run(): Promise<void> {
  const results: Array<[string, { writes: number; reads: number }]> = [];
  results.push(['memory', await measure(new MemoryStore().cluster('bench'), 20_000)]);
  const worker = await startWorker();
  try {
    results.push(['durable-object (SQLite Durable Object in workerd via Miniflare)', await measure(new HttpStore(worker.url, 'bench-').cluster('bench'), 2_000)]);
  } finally {
    await worker.close();
  }
  const local = await startDynamoDBLocal();
  try {
    const client = local.client();
    const table = `bench-${randomBytes(4).toString('hex')}`;
    await ensureTable(client, table);
    results.push(['dynamodb (DynamoDB Local)', await measure(new DynamoStore({ client, table }).cluster('bench'), 2_000)]);
    client.destroy();
  } finally {
    await local.stop();
  }
  const base = results[0][1];
  console.log(`${'backend (16 concurrent ops)'.padEnd(50)} ${'writes/s'.padStart(10)} ${'reads/s'.padStart(10)}   vs memory`);
  for (const [name, r] of results) {
    console.log(`${name.padEnd(50)} ${fmt(r.writes, 0).padStart(10)} ${fmt(r.reads, 0).padStart(10)}   ${fmt(r.writes / base.writes, 4)}x / ${fmt(r.reads / base.reads, 4)}x`);
  }
}
