import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { openScenario, type Entry } from './core.ts';

const deployment = (options: { replicas?: number; tier?: boolean; image?: string } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
${options.tier === false ? '' : '    tier: front\n'}spec:
${options.replicas === undefined ? '' : `  replicas: ${options.replicas}\n`}  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${options.image ?? 'nginx:1.27'}
        ports:
        - containerPort: 80
`;

interface Entry_ { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string }

/**
 * Server-side apply with field ownership, judged by the real kubectl v1.35: managedFields
 * recorded for each manager, conflicts with kube-apiserver's wording, --force-conflicts,
 * pruning of what an applier stops applying, and the Update entries of other writers.
 */
export function serverSideApplyScenario(label: string, open: () => Promise<Entry>) {
describe(`server-side apply and managedFields (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  const managed = async (args: string[]): Promise<Entry_[]> => parse(await kubectl.ok(['get', ...args, '-o', 'yaml', '--show-managed-fields'])).metadata.managedFields ?? [];
  const apply = (yaml: string, ...flags: string[]) => kubectl.run(['apply', '--server-side', ...flags, '-f', '-'], { input: yaml });

  it('apply --server-side creates, re-applies, and records an Apply entry kubectl hides unless asked', async () => {
    const created = await apply(deployment({ replicas: 2 }));
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'deployment.apps/web serverside-applied');
    const again = await apply(deployment({ replicas: 2 }));
    assert.equal(again.stdout.trim(), 'deployment.apps/web serverside-applied', again.stderr);

    const plain = parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    assert.equal(plain.metadata.managedFields, undefined, 'kubectl hides managedFields without --show-managed-fields');
    const entries = await managed(['deploy', 'web']);
    const applied = entries.find((e) => e.operation === 'Apply');
    assert.ok(applied, JSON.stringify(entries));
    assert.equal(applied.manager, 'kubectl');
    assert.equal(applied.apiVersion, 'apps/v1');
    assert.equal(applied.fieldsType, 'FieldsV1');
    assert.match(applied.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(applied.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
        },
      },
    });
    assert.equal(entries[0].operation, 'Apply', 'Apply entries come first');
  });

  it('a scale by another manager, then an apply changing replicas, is kube-apiserver\'s conflict', async () => {
    assert.equal((await kubectl.ok(['scale', 'deploy', 'web', '--replicas=3'])).trim(), 'deployment.apps/web scaled');
    const scaler = (await managed(['deploy', 'web'])).find((e) => e.subresource === 'scale');
    assert.ok(scaler, 'the scale is recorded as an Update through the scale subresource');
    assert.equal(scaler.operation, 'Update');
    assert.deepEqual(scaler.fieldsV1, { 'f:spec': { 'f:replicas': {} } });

    const conflicted = await apply(deployment({ replicas: 5 }));
    assert.notEqual(conflicted.code, 0);
    assert.match(conflicted.stderr, new RegExp(`^error: Apply failed with 1 conflict: conflict with "${scaler.manager}" with subresource "scale" using apps/v1: \\.spec\\.replicas$`, 'm'));
    assert.match(conflicted.stderr, /^Please review the fields above--they currently have other managers\. Here$/m);
    assert.match(conflicted.stderr, /--force-conflicts/);
    assert.equal(parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml'])).spec.replicas, 3, 'a conflicting apply changes nothing');

    // The same value is shared ownership, not a conflict.
    const shared = await apply(deployment({ replicas: 3 }));
    assert.equal(shared.code, 0, shared.stderr);
  });

  it('--force-conflicts takes the field from the other manager', async () => {
    const forced = await apply(deployment({ replicas: 5 }), '--force-conflicts');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml'])).spec.replicas, 5);
    const entries = await managed(['deploy', 'web']);
    assert.equal(entries.find((e) => e.subresource === 'scale'), undefined, 'the scaler owned nothing else: its entry is gone');
  });

  it('a field removed from the applied file is removed from the object', async () => {
    const applied = await apply(deployment({ replicas: 5, tier: false, image: 'nginx:1.28' }));
    assert.equal(applied.code, 0, applied.stderr);
    const obj = parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    assert.deepEqual(obj.metadata.labels, { app: 'web' });
    assert.equal(obj.spec.template.spec.containers[0].image, 'nginx:1.28');
    // Dropping replicas lets the default come back, as on a real cluster.
    assert.equal((await apply(deployment({ tier: false, image: 'nginx:1.28' }))).code, 0);
    assert.equal(parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml'])).spec.replicas, 1);
  });

  it('an edit by another manager conflicts too, naming that manager', async () => {
    const patched = await kubectl.run(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.29","ports":[{"containerPort":80}]}]}}}}']);
    assert.equal(patched.code, 0, patched.stderr);
    const conflicted = await apply(deployment({ tier: false, image: 'nginx:1.30' }));
    assert.match(conflicted.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1: \.spec\.template\.spec\.containers\[name="nginx"\]\.image$/m);
  });

  it('client-side apply still works afterwards', async () => {
    const out = await kubectl.run(['apply', '-f', '-'], { input: deployment({ replicas: 2, image: 'nginx:1.29' }) });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), 'deployment.apps/web configured');
    const obj = parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    assert.equal(obj.spec.replicas, 2);
    assert.equal(obj.metadata.labels.tier, 'front');
    const csa = (await managed(['deploy', 'web'])).find((e) => e.manager === 'kubectl-client-side-apply');
    assert.ok(csa, 'client-side apply is an Update by kubectl-client-side-apply');
    assert.equal(csa.operation, 'Update');
  });

  it('apply --subresource=status owns status in an Apply entry of its own', async () => {
    await kubectl.ok(['create', 'service', 'clusterip', 'lb', '--tcp=80:80']);
    const status = 'apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nstatus: {loadBalancer: {ingress: [{ip: 192.0.2.10}]}}\n';
    const out = await kubectl.run(['apply', '--server-side', '--subresource=status', '-f', '-'], { input: status });
    assert.equal(out.stdout.trim(), 'service/lb serverside-applied', out.stderr);
    const entry = (await managed(['svc', 'lb'])).find((e) => e.operation === 'Apply');
    assert.equal(entry?.subresource, 'status');
    assert.deepEqual(entry?.fieldsV1, { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } });
    assert.equal(parse(await kubectl.ok(['get', 'svc', 'lb', '-o', 'yaml'])).status.loadBalancer.ingress[0].ip, '192.0.2.10');
  });

  it('a custom resource merges by the CRD\'s x-kubernetes-list-type: two appliers own entries of one map-list', async () => {
    const spec = { type: 'object', properties: {
      ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
      hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    } };
    const crd = JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'routers.example.com' },
      spec: { group: 'example.com', names: { kind: 'Router', plural: 'routers' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }] },
    });
    assert.equal((await apply(crd)).code, 0);
    const router = (ports: string, hosts: string) => `apiVersion: example.com/v1\nkind: Router\nmetadata: {name: edge}\nspec: {ports: [${ports}], hosts: [${hosts}]}\n`;
    const alice = await apply(router('{name: http, port: 80}', 'a.example'), '--field-manager=alice');
    assert.equal(alice.stdout.trim(), 'router.example.com/edge serverside-applied', alice.stderr);
    assert.equal((await apply(router('{name: https, port: 443}', 'b.example'), '--field-manager=bob')).code, 0);
    const obj = parse(await kubectl.ok(['get', 'router', 'edge', '-o', 'yaml', '--show-managed-fields']));
    assert.deepEqual(obj.spec, { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], hosts: ['a.example', 'b.example'] });
    assert.deepEqual(obj.metadata.managedFields.find((e: Entry_) => e.manager === 'bob').fieldsV1, {
      'f:spec': { 'f:hosts': { 'v:"b.example"': {} }, 'f:ports': { 'k:{"name":"https"}': { '.': {}, 'f:name': {}, 'f:port': {} } } },
    });

    const conflicted = await apply(router('{name: http, port: 8080}', 'b.example'), '--field-manager=bob');
    assert.notEqual(conflicted.code, 0);
    assert.match(conflicted.stderr, /^error: Apply failed with 1 conflict: conflict with "alice": \.spec\.ports\[name="http"\]\.port$/m);
    const forced = await apply(router('{name: http, port: 8080}', 'b.example'), '--field-manager=bob', '--force-conflicts');
    assert.equal(forced.code, 0, forced.stderr);
    // alice keeps what she still owns (http's name, a.example); bob's port won.
    assert.deepEqual(parse(await kubectl.ok(['get', 'router', 'edge', '-o', 'yaml'])).spec, { ports: [{ name: 'http', port: 8080 }], hosts: ['a.example', 'b.example'] });

    const duplicated = await apply(router('{name: http}, {name: http}', 'c.example, c.example'), '--field-manager=carol');
    // Both duplicates, in whatever order (kube-apiserver's follows Go's map order).
    assert.match(duplicated.stderr, /^The Router "edge" is invalid: \n(\* .*\n){2}/m);
    assert.match(duplicated.stderr, /^\* spec\.ports\[1\]: Duplicate value: map\[string\]interface \{\}\{"name":"http"\}$/m);
    assert.match(duplicated.stderr, /^\* spec\.hosts\[1\]: Duplicate value: "c\.example"$/m);
  });

  it('a ConfigMap of 1,000 finalizers: two appliers share the set, a reorder keeps it, a JSON patch edits it (stored as text)', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `example.com/f-${i}`);
    const yaml = (manager: string, finalizers: string[]) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  finalizers:\n${finalizers.map((f) => `  - ${f}`).join('\n')}\ndata:\n  ${manager}: "1"\n`;
    assert.equal((await kubectl.ok(['apply', '--server-side', '-f', '-'], { input: yaml('first', names) })).trim(), 'configmap/owned serverside-applied');
    const second = await kubectl.run(['apply', '--server-side', '--field-manager=second', '-f', '-'], { input: yaml('second', [...names.slice(0, 10), 'example.com/extra']) });
    assert.equal(second.stdout.trim(), 'configmap/owned serverside-applied', second.stderr);
    type SetEntry = { manager: string; fieldsV1: { 'f:metadata': { 'f:finalizers': Record<string, unknown> }; 'f:data': Record<string, unknown> } };
    const setOf = async () => (JSON.parse(await kubectl.ok(['get', 'cm', 'owned', '-o', 'json', '--show-managed-fields'])).metadata.managedFields as SetEntry[]);
    const owned = (entries: SetEntry[]) => Object.fromEntries(entries.map((e) => [e.manager, Object.keys(e.fieldsV1['f:metadata']['f:finalizers']).length]));
    assert.deepEqual(owned(await setOf()), { kubectl: 1000, second: 11 });

    const reversed = [...names, 'example.com/extra'].reverse();
    const reorder = await kubectl.run(['patch', 'cm', 'owned', '-p', JSON.stringify({ metadata: { '$setElementOrder/finalizers': reversed, finalizers: reversed } })]);
    assert.equal(reorder.stdout.trim(), 'configmap/owned patched', reorder.stderr);
    assert.deepEqual(JSON.parse(await kubectl.ok(['get', 'cm', 'owned', '-o', 'jsonpath={.metadata.finalizers}'])), reversed);
    assert.deepEqual(owned(await setOf()), { kubectl: 1000, second: 11 }, 'a reorder takes no fields');

    // Into a set every read shares: the patched copy is the client's own, the stored set is replaced.
    const edit = await kubectl.run(['patch', 'cm', 'owned', '--type=json', '-p', '[{"op":"add","path":"/metadata/managedFields/0/fieldsV1/f:data/f:note","value":{}}]']);
    assert.equal(edit.stdout.trim(), 'configmap/owned patched', edit.stderr);
    const entries = await setOf();
    assert.ok('f:note' in entries[0].fieldsV1['f:data'], JSON.stringify(entries[0].fieldsV1['f:data']));
    assert.deepEqual(owned(entries), { kubectl: 1000, second: 11 });
  });

  it('kubectl create records an Update entry for kubectl-create', async () => {
    await kubectl.ok(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    const entries = await managed(['configmap', 'settings']);
    assert.equal(entries.length, 1, JSON.stringify(entries));
    assert.equal(entries[0].manager, 'kubectl-create');
    assert.equal(entries[0].operation, 'Update');
    assert.equal(entries[0].apiVersion, 'v1');
    assert.deepEqual(entries[0].fieldsV1, { 'f:data': { '.': {}, 'f:mode': {} } });
    await kubectl.ok(['label', 'configmap', 'settings', 'team=a']);
    const labeled = (await managed(['configmap', 'settings'])).find((e) => e.manager === 'kubectl-label');
    assert.deepEqual(labeled?.fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } });
  });
});
}
