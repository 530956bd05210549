import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../src/apimachinery/errors.ts';
import * as core from '../src/schema/core.ts';
import { strategicMergePatch } from '../src/server/strategicMerge.ts';

/**
 * Golden cases for strategic merge patch on the built-in types: an object, a patch
 * (shaped like the ones kubectl apply/edit/patch send) and the object the API server
 * stores. Orders follow kube-apiserver, including its habit of putting elements a
 * patch adds before the server-only ones unless `$setElementOrder` says otherwise.
 */
interface Golden { name: string; kind: keyof typeof schemas; original: object; patch: object; expected: object }

/** The declared type of each kind the goldens patch: its patch metadata decides which lists merge. */
const schemas = { Pod: core.pod, Node: core.node, ConfigMap: core.configMap, Service: core.service };

const container = (name: string, extra: object = {}) => ({ name, image: `${name}:1`, ...extra });

const goldens: Golden[] = [
  {
    name: 'containers merge by name: a changed image keeps the other fields and containers',
    kind: 'Pod',
    original: { spec: { containers: [container('a', { imagePullPolicy: 'IfNotPresent' }), container('b', { imagePullPolicy: 'Always' })] } },
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    expected: { spec: { containers: [container('a', { imagePullPolicy: 'IfNotPresent' }), { name: 'b', image: 'b:2', imagePullPolicy: 'Always' }] } },
  },
  {
    name: 'a container the patch adds goes first without $setElementOrder',
    kind: 'Pod',
    original: { spec: { containers: [container('a')] } },
    patch: { spec: { containers: [container('c')] } },
    expected: { spec: { containers: [container('c'), container('a')] } },
  },
  {
    name: 'kubectl edit: $setElementOrder keeps the order while one image changes',
    kind: 'Pod',
    original: { spec: { containers: [container('a', { resources: {} }), container('b', { resources: {} })] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'a:2' }] } },
    expected: { spec: { containers: [{ name: 'a', image: 'a:2', resources: {} }, container('b', { resources: {} })] } },
  },
  {
    name: 'env merges by name inside a container merged by name',
    kind: 'Pod',
    original: { spec: { containers: [container('web', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })] } },
    patch: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } },
    expected: { spec: { containers: [container('web', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }] })] } },
  },
  {
    name: 'ports merge by containerPort; a null deletes a field of one port',
    kind: 'Pod',
    original: { spec: { containers: [container('web', { ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }] })] } },
    patch: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, name: null, hostPort: 8080 }] }] } },
    expected: { spec: { containers: [container('web', { ports: [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }, { containerPort: 443, protocol: 'TCP' }] })] } },
  },
  {
    name: 'volumeMounts merge by mountPath',
    kind: 'Pod',
    original: { spec: { containers: [container('web', { volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets', readOnly: true }] })] } },
    patch: { spec: { containers: [{ name: 'web', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    expected: { spec: { containers: [container('web', { volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'token', mountPath: '/var/run/secrets', readOnly: true }] })] } },
  },
  {
    name: 'volumes merge by name; $retainKeys drops the old volume source',
    kind: 'Pod',
    original: { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'token', projected: { defaultMode: 420 } }] } },
    patch: { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['hostPath', 'name'] }] } },
    expected: { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'token', projected: { defaultMode: 420 } }] } },
  },
  {
    name: '$patch: delete removes a container by name',
    kind: 'Pod',
    original: { spec: { containers: [container('a'), container('b'), container('c')] } },
    patch: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
    expected: { spec: { containers: [container('a'), container('c')] } },
  },
  {
    name: '$setElementOrder reorders without changing elements',
    kind: 'Pod',
    original: { spec: { containers: [container('a'), container('b'), container('c')] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
    expected: { spec: { containers: [container('c'), container('a'), container('b')] } },
  },
  {
    name: '$patch: replace on a list replaces it whole',
    kind: 'Pod',
    original: { spec: { containers: [container('a'), container('b')] } },
    patch: { spec: { containers: [{ $patch: 'replace' }, container('z')] } },
    expected: { spec: { containers: [container('z')] } },
  },
  {
    name: 'tolerations have no strategy: the patch list replaces the list',
    kind: 'Pod',
    original: { spec: { tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] } },
    patch: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } },
    expected: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } },
  },
  {
    name: 'maps merge, null deletes, $patch: replace replaces a map',
    kind: 'Pod',
    original: { metadata: { labels: { app: 'web', tier: 'front' }, annotations: { a: '1', b: '2' } }, spec: { nodeSelector: { disk: 'ssd' } } },
    patch: { metadata: { labels: { tier: null, env: 'prod' }, annotations: { $patch: 'replace', c: '3' } } },
    expected: { metadata: { labels: { app: 'web', env: 'prod' }, annotations: { c: '3' } }, spec: { nodeSelector: { disk: 'ssd' } } },
  },
  {
    name: 'finalizers merge as a set; $deleteFromPrimitiveList removes',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a.example.com/x', 'b.example.com/y'] } },
    patch: { metadata: { finalizers: ['c.example.com/z', 'a.example.com/x'], '$deleteFromPrimitiveList/finalizers': ['b.example.com/y'] } },
    expected: { metadata: { finalizers: ['c.example.com/z', 'a.example.com/x'] } },
  },
  {
    name: 'kubectl edit removing a finalizer: $setElementOrder plus $deleteFromPrimitiveList',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['a', 'c'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: 'ownerReferences merge by uid',
    kind: 'Pod',
    original: { metadata: { ownerReferences: [{ uid: '1', kind: 'ReplicaSet', name: 'web-1' }] } },
    patch: { metadata: { ownerReferences: [{ uid: '1', controller: true }, { uid: '2', kind: 'Node', name: 'n' }] } },
    expected: { metadata: { ownerReferences: [{ uid: '1', kind: 'ReplicaSet', name: 'web-1', controller: true }, { uid: '2', kind: 'Node', name: 'n' }] } },
  },
  {
    // the server-only port keeps its slot; the new port lands in the slot after it, as kube-apiserver orders it
    name: 'kubectl apply changing a Service port merges by port and deletes the old one',
    kind: 'Service',
    original: { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }] } },
    patch: { spec: { '$setElementOrder/ports': [{ port: 81 }], ports: [{ name: 'http', port: 81, targetPort: 8080 }, { $patch: 'delete', port: 80 }] } },
    expected: { spec: { ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }, { name: 'http', port: 81, targetPort: 8080 }] } },
  },
  {
    name: 'node status conditions merge by type',
    kind: 'Node',
    original: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] } },
    patch: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletDown' }] } },
    expected: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletDown' }, { type: 'MemoryPressure', status: 'False' }] } },
  },
  {
    name: 'a new sub-tree is taken as is, minus nulls and directives',
    kind: 'Pod',
    original: { spec: {} },
    patch: { spec: { containers: [{ name: 'a', image: 'a:1', args: null, '$setElementOrder/env': [] }, { name: 'gone', $patch: 'delete' }] } },
    expected: { spec: { containers: [{ name: 'a', image: 'a:1' }] } },
  },
];

describe('strategic merge patch (golden cases)', () => {
  for (const g of goldens) {
    it(g.name, () => {
      const original = structuredClone(g.original);
      const patch = structuredClone(g.patch);
      assert.deepEqual(strategicMergePatch(original, patch, schemas[g.kind]), g.expected);
      assert.deepEqual(original, g.original, 'the original is not modified');
      assert.deepEqual(patch, g.patch, 'the patch is not modified');
    });
  }
});

describe('strategic merge patch and hostile keys', () => {
  it('a __proto__ key in a patch neither merges nor reaches Object.prototype', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"metadata":{"__proto__":{"polluted":true},"labels":{"a":"b"}}}');
    const result = strategicMergePatch({ metadata: {} }, patch, core.pod);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { metadata: { labels: { a: 'b' } } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
  });
});

describe('strategic merge patch errors are 4xx Status errors', () => {
  const pod = { spec: { containers: [container('a')], volumes: [{ name: 'v', emptyDir: {} }] } };
  const cases: Array<{ name: string; patch: unknown; code: number; message: RegExp }> = [
    { name: 'a patch that is an array', patch: [{ op: 'add' }], code: 400, message: /cannot unmarshal array into Go value of type map/ },
    { name: 'an element without its merge key', patch: { spec: { containers: [{ image: 'x' }] } }, code: 422, message: /does not contain declared merge key: name/ },
    { name: 'an unknown $patch directive', patch: { spec: { $patch: 'explode' } }, code: 422, message: /unknown patch type/ },
    { name: '$retainKeys that is not a list', patch: { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } }, code: 400, message: /invalid patch format of retainKeys/ },
    { name: 'a key outside $retainKeys', patch: { spec: { volumes: [{ name: 'v', hostPath: {}, $retainKeys: ['name'] }] } }, code: 400, message: /invalid patch format of retainKeys/ },
    { name: '$setElementOrder that is not a list', patch: { spec: { '$setElementOrder/containers': 'a' } }, code: 400, message: /invalid patch format of setElementOrder list/ },
    {
      name: '$setElementOrder contradicting the patch list',
      patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [container('b'), container('a')] } },
      code: 422, message: /doesn't match \$setElementOrder list/,
    },
    { name: 'lists of lists', patch: { metadata: { finalizers: [['a']] } }, code: 422, message: /lists of lists are not supported/ },
    { name: 'mixed element kinds in a merged list', patch: { spec: { containers: ['a'] } }, code: 422, message: /list element types are not identical/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const original = { metadata: { finalizers: ['x'] }, ...structuredClone(pod) };
      assert.throws(() => strategicMergePatch(original, c.patch, core.pod), (err: unknown) => {
        assert.ok(err instanceof ApiError, `an ApiError, got ${String(err)}`);
        assert.equal(err.code, c.code);
        assert.match(err.message, c.message);
        return true;
      });
    });
  }
});
