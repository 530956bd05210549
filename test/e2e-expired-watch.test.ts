import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterStore } from '../src/storage/store.ts';
import { Kubectl, KubectlProcess } from '../harness/kubectl.ts';
import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

interface Opened { store: ClusterStore; kubeconfig(): Promise<string>; close(): Promise<void> }

/** A watch from a compacted resourceVersion answers 410 Expired, and a fresh list-then-watch works. */
function expiredWatch(label: string, open: () => Promise<Opened>) {
  describe(`watch from compacted history (${label})`, () => {
    let entry: Opened;
    let kubectl: Kubectl;
    before(async () => {
      entry = await open();
      kubectl = new Kubectl(await entry.kubeconfig());
    });
    after(() => entry.close());

    it('answers 410 Expired for a compacted resourceVersion, and kubectl get -w relists and follows', async () => {
      for (let i = 0; i < 5; i++) await kubectl.ok(['create', 'configmap', `c${i}`, `--from-literal=i=${i}`]);
      const store = entry.store;
      await store.compact(await store.currentRevision());
      const expired = await kubectl.run(['get', '--raw', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2']);
      assert.notEqual(expired.code, 0);
      assert.match(expired.stderr + expired.stdout, /(Expired|Gone).*too old resource version|"code":410/s);
      const watch = new KubectlProcess(kubectl, ['get', 'configmaps', '-w']);
      try {
        await watch.waitFor(/^c4\s/m);
        await kubectl.ok(['create', 'configmap', 'after-compaction']);
        await watch.waitFor(/^after-compaction\s/m);
      } finally {
        await watch.stop();
      }
    });
  });
}

expiredWatch('Node entry', async () => {
  const server = await startNodeServer();
  return { store: server.ports.store.cluster('default'), kubeconfig: () => server.kubeconfig(), close: () => server.close() };
});
expiredWatch('Cloudflare Worker', async () => {
  const cluster = await freshWorkerCluster();
  return { store: cluster.server.store.cluster(cluster.name), kubeconfig: () => cluster.kubeconfig(), close: () => cluster.close() };
});
