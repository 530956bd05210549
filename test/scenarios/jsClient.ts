import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  ApiException, AppsV1Api, CoreV1Api, Exec, KubeConfig, KubernetesObjectApi, Log, PatchStrategy, Watch, makeInformer,
  setHeaderOptions, type KubernetesObject, type V1ConfigMap, type V1Pod, type V1Status,
} from '@kubernetes/client-node';
import type { Entry } from './core.ts';

/**
 * The official JavaScript client (@kubernetes/client-node, the version its README pairs with
 * Kubernetes 1.33+), driven as an application or an operator drives it: typed CRUD with its
 * errors, a strategic-merge patch, server-side apply through the generic object API (which reads
 * discovery), a watch, an informer's list-then-watch, logs and exec over its WebSocket. Nothing
 * here is our code on the client side: what the client sends is what the server must answer.
 */
export function jsClientScenario(label: string, open: () => Promise<Entry>): void {
  describe(`@kubernetes/client-node against the server (${label})`, () => {
    let entry: Entry;
    let config: KubeConfig;
    let core: CoreV1Api;
    before(async () => {
      entry = await open();
      config = new KubeConfig();
      config.loadFromString(await entry.kubeconfig());
      core = config.makeApiClient(CoreV1Api);
    });
    after(() => entry.close());

    it('reads nodes and namespaces as typed objects', async () => {
      const nodes = await core.listNode();
      assert.deepEqual(nodes.items.map((n) => n.metadata?.name).sort(), ['controlplane', 'node01']);
      assert.ok(nodes.items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')));
      const namespaces = await core.listNamespace();
      assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-system'));
    });

    it("answers the client's mistakes with a Status it decodes: 404, 409 on a stale update, 422", async () => {
      const missing = await core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }).catch((err: unknown) => err);
      assert.ok(missing instanceof ApiException, String(missing));
      assert.equal(missing.code, 404);
      const status = JSON.parse(missing.body as string) as V1Status;
      assert.equal(status.reason, 'NotFound');
      assert.equal(status.message, 'configmaps "nope" not found');

      const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings' }, data: { mode: 'a' } } });
      const fresh = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...created, data: { mode: 'b' } } });
      assert.equal(fresh.data?.mode, 'b');
      const stale = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...created, data: { mode: 'c' } } }).catch((err: unknown) => err);
      assert.ok(stale instanceof ApiException);
      assert.equal(stale.code, 409);
      assert.match((JSON.parse(stale.body as string) as V1Status).message ?? '', /^Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again$/);

      const invalid = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Not_Valid' } } }).catch((err: unknown) => err);
      assert.ok(invalid instanceof ApiException);
      assert.equal(invalid.code, 422);
      assert.equal((JSON.parse(invalid.body as string) as V1Status).reason, 'Invalid');
    });

    it('patches with strategic merge and applies server-side through the generic object API', async () => {
      const patched = await core.patchNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { data: { extra: 'yes' } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
      assert.deepEqual(patched.data, { mode: 'b', extra: 'yes' });

      // KubernetesObjectApi finds the resource's path from discovery, as kubectl does.
      const objects = KubernetesObjectApi.makeApiClient(config);
      const spec: KubernetesObject & { data: Record<string, string> } = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'default' }, data: { owner: 'js' } };
      const applied = await objects.patch(spec, undefined, undefined, 'js-operator', true, PatchStrategy.ServerSideApply) as V1ConfigMap;
      assert.equal(applied.data?.owner, 'js');
      assert.ok(applied.metadata?.managedFields?.some((m) => m.manager === 'js-operator' && m.operation === 'Apply'));
    });

    it("sees a Deployment's pod through an informer, follows its log and runs a command in it", async () => {
      const informer = makeInformer(config, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }), 'app=web');
      const running = new Promise<V1Pod>((resolve) => {
        const seen = (pod: V1Pod) => { if (pod.status?.phase === 'Running') resolve(pod); };
        informer.on('add', seen);
        informer.on('update', seen);
      });
      await informer.start();
      try {
        const apps = config.makeApiClient(AppsV1Api);
        await apps.createNamespacedDeployment({ namespace: 'default', body: {
          metadata: { name: 'web' },
          spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
        } });
        const pod = await running;
        assert.match(pod.metadata?.name ?? '', /^web-[a-z0-9]+-[a-z0-9]{5}$/);
        assert.ok(informer.list('default').some((p) => p.metadata?.name === pod.metadata?.name));

        const log = new PassThrough();
        let logText = '';
        log.on('data', (chunk: Buffer) => (logText += chunk.toString()));
        const ended = once(log, 'end'); // the client pipes the answer into the stream and ends it with the answer
        await new Log(config).log('default', pod.metadata!.name!, 'nginx', log, { follow: false });
        await ended;
        assert.match(logText, /Configuration complete; ready for start up/);

        const stdout = new PassThrough();
        let out = '';
        stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const exited = await new Promise<V1Status>((resolve) => {
          void new Exec(config).exec('default', pod.metadata!.name!, 'nginx', ['sh', '-c', 'echo from $HOSTNAME; exit 3'], stdout, null, null, false, resolve);
        });
        assert.equal(out.trim(), `from ${pod.metadata!.name}`);
        assert.equal(exited.status, 'Failure');
        assert.equal(exited.reason, 'NonZeroExitCode');
        assert.equal(exited.details?.causes?.find((c) => c.reason === 'ExitCode')?.message, '3');
      } finally {
        await informer.stop();
      }
    });

    it('watches from a resourceVersion: ADDED, MODIFIED, DELETED in order', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      const events: string[] = [];
      let abort: AbortController | undefined;
      const deleted = new Promise<void>((resolve, reject) => {
        void new Watch(config).watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
          (phase, object: V1ConfigMap) => {
            if (object.metadata?.name !== 'watched') return;
            events.push(`${phase} ${object.data?.v ?? ''}`.trim());
            if (phase === 'DELETED') resolve();
          },
          (err: unknown) => { if (err && !(err instanceof Error && err.name === 'AbortError')) reject(err instanceof Error ? err : new Error(String(err))); })
          .then((controller) => (abort = controller));
      });
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { v: '1' } } });
      await core.patchNamespacedConfigMap({ name: 'watched', namespace: 'default', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
      await deleted;
      abort?.abort();
      assert.deepEqual(events, ['ADDED 1', 'MODIFIED 2', 'DELETED 2']);
    });
  });
}
