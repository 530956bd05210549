import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../src/apimachinery/errors.ts';
import { FieldSet, fromFieldsV1, pathString, toFieldsV1 } from '../src/registry/fieldSet.ts';
import { applyConfiguration, recordUpdate, type ManagedFieldsEntry } from '../src/registry/managedFields.ts';
import { resources } from '../src/registry/resources/index.ts';
import { addedFields, compare, fieldSetOf } from '../src/registry/typedFields.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { customResourceDefs } from '../src/registry/customResources.ts';

const deployments = resources.find((r) => r.plural === 'deployments' && r.group === 'apps')!;
const configmaps = resources.find((r) => r.plural === 'configmaps' && r.group === '')!;

const writer = (manager: string, time = '2026-01-01T00:00:00Z', subresource?: string) => ({ manager, apiVersion: 'apps/v1', time, ...(subresource ? { subresource } : {}) });
const entries = (obj: KubeObject) => (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];

const deployment = (replicas: number | undefined, image = 'nginx', extra: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', ...extra } },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
  },
});

describe('FieldsV1 encoding', () => {
  it('marks inner members with ".", leaves as {}, and orders fields before keys before values', () => {
    const set = new FieldSet();
    set.insert(['f:metadata', 'f:labels']);
    set.insert(['f:metadata', 'f:labels', 'f:app']);
    set.insert(['f:spec', 'f:containers', 'k:{"name":"web"}']);
    set.insert(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']);
    set.insert(['f:spec', 'f:finalizers', 'v:"b"']);
    set.insert(['f:spec', 'f:finalizers', 'v:"a"']);
    set.insert(['f:spec', 'f:containers', 'k:{"name":"api"}']);
    const json = toFieldsV1(set);
    assert.equal(JSON.stringify(json), '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"api\\"}":{},"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}},"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}}}');
    const back = fromFieldsV1(json)!;
    assert.ok(back.equals(set));
  });

  it('refuses what is not FieldsV1', () => {
    assert.equal(fromFieldsV1({ 'x:y': {} }), undefined);
    assert.equal(fromFieldsV1([]), undefined);
    assert.equal(fromFieldsV1({ 'f:a': 1 }), undefined);
  });

  it('prints paths as fieldpath does in conflicts', () => {
    assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
    assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), '.spec.containers[name="nginx"].image');
    assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(['f:finalizers', 'v:"x"']), '.finalizers[="x"]');
  });

  it('keys list elements by the schema: ports by containerPort and the defaulted protocol, selectors atomic', () => {
    const json = toFieldsV1(fieldSetOf(deployment(2) as never, deployments.schema));
    assert.deepEqual(json['f:spec']['f:selector'], {});
    assert.deepEqual(json['f:spec']['f:template']['f:spec']['f:containers'], {
      'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
    });
  });
});

describe('Update entries', () => {
  it('a create\'s fields are what comparing with nothing finds', () => {
    const pods = resources.find((r) => r.plural === 'pods' && r.group === '')!;
    const pod = { spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }], args: ['a'] }], securityContext: {}, tolerations: [], volumes: [{ name: 'v', emptyDir: {} }] }, metadata: { labels: { a: 'b' }, finalizers: ['x'] } };
    for (const [obj, schema] of [[pod, pods.schema], [deployment(3), deployments.schema], [{ data: { a: '1' }, weird: [{ x: 1 }, 2, null] }, configmaps.schema]] as const) {
      assert.ok(addedFields(obj as never, schema).equals(compare({}, obj as never, schema).added), JSON.stringify(obj));
    }
  });

  it('a set of scalars is compared by value: a reorder changes nothing, and only the values that came or went are named', () => {
    const many = Array.from({ length: 2000 }, (_, i) => `example.com/f-${i}`);
    const same = compare({ metadata: { finalizers: many } }, { metadata: { finalizers: [...many].reverse() } }, configmaps.schema);
    assert.ok(same.added.empty && same.modified.empty && same.removed.empty, 'a reordered set is the same set');
    const changed = compare({ metadata: { finalizers: ['a', 'b', 'c'] } }, { metadata: { finalizers: ['c', 'b', 'd'] } }, configmaps.schema);
    assert.deepEqual(toFieldsV1(changed.added), { 'f:metadata': { 'f:finalizers': { 'v:"d"': {} } } });
    assert.deepEqual(toFieldsV1(changed.removed), { 'f:metadata': { 'f:finalizers': { 'v:"a"': {} } } });
    assert.ok(changed.modified.empty);
    // A repeated value cannot be named apart: the list is one value, as structured-merge-diff takes it.
    const repeated = compare({ metadata: { finalizers: ['a', 'a'] } }, { metadata: { finalizers: ['a', 'b'] } }, configmaps.schema);
    assert.deepEqual(toFieldsV1(repeated.modified), { 'f:metadata': { 'f:finalizers': {} } });
  });

  it('a create owns what it set; a later writer takes what it changed; a removal leaves every set', () => {
    const created = deployment(2);
    recordUpdate(undefined, created, writer('kubectl-create'), 'main-without-status', deployments.schema);
    assert.equal(entries(created).length, 1);
    assert.equal(entries(created)[0].manager, 'kubectl-create');
    assert.deepEqual(entries(created)[0].fieldsV1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });

    const scaled = structuredClone(created);
    (scaled.spec as { replicas: number }).replicas = 3;
    recordUpdate(created, scaled, writer('kubectl', '2026-01-01T00:01:00Z', 'scale'), 'main-without-status', deployments.schema);
    const [creator, scaler] = entries(scaled);
    assert.equal(scaler.subresource, 'scale');
    assert.deepEqual(scaler.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(creator.time, '2026-01-01T00:00:00Z', 'the creator changed nothing: its time stays');
    assert.equal(creator.fieldsV1['f:spec']['f:replicas'], undefined, 'replicas moved to the scaler');

    const unscaled = structuredClone(scaled);
    delete (unscaled.spec as { replicas?: number }).replicas;
    recordUpdate(scaled, unscaled, writer('kubectl-edit'), 'main-without-status', deployments.schema);
    assert.deepEqual(entries(unscaled).map((e) => e.manager), ['kubectl-create'], 'an entry left with no fields is gone; a removal owns nothing');
  });

  it('status writes own only status, main writes never do', () => {
    const obj = deployment(1);
    recordUpdate(undefined, obj, writer('kubectl-create'), 'main-without-status', deployments.schema);
    const withStatus = { ...structuredClone(obj), status: { replicas: 1 } };
    recordUpdate(obj, withStatus, writer('kube-controller-manager', undefined, 'status'), 'status', deployments.schema);
    const status = entries(withStatus).find((e) => e.subresource === 'status')!;
    assert.deepEqual(status.fieldsV1, { 'f:status': { 'f:replicas': {} } }, 'status is a struct: appearing, it is not itself owned');
  });

  it('managedFields: [] resets them; absent keeps the stored ones', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    recordUpdate(undefined, obj, writer('one'), 'main', configmaps.schema);
    const kept = { ...structuredClone(obj), data: { a: '1', b: '2' } };
    delete kept.metadata.managedFields;
    recordUpdate(obj, kept, writer('two'), 'main', configmaps.schema);
    assert.deepEqual(entries(kept).map((e) => e.manager), ['one', 'two']);
    const reset = { ...structuredClone(kept), metadata: { ...kept.metadata, managedFields: [] } };
    recordUpdate(kept, reset, writer('three'), 'main', configmaps.schema);
    assert.equal(reset.metadata.managedFields, undefined, 'reset, and the write itself changed nothing');
  });
});

describe('the cap on Update entries', () => {
  it('past ten, the oldest merge into ancient-changes', () => {
    let obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(obj);
      (next.data as Record<string, string>)[`k${i}`] = 'v';
      recordUpdate(obj, next, { manager: `m${i}`, apiVersion: 'v1', time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }, 'main', configmaps.schema);
      obj = next;
    }
    const managers = entries(obj).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.equal(managers[0], 'ancient-changes');
    assert.deepEqual(entries(obj)[0].fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
    assert.equal(entries(obj)[0].time, '2026-01-01T00:00:02Z');
  });
});

describe('Apply', () => {
  const applied = (live: KubeObject, config: KubeObject, manager = 'kubectl', force = false) =>
    applyConfiguration(live, config, writer(manager), force, 'main-without-status', deployments.schema);

  it('conflicts with another manager\'s field of another value are kube-apiserver\'s 409', () => {
    const live = applied({ metadata: {} }, deployment(2));
    const scaled = structuredClone(live);
    (scaled.spec as { replicas: number }).replicas = 3;
    recordUpdate(live, scaled, writer('kubectl', undefined, 'scale'), 'main-without-status', deployments.schema);
    assert.throws(() => applied(scaled, deployment(5)), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'Conflict');
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
      assert.deepEqual(err.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: '.spec.replicas' }]);
      return true;
    });
    // the same value is shared, not a conflict
    const shared = applied(scaled, deployment(3));
    assert.equal(entries(shared).length, 2);
    // forced: ownership moves
    const forced = applied(scaled, deployment(5), 'kubectl', true);
    assert.equal((forced.spec as { replicas: number }).replicas, 5);
    assert.deepEqual(entries(forced).map((e) => e.operation), ['Apply']);
  });

  it('several conflicts are listed by manager', () => {
    const live = applied({ metadata: {} }, deployment(2), 'a');
    assert.throws(() => applied(live, deployment(3, 'httpd'), 'b'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
      return true;
    });
  });

  it('what the manager applied before and omits now is removed, unless someone else owns it', () => {
    const live = applied({ metadata: {} }, deployment(2, 'nginx', { tier: 'front', team: 'x' }));
    const pruned = applied(live, deployment(2));
    assert.deepEqual(pruned.metadata.labels, { app: 'web' });

    const coOwned = applied(live, deployment(2, 'nginx', { team: 'x' }), 'other');
    const kept = applied(coOwned, deployment(2));
    assert.deepEqual(kept.metadata.labels, { app: 'web', team: 'x' }, 'team is still owned by "other"');
  });

  it('an unchanged re-apply keeps the entry\'s time', () => {
    const live = applied({ metadata: {} }, deployment(2));
    const again = applyConfiguration(live, deployment(2), writer('kubectl', '2027-01-01T00:00:00Z'), false, 'main-without-status', deployments.schema);
    assert.equal(entries(again)[0].time, '2026-01-01T00:00:00Z');
  });
});

describe('Apply to a custom resource: list and map types from the CRD schema', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'routers.example.com' },
    spec: {
      group: 'example.com', names: { kind: 'Router', plural: 'routers' }, scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'protocol'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } },
        hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        plain: { type: 'array', items: { type: 'string' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      } } } } } }],
    },
  };
  const routers = customResourceDefs(crd as never)[0];
  const router = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Router', metadata: { name: 'r', namespace: 'default' }, spec });
  const applied = (live: KubeObject, config: KubeObject, manager: string, force = false) =>
    applyConfiguration(live, config, { manager, apiVersion: 'example.com/v1', time: '2026-01-01T00:00:00Z' }, force, 'main-without-status', routers.schema);

  it('map-list entries and set elements of two appliers merge; atomic lists and maps are replaced', () => {
    const a = applied({ metadata: {} }, router({ ports: [{ name: 'http', port: 80 }], hosts: ['a.example'], plain: ['x'], selector: { app: 'a' }, labels: { a: '1' } }), 'alice');
    const both = applied(a, router({ ports: [{ name: 'https', port: 443 }], hosts: ['b.example'], labels: { b: '2' } }), 'bob');
    assert.deepEqual(both.spec, { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], hosts: ['a.example', 'b.example'], plain: ['x'], selector: { app: 'a' }, labels: { a: '1', b: '2' } });
    const bob = entries(both).find((e) => e.manager === 'bob')!;
    assert.deepEqual(bob.fieldsV1, { 'f:spec': {
      'f:hosts': { 'v:"b.example"': {} }, 'f:labels': { 'f:b': {} },
      'f:ports': { 'k:{"name":"https","protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
    } });
    const alice = entries(both).find((e) => e.manager === 'alice')!;
    assert.deepEqual(alice.fieldsV1['f:spec']['f:plain'], {}, 'a list with no list type is owned whole');
    assert.deepEqual(alice.fieldsV1['f:spec']['f:selector'], {}, 'an atomic map is owned whole');
    // Atomic values conflict whole; bob's own entry is left alone when alice stops applying hers.
    assert.throws(() => applied(both, router({ plain: ['y'], selector: { app: 'b' } }), 'bob'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.plain\n- .spec.selector');
      return true;
    });
    const dropped = applied(both, router({ hosts: ['a.example'] }), 'alice');
    assert.deepEqual(dropped.spec, { ports: [{ name: 'https', port: 443 }], hosts: ['a.example', 'b.example'], labels: { b: '2' } });
  });

  it('merged lists take SMD\'s order (typed/merge.go): the applied order, with live-only elements where the walk of both lists meets them', () => {
    const a = applied({ metadata: {} }, router({ hosts: ['a', 'b'], ports: [{ name: 'p1' }, { name: 'p2' }, { name: 'p3' }] }), 'alice');
    const b = applied(a, router({ hosts: ['x', 'a'], ports: [{ name: 'p3' }, { name: 'new' }, { name: 'p1' }] }), 'bob');
    assert.deepEqual((b.spec as { hosts: string[] }).hosts, ['x', 'a', 'b']);
    assert.deepEqual((b.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name), ['p2', 'p3', 'new', 'p1']); // as SMD's walk gives it (p1 waits for its place in the applied order)
  });

  it('a conflict names the map-list entry by its keys, a defaulted key included', () => {
    const a = applied({ metadata: {} }, router({ ports: [{ name: 'http', port: 80 }] }), 'alice');
    assert.throws(() => applied(a, router({ ports: [{ name: 'http', port: 8080 }] }), 'bob'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.ports[name="http",protocol="TCP"].port');
      return true;
    });
    const forced = applied(a, router({ ports: [{ name: 'http', port: 8080 }] }), 'bob', true);
    assert.deepEqual(forced.spec, { ports: [{ name: 'http', port: 8080 }] });
  });
});
