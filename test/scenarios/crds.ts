import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { helmBinary, Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import type { Entry } from './core.ts';

/** An entry with a second cluster of the same server, to show that CRDs stay in their own. */
export interface TwoClusters extends Entry { otherKubeconfig(): Promise<string> }

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd], categories: [all]}
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size: {type: integer, maximum: 100, description: How big the widget is.}
              color: {type: string, default: blue, enum: [blue, red, green]}
              replicas: {type: integer}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer}
              conditions:
                type: array
                items: {type: object, properties: {type: {type: string}, status: {type: string}}}
`;

const clusterCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {level: {type: integer}}}}}}
`;

/** A CRD with CEL rules (x-kubernetes-validations) at an object, a string, a list and a transition rule. */
const celCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scalers.example.com}
spec:
  group: example.com
  names: {kind: Scaler, plural: scalers}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - {rule: self.minReplicas <= self.maxReplicas, message: minReplicas must not exceed maxReplicas}
            - {rule: "self.maxReplicas <= 10", fieldPath: .maxReplicas}
            properties:
              minReplicas: {type: integer}
              maxReplicas: {type: integer}
              app:
                type: string
                x-kubernetes-validations:
                - {rule: "self.startsWith('app-')", messageExpression: "'app must start with app-, not ' + self"}
              mode:
                type: string
                x-kubernetes-validations:
                - {rule: self == oldSelf, message: mode is immutable}
              tags:
                type: array
                items: {type: string}
                x-kubernetes-validations:
                - {rule: "self.all(t, size(t) <= 5)", reason: FieldValueForbidden, message: tags are at most 5 characters}
`;

const scaler = (spec: string) => `apiVersion: example.com/v1\nkind: Scaler\nmetadata: {name: s1}\nspec: ${spec}\n`;

const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}, labels: {tier: ${name === 'small' ? 'front' : 'back'}}}\nspec: ${spec}\n`;

/** helm with the kubectl's own HOME and kubeconfig. */
function helm(kubectl: Kubectl, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(helmBinary(), args, { env: kubectl.env(), timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
  });
}

/**
 * CustomResourceDefinitions as a CKA student meets them, judged by the real kubectl v1.35:
 * apply a CRD, then create, read, list, patch, scale and explain its custom resources, with
 * the schema's defaults, pruning and validation; a second cluster never sees them; deleting
 * the CRD removes them. And helm install/uninstall (DELETE with protobuf DeleteOptions).
 */
export function crdsScenario(label: string, open: () => Promise<TwoClusters>) {
describe(`CustomResourceDefinitions (${label})`, () => {
  let server: TwoClusters;
  let kubectl: Kubectl;

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('kubectl apply of a CRD: Established and NamesAccepted, and its kind in api-resources', async () => {
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: crd })).trim(), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created');
    const status = parse(await kubectl.ok(['get', 'crd', 'widgets.example.com', '-o', 'yaml'])).status;
    assert.deepEqual(status.conditions.map((c: { type: string; status: string; reason: string }) => `${c.type}=${c.status}/${c.reason}`), ['NamesAccepted=True/NoConflicts', 'Established=True/InitialNamesAccepted']);
    assert.deepEqual(status.storedVersions, ['v1']);
    assert.equal(status.acceptedNames.listKind, 'WidgetList');
    // Beside the Gateway API's CRDs, which every new cluster has (test/scenarios/gateway.ts).
    const crds = (await kubectl.ok(['get', 'crds'])).split('\n').filter((line) => !line.includes('.gateway.networking.k8s.io ')).join('\n');
    assert.match(crds, /^NAME\s+CREATED AT\nwidgets\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const resources = await kubectl.ok(['api-resources', '--api-group=example.com']);
    assert.match(resources, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
    assert.match(await kubectl.ok(['api-versions']), /^example\.com\/v1$/m);
    assert.match(await kubectl.ok(['api-versions']), /^example\.com\/v1beta1$/m);
  });

  it('custom resources: defaults, printer columns, validation errors in kube-apiserver words, pruning', async () => {
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: widget('small', '{size: 3}') })).trim(), 'widget.example.com/small created');
    await kubectl.ok(['create', '-f', '-'], { input: widget('big', '{size: 90, color: red, replicas: 1}') });
    assert.match(await kubectl.ok(['get', 'widgets']), /^NAME\s+SIZE\s+COLOR\s+AGE\nbig\s+90\s+red\s+\S+\nsmall\s+3\s+blue\s+\S+\n$/);
    assert.match(await kubectl.ok(['get', 'wd', 'small', '-o', 'wide']), /^NAME\s+SIZE\s+COLOR\s+READY\s+AGE\nsmall\s+3\s+blue\s+\S+s\n$/);
    const bad = await kubectl.run(['apply', '-f', '-'], { input: widget('w', '{size: "string"}') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The Widget "w" is invalid: spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
    const many = await kubectl.run(['create', '-f', '-'], { input: widget('w', '{size: 200, color: pink}') });
    assert.match(many.stderr, /The Widget "w" is invalid: \n\* spec\.color: Unsupported value: "pink": supported values: "blue", "red", "green"\n\* spec\.size: Invalid value: 200: spec\.size in body should be less than or equal to 100\n/);
    const missing = await kubectl.run(['create', '-f', '-'], { input: widget('w', '{color: red}') });
    assert.match(missing.stderr, /The Widget "w" is invalid: spec\.size: Required value/);
    // An undeclared field: refused by kubectl's strict field validation, pruned with --validate=false.
    const strict = await kubectl.run(['create', '-f', '-'], { input: widget('odd', '{size: 1, foo: bar}') });
    assert.match(strict.stderr, /Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec\.foo"/);
    await kubectl.ok(['create', '--validate=false', '-f', '-'], { input: widget('odd', '{size: 1, foo: bar, extra: {kept: x}}') });
    assert.deepEqual(parse(await kubectl.ok(['get', 'wd', 'odd', '-o', 'yaml'])).spec, { size: 1, color: 'blue', extra: { kept: 'x' } });
    await kubectl.ok(['delete', 'wd', 'odd']);
  });

  it('get -o yaml, selectors, describe, patch, status and scale subresources, other versions', async () => {
    const small = parse(await kubectl.ok(['get', 'widget', 'small', '-o', 'yaml']));
    assert.equal(small.apiVersion, 'example.com/v1');
    assert.equal(small.metadata.generation, 1);
    assert.deepEqual(small.spec, { size: 3, color: 'blue' });
    assert.equal((await kubectl.ok(['get', 'wd', '-l', 'tier=back', '-o', 'name'])).trim(), 'widget.example.com/big');
    assert.equal((await kubectl.ok(['get', 'wd', '--field-selector', 'metadata.name=small', '-o', 'name'])).trim(), 'widget.example.com/small');
    assert.match(await kubectl.ok(['describe', 'wd', 'small']), /^Name:\s+small\nNamespace:\s+default\n[\s\S]*^Spec:\n\s+Color:\s+blue\n\s+Size:\s+3\n/m);
    await kubectl.ok(['patch', 'wd', 'small', '--type=merge', '-p', '{"spec":{"size":4},"status":{"replicas":9}}']);
    const patched = parse(await kubectl.ok(['get', 'wd', 'small', '-o', 'yaml']));
    assert.equal(patched.spec.size, 4);
    assert.equal(patched.status, undefined, 'status changes only through /status');
    assert.equal(patched.metadata.generation, 2);
    await kubectl.ok(['patch', 'wd', 'small', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2,"conditions":[{"type":"Ready","status":"True"}]}}']);
    assert.match(await kubectl.ok(['get', 'wd', 'small', '-o', 'wide']), /^small\s+4\s+blue\s+True\s+\S+$/m);
    assert.equal((await kubectl.ok(['scale', 'wd', 'small', '--replicas=3'])).trim(), 'widget.example.com/small scaled');
    assert.equal(await kubectl.ok(['get', 'wd', 'small', '-o', 'jsonpath={.spec.replicas}/{.status.replicas}']), '3/2');
    assert.equal((await kubectl.ok(['get', 'widgets.v1beta1.example.com', 'small', '-o', 'jsonpath={.apiVersion} {.spec.size}'])), 'example.com/v1beta1 4');
    assert.match(await kubectl.ok(['get', 'all']), /^widget\.example\.com\/small\s+4\s+blue\s+\S+$/m);
  });

  it('kubectl explain reads the CRD schema', async () => {
    const out = await kubectl.ok(['explain', 'widgets.spec']);
    assert.match(out, /^KIND:\s+Widget$/m);
    assert.match(out, /^FIELD: spec <Object>$/m);
    assert.match(out, /What the widget should be\./);
    assert.match(out, /^ {2}size\t<integer> -required-\n\s+How big the widget is\./m);
  });

  it('a cluster-scoped CRD; another cluster sees none of them', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: clusterCrd });
    await kubectl.ok(['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {level: 2}\n' });
    assert.match(await kubectl.ok(['get', 'gadgets']), /^NAME\s+AGE\ng1\s+\S+\n$/);
    assert.match(await kubectl.ok(['api-resources', '--api-group=example.com']), /^gadgets\s+example\.com\/v1\s+false\s+Gadget$/m);
    const other = new Kubectl(await server.otherKubeconfig());
    assert.doesNotMatch(await other.ok(['api-resources']), /example\.com/);
    assert.equal((await other.ok(['get', 'crds', '-o', 'name'])).split('\n').filter((name) => name && !name.endsWith('.gateway.networking.k8s.io')).join('\n'), '');
    const none = await other.run(['get', 'widgets']);
    assert.match(none.stderr, /the server doesn't have a resource type "widgets"/);
  });

  it('x-kubernetes-validations: CEL rules refuse with kube-apiserver\'s words; transition rules compare with the stored object', async () => {
    const broken = celCrd.replace('self.minReplicas <= self.maxReplicas', 'self.minReplicas <=');
    const refused = await kubectl.run(['apply', '-f', '-'], { input: broken });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /The CustomResourceDefinition "scalers\.example\.com" is invalid: spec\.validation\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: compilation failed: ERROR: <input>: /);
    await kubectl.ok(['apply', '-f', '-'], { input: celCrd });

    const over = await kubectl.run(['create', '-f', '-'], { input: scaler('{minReplicas: 5, maxReplicas: 3, app: app-web}') });
    assert.notEqual(over.code, 0);
    assert.match(over.stderr, /^The Scaler "s1" is invalid: spec: Invalid value: minReplicas must not exceed maxReplicas\n/);
    const many = await kubectl.run(['create', '-f', '-'], { input: scaler('{minReplicas: 1, maxReplicas: 20, app: web, tags: [ok, toolong]}') });
    assert.match(many.stderr, /The Scaler "s1" is invalid: \n\* spec\.maxReplicas: Invalid value: failed rule: self\.maxReplicas <= 10\n\* spec\.app: Invalid value: "web": app must start with app-, not web\n\* spec\.tags: Forbidden: tags are at most 5 characters\n/);

    assert.equal((await kubectl.ok(['create', '-f', '-'], { input: scaler('{minReplicas: 1, maxReplicas: 3, app: app-web, mode: fast, tags: [a, b]}') })).trim(), 'scaler.example.com/s1 created');
    // A transition rule: the same write twice is fine; a changed mode is refused, whatever else changes.
    await kubectl.ok(['apply', '-f', '-'], { input: scaler('{minReplicas: 2, maxReplicas: 3, app: app-web, mode: fast, tags: [a, b]}') });
    const changed = await kubectl.run(['patch', 'scaler', 's1', '--type=merge', '-p', '{"spec":{"mode":"slow"}}']);
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /The Scaler "s1" is invalid: spec\.mode: Invalid value: "slow": mode is immutable/);
    assert.equal(parse(await kubectl.ok(['get', 'scaler', 's1', '-o', 'yaml'])).spec.mode, 'fast');
    await kubectl.ok(['delete', 'crd', 'scalers.example.com']);
  });

  it('deleting the CRD removes its custom resources and its API', async () => {
    await kubectl.ok(['delete', 'crd', 'widgets.example.com']);
    await eventually(async () => (await kubectl.ok(['api-resources', '--api-group=example.com'])), (out) => !/widgets/.test(out), 'widgets gone from discovery', 30_000);
    await kubectl.ok(['apply', '-f', '-'], { input: crd });
    assert.equal((await kubectl.ok(['get', 'widgets', '-A', '-o', 'name'])).trim(), '', 'a re-created CRD starts empty');
  });

  it('an operator\'s bundle of CRDs (4.4 MB, one of 2.4 MB) applies with --server-side; client-side apply hits the annotation limit as on kube', async () => {
    const bigCrd = (plural: string, kind: string, fields: number) => {
      const props: Record<string, unknown> = {};
      for (let i = 0; i < fields; i++) props[`field${i}`] = { type: 'string', description: `Field ${i}: ${'lorem ipsum dolor sit amet '.repeat(15)}` };
      return JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.example.com` },
        spec: { group: 'example.com', names: { kind, plural }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props } } } } }] },
      });
    };
    // Larger than a Durable Object's 2 MB row, and far past DynamoDB's 400 KB item once its managedFields are in.
    const big = bigCrd('bigs', 'Big', 5500);
    const bundle = [big, bigCrd('mids', 'Mid', 2300), bigCrd('smalls', 'Small', 2300)].join('\n---\n');
    assert.ok(big.length > 2_400_000 && bundle.length > 4_400_000);
    assert.equal((await kubectl.ok(['apply', '--server-side', '-f', '-'], { input: bundle })).trim(), ['bigs', 'mids', 'smalls'].map((p) => `customresourcedefinition.apiextensions.k8s.io/${p}.example.com serverside-applied`).join('\n'));
    assert.match(await kubectl.ok(['explain', 'big.spec.field5499']), /FIELD: field5499 <string>/);
    const clientSide = await kubectl.run(['apply', '-f', '-'], { input: big });
    assert.match(clientSide.stderr, /The CustomResourceDefinition "bigs\.example\.com" is invalid: metadata\.annotations: Too long: may not be more than 262144 bytes/);
    await kubectl.ok(['delete', 'crd', 'bigs.example.com', 'mids.example.com', 'smalls.example.com']);
  });

  it('helm, the whole lifecycle twice: a pre-install hook Job, a chart\'s own CRD, upgrade, history, list -A, test, rollback, uninstall', async () => {
    const chart = mkdtempSync(join(tmpdir(), 'chart-'));
    mkdirSync(join(chart, 'templates', 'tests'), { recursive: true });
    mkdirSync(join(chart, 'crds'));
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: life\nversion: 0.1.0\nappVersion: "1.0"\n');
    writeFileSync(join(chart, 'values.yaml'), 'replicas: 1\n');
    writeFileSync(join(chart, 'crds', 'gizmo.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gizmos.example.com}\nspec:\n  group: example.com\n  names: {kind: Gizmo, plural: gizmos}\n  scope: Namespaced\n  versions:\n  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}\n');
    writeFileSync(join(chart, 'templates', 'all.yaml'), [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-config"}\ndata: {replicas: "{{ .Values.replicas }}"}',
      'apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: "{{ .Release.Name }}-gizmo"}\nspec: {size: 1}',
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: "{{ .Release.Name }}-setup"\n  annotations: {"helm.sh/hook": pre-install, "helm.sh/hook-delete-policy": hook-succeeded}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: setup, image: busybox, command: [sh, -c, "echo setting up"]}]',
    ].join('\n---\n'));
    writeFileSync(join(chart, 'templates', 'tests', 'check.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ .Release.Name }}-check"\n  annotations: {"helm.sh/hook": test, "helm.sh/hook-delete-policy": before-hook-creation}\nspec:\n  restartPolicy: Never\n  containers: [{name: check, image: busybox, command: [sh, -c, "echo ok"]}]\n');
    const ok = async (args: string[]) => {
      const result = await helm(kubectl, args);
      assert.equal(result.code, 0, `helm ${args.join(' ')}: ${result.out}`);
      return result.out;
    };
    for (let round = 1; round <= 2; round++) {
      assert.match(await ok(['install', 'life', chart, '--wait', '--timeout', '60s']), /STATUS: deployed\nREVISION: 1\n/);
      // The hook Job ran to completion before the release's objects, and went (hook-succeeded).
      assert.equal((await kubectl.run(['get', 'job', 'life-setup'])).code, 1);
      assert.equal(parse(await kubectl.ok(['get', 'cm', 'life-config', '-o', 'yaml'])).data.replicas, '1');
      assert.match(await kubectl.ok(['get', 'gizmos', '-o', 'name']), /^gizmo\.example\.com\/life-gizmo$/m);
      assert.match(await ok(['upgrade', 'life', chart, '--set', 'replicas=2']), /Release "life" has been upgraded\. Happy Helming!/);
      assert.equal(parse(await kubectl.ok(['get', 'cm', 'life-config', '-o', 'yaml'])).data.replicas, '2');
      assert.match(await ok(['history', 'life']), /^1\s+.*\s+superseded\s+life-0\.1\.0\s+1\.0\s+Install complete\s*\n2\s+.*\s+deployed\s+life-0\.1\.0\s+1\.0\s+Upgrade complete\s*$/m);
      assert.match(await ok(['list', '-A']), /^life\s+default\s+2\s+.*\s+deployed\s+life-0\.1\.0\s+1\.0\s*$/m);
      assert.match(await ok(['test', 'life']), /TEST SUITE:\s+life-check\n[\s\S]*Phase:\s+Succeeded/);
      assert.match(await ok(['rollback', 'life', '1']), /Rollback was a success! Happy Helming!/);
      assert.equal(parse(await kubectl.ok(['get', 'cm', 'life-config', '-o', 'yaml'])).data.replicas, '1');
      assert.match(await ok(['history', 'life']), /^3\s+.*\s+deployed\s+life-0\.1\.0\s+1\.0\s+Rollback to 1\s*$/m);
      assert.match(await ok(['uninstall', 'life']), /release "life" uninstalled/);
      assert.doesNotMatch(await kubectl.ok(['get', 'cm,gizmos', '-o', 'name']), /life-/, `round ${round}: nothing of the release is left`);
      // Hook resources are not the release's: the test pod stays, Succeeded, until the next `helm test` replaces it (before-hook-creation).
      assert.equal(await kubectl.ok(['get', 'pod', 'life-check', '-o', 'jsonpath={.status.phase}']), 'Succeeded');
      // A chart's crds/ are installed once and kept by helm uninstall, as Helm documents.
      assert.match(await kubectl.ok(['get', 'crd', 'gizmos.example.com', '-o', 'name']), /gizmos\.example\.com/);
    }
    await kubectl.ok(['delete', 'crd', 'gizmos.example.com']);
    await kubectl.ok(['delete', 'pod', 'life-check']);
  });

  it('helm install and uninstall (DELETE bodies are protobuf DeleteOptions of each group version)', async () => {
    const chart = mkdtempSync(join(tmpdir(), 'chart-'));
    mkdirSync(join(chart, 'templates'));
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'templates', 'all.yaml'), [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-config"}\ndata: {a: b}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "{{ .Release.Name }}-web"}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: demo}}\n  template:\n    metadata: {labels: {app: demo}}\n    spec: {containers: [{name: web, image: nginx}]}',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: "{{ .Release.Name }}-widget"}\nspec: {size: 5}',
    ].join('\n---\n'));
    const installed = await helm(kubectl, ['install', 'demo', chart]);
    assert.equal(installed.code, 0, installed.out);
    assert.match(await kubectl.ok(['get', 'deploy,cm,wd', '-o', 'name']), /deployment\.apps\/demo-web\n[\s\S]*configmap\/demo-config\n[\s\S]*widget\.example\.com\/demo-widget/);
    const uninstalled = await helm(kubectl, ['uninstall', 'demo']);
    assert.equal(uninstalled.code, 0, uninstalled.out);
    assert.match(uninstalled.out, /release "demo" uninstalled/);
    assert.doesNotMatch(await kubectl.ok(['get', 'deploy,cm,wd', '-o', 'name']), /demo-/);
  });
});
}
