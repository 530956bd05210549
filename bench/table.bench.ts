import { performance } from 'node:perf_hooks';
import { startNodeServer } from '../harness/server.ts';
import { toTable } from '../src/server/table.ts';
import { fmt, line, median } from './lib.ts';

/** Issue 5: LIST 1,000 pods rendered as a kubectl Table vs a plain JSON.stringify of the same objects. */
export async function run(): Promise<void> {
  const server = await startNodeServer();
  try {
    const registry = server.registry();
    const pods = server.catalog.find('', 'v1', 'pods')!;
    for (let i = 0; i < 1000; i++) {
      await registry.create(pods, 'default', { metadata: { name: `pod-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    }
    const { items, resourceVersion } = await registry.list(pods, 'default');
    const asTable: number[] = [], asJson: number[] = [];
    for (let round = 0; round < 30; round++) {
      let t = performance.now();
      JSON.stringify(toTable(pods, items, registry.ctx(), { resourceVersion }));
      asTable.push(performance.now() - t);
      t = performance.now();
      JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion }, items });
      asJson.push(performance.now() - t);
    }
    line('LIST 1,000 pods as Table (rows + stringify), median', `${fmt(median(asTable), 2)} ms`);
    line('baseline: JSON.stringify of the same 1,000 pods, median', `${fmt(median(asJson), 2)} ms`);
    line('ratio Table / JSON', `${fmt(median(asTable) / median(asJson), 2)}x`);
  } finally {
    await server.close();
  }
}
