import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import type { Entry } from './core.ts';
import { timestamp } from '../../src/apimachinery/time.ts';

/** Everyday kubectl beyond get/create: paging, selectors, dry runs, cluster-info, describe with events, bulk delete. */
export function depthScenario(label: string, open: () => Promise<Entry>) {
  describe(`kubectl in depth (${label})`, () => {
    let server: Entry;
    let kubectl: Kubectl;
    before(async () => {
      server = await open();
      kubectl = new Kubectl(await server.kubeconfig());
      await kubectl.ok(['create', 'namespace', 'depth']);
      for (let i = 1; i <= 5; i++) await kubectl.ok(['run', `p${i}`, '--image=nginx', '-n', 'depth', `--labels=tier=t${i % 2},n=${i}`]);
    });
    after(() => server.close());

    it('--chunk-size=2 over 5 pods lists all 5, across continue tokens', async () => {
      const result = await kubectl.run(['get', 'pods', '-n', 'depth', '--chunk-size=2', '-v=6']);
      assert.equal(result.code, 0);
      for (let i = 1; i <= 5; i++) assert.match(result.stdout, new RegExp(`^p${i}\\s`, 'm'));
      assert.equal((result.stderr.match(/continue=/g) ?? []).length, 2, 'two follow-up pages');
    });

    it('label selectors with =, !=, in, notin, exists and !key', async () => {
      const names = async (selector: string) => (await kubectl.ok(['get', 'pods', '-n', 'depth', '-l', selector, '-o', 'name'])).trim().split('\n').filter(Boolean).sort();
      assert.deepEqual(await names('tier=t1'), ['pod/p1', 'pod/p3', 'pod/p5']);
      assert.deepEqual(await names('tier!=t1'), ['pod/p2', 'pod/p4']);
      assert.deepEqual(await names('n in (1,2)'), ['pod/p1', 'pod/p2']);
      assert.deepEqual(await names('n notin (1,2),tier'), ['pod/p3', 'pod/p4', 'pod/p5']);
      assert.deepEqual(await names('!tier'), []);
    });

    it('field selectors, and an unsupported field is a clear error', async () => {
      assert.equal((await kubectl.ok(['get', 'pods', '-n', 'depth', '--field-selector', 'metadata.name=p3', '-o', 'name'])).trim(), 'pod/p3');
      assert.equal((await kubectl.ok(['get', 'pods', '-n', 'depth', '--field-selector', 'status.phase=Succeeded', '-o', 'name'])).trim(), '');
      const bad = await kubectl.run(['get', 'pods', '-n', 'depth', '--field-selector', 'spec.nope=x']);
      assert.match(bad.stderr, /field label not supported: spec\.nope/);
    });

    it('--dry-run=server validates and stores nothing', async () => {
      assert.equal((await kubectl.ok(['run', 'dry', '--image=nginx', '-n', 'depth', '--dry-run=server'])).trim(), 'pod/dry created (server dry run)');
      assert.match((await kubectl.run(['get', 'pod', 'dry', '-n', 'depth'])).stderr, /pods "dry" not found/);
      assert.match((await kubectl.run(['delete', 'pod', 'p1', '-n', 'depth', '--dry-run=server'])).stdout, /pod "p1" deleted from depth namespace \(server dry run\)/);
      await kubectl.ok(['get', 'pod', 'p1', '-n', 'depth']);
    });

    it('cluster-info finds the control plane and CoreDNS', async () => {
      const out = await kubectl.ok(['cluster-info']);
      assert.match(out, /Kubernetes control plane is running at https:\/\//);
      assert.match(out, /CoreDNS is running at https:\/\/.*\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy/);
    });

    it('describe shows the events recorded for the object', async () => {
      const pod = parse(await kubectl.ok(['get', 'pod', 'p2', '-n', 'depth', '-o', 'yaml']));
      const event = {
        apiVersion: 'v1', kind: 'Event', metadata: { name: 'p2.demo', namespace: 'depth' },
        involvedObject: { kind: 'Pod', name: 'p2', namespace: 'depth', uid: pod.metadata.uid, apiVersion: 'v1' },
        reason: 'Demo', message: 'something worth knowing happened', type: 'Normal', count: 1,
        firstTimestamp: timestamp(Date.now()), lastTimestamp: timestamp(Date.now()),
        source: { component: 'depth-test' },
      };
      await kubectl.ok(['apply', '--validate=false', '-f', '-'], { input: JSON.stringify(event) });
      const described = await kubectl.ok(['describe', 'pod', 'p2', '-n', 'depth']);
      assert.match(described, /Events:\s*\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
      assert.match(described, /Normal\s+Demo\s+\S+\s+depth-test\s+something worth knowing happened/);
      assert.match(await kubectl.ok(['get', 'events', '-n', 'depth']), /Normal\s+Demo\s+pod\/p2\s+something worth knowing happened/);
    });

    it('server-side apply creates, then updates', async () => {
      const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: depth\ndata:\n  key: ${value}\n`;
      assert.equal((await kubectl.ok(['apply', '--server-side', '-f', '-'], { input: cm('one') })).trim(), 'configmap/ssa serverside-applied');
      await kubectl.ok(['apply', '--server-side', '-f', '-'], { input: cm('two') });
      assert.equal(await kubectl.ok(['get', 'cm', 'ssa', '-n', 'depth', '-o', 'jsonpath={.data.key}']), 'two');
    });

    it('delete --all with a selector, then deleting the namespace takes its contents with it', async () => {
      const out = await kubectl.ok(['delete', 'pods', '-n', 'depth', '-l', 'tier=t0']);
      assert.match(out, /pod "p2" deleted/);
      assert.match(out, /pod "p4" deleted/);
      assert.doesNotMatch(out, /p1|p3|p5/);
      await kubectl.ok(['delete', 'namespace', 'depth']);
      assert.match((await kubectl.run(['get', 'pods', '-n', 'depth'])).stderr + (await kubectl.run(['get', 'pods', '-n', 'depth'])).stdout, /No resources found|not found/);
      assert.match((await kubectl.run(['get', 'ns', 'depth'])).stderr, /namespaces "depth" not found/);
    });
  });
}
