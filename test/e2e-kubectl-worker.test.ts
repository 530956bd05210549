import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../harness/kubectl.ts';
import { freshWorkerCluster, type WorkerTestCluster } from './helpers/sharedWorker.ts';

/**
 * kubectl in depth on the Cloudflare Worker (the Node entry has the same in
 * e2e-apply, e2e-resources and protobuf): apply/diff/edit/patch/label/annotate/
 * scale/explain, and the protobuf bodies of `kubectl create`.
 */
const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    app: x\nspec:\n  containers:\n  - name: web\n    image: ${image}\n`;
const configMap = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data });

describe('kubectl apply, edit, patch and create on the Cloudflare Worker', () => {
  let worker: WorkerTestCluster;
  let kubectl: Kubectl;
  before(async () => {
    worker = await freshWorkerCluster();
    kubectl = new Kubectl(await worker.kubeconfig());
  });
  after(() => worker.close());

  it('apply (with OpenAPI validation) creates, diff shows a change, apply again configures', async () => {
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: pod('nginx:1.27') })).trim(), 'pod/x created');
    const diff = await kubectl.run(['diff', '-f', '-'], { input: pod('nginx:1.28') });
    assert.equal(diff.code, 1, diff.stderr);
    assert.match(diff.stdout, /^-\s+(- )?image: nginx:1\.27$/m);
    assert.match(diff.stdout, /^\+\s+(- )?image: nginx:1\.28$/m);
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: pod('nginx:1.28') })).trim(), 'pod/x configured');
    assert.equal(await kubectl.ok(['get', 'pod', 'x', '-o', 'jsonpath={.spec.containers[0].image}']), 'nginx:1.28');
    await kubectl.ok(['apply', '-f', '-'], { input: configMap({ a: '1' }) });
    assert.match(await kubectl.ok(['apply', '-f', '-'], { input: configMap({ a: '1', b: '2' }) }), /configmap\/settings configured/);
  });

  it('edit with $EDITOR, the three patch types, label and annotate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'editor-'));
    const editor = join(dir, 'edit.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/nginx:1.28/nginx:1.29/" "$1"\n');
    chmodSync(editor, 0o755);
    assert.equal((await kubectl.ok(['edit', 'pod', 'x'], { env: { EDITOR: editor } })).trim(), 'pod/x edited');
    assert.equal(await kubectl.ok(['get', 'pod', 'x', '-o', 'jsonpath={.spec.containers[0].image}']), 'nginx:1.29');
    await kubectl.ok(['patch', 'pod', 'x', '-p', '{"spec":{"containers":[{"name":"web","image":"nginx:1.30"}]}}']);
    await kubectl.ok(['patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"c":"3"}}']);
    await kubectl.ok(['patch', 'configmap', 'settings', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']);
    assert.deepEqual(JSON.parse(await kubectl.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data}'])), { b: '2', c: '3' });
    assert.equal(await kubectl.ok(['get', 'pod', 'x', '-o', 'jsonpath={.spec.containers[0].image}']), 'nginx:1.30');
    await kubectl.ok(['label', 'pod', 'x', 'tier=web']);
    await kubectl.ok(['annotate', 'pod', 'x', 'note=hi']);
    const got = parse(await kubectl.ok(['get', 'pod', 'x', '-o', 'yaml']));
    assert.equal(got.metadata.labels.tier, 'web');
    assert.equal(got.metadata.annotations.note, 'hi');
  });

  it('create (protobuf bodies) for the everyday kinds, scale, auth can-i and explain', async () => {
    for (const args of [
      ['create', 'namespace', 'team'],
      ['create', 'configmap', 'c', '--from-literal=a=b'],
      ['create', 'secret', 'generic', 's', '--from-literal=p=q'],
      ['create', 'deployment', 'web', '--image=nginx'],
      ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'],
      ['create', 'serviceaccount', 'robot'],
    ]) await kubectl.ok(args);
    assert.equal(await kubectl.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.p}']), Buffer.from('q').toString('base64'));
    assert.match(await kubectl.ok(['get', 'svc', 'svc']), /^svc\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s/m);
    assert.equal((await kubectl.ok(['scale', 'deployment', 'web', '--replicas=3'])).trim(), 'deployment.apps/web scaled');
    assert.equal(await kubectl.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
    assert.equal((await kubectl.ok(['auth', 'can-i', 'get', 'pods'])).trim(), 'yes');
    const explain = await kubectl.ok(['explain', 'pods.spec.containers']);
    assert.match(explain, /FIELDS:/);
    assert.match(explain, /^\s+image\s+<string>/m);
  });
});
