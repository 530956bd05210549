import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonCopy } from '../src/apimachinery/jsonCopy.ts';
import { Registry, type DecodedObjects } from '../src/registry/generic.ts';
import { resources } from '../src/registry/resources/index.ts';
import { parseStoredObject } from '../src/registry/storedFields.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { provisionedMemoryCluster } from './helpers/memoryCluster.ts';

/**
 * A write by a driver that holds its objects decoded (the control plane's pass) starts from a copy
 * of the one it holds and leaves what it wrote there (registry/generic.ts, DecodedObjects), so the
 * stored value is not parsed again, nor the write's result by the next pass.
 */
describe('jsonCopy', () => {
  it('is what a JSON round trip gives', () => {
    const value = { a: 'x', b: undefined, c: [1, undefined, { d: null, e: () => 1 }], f: { g: true, h: -0.5 } };
    assert.deepEqual(jsonCopy(value), JSON.parse(JSON.stringify(value)));
  });

  it('copies what is not frozen and shares what is', () => {
    const set = Object.freeze({ 'f:metadata': Object.freeze({}) });
    const value = { spec: { containers: [{ name: 'c' }] }, fieldsV1: set };
    const copy = jsonCopy(value);
    assert.notEqual(copy.spec, value.spec);
    assert.notEqual(copy.spec.containers[0], value.spec.containers[0]);
    copy.spec.containers[0].name = 'changed';
    assert.equal(value.spec.containers[0].name, 'c');
    assert.equal(copy.fieldsV1, set, 'a frozen subtree (a decoded managedFields set) is shared');
  });

  it('keeps a "__proto__" key JSON.parse made an own property, not the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = jsonCopy(value);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'a']);
    assert.equal(JSON.stringify(copy), JSON.stringify(value));
  });

  it('copies own keys only, as JSON.stringify does', () => {
    const value = Object.assign(Object.create({ inherited: 1 }) as Record<string, unknown>, { own: 2 });
    assert.deepEqual(jsonCopy(value), { own: 2 });
  });
});

const configmaps = resources.find((r) => r.plural === 'configmaps' && r.group === '')!;
const key = '/registry/c/core/configmaps/default/cm';

/** A registry whose driver holds decoded objects in a map, as the control plane's pass does. */
async function heldCluster() {
  const { store, ports, catalog } = await provisionedMemoryCluster();
  const held = new Map<string, { revision: number; obj: KubeObject }>();
  const decoded: DecodedObjects = {
    get: (k, revision) => (held.get(k)?.revision === revision ? held.get(k)!.obj : undefined),
    set: (k, revision, obj) => { held.set(k, { revision, obj }); },
  };
  const registry = new Registry(catalog, { ...ports, decoded }, 'c');
  await registry.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { big: 'x'.repeat(25_000) } }, { fieldManager: 'kubectl-create' });
  /** The record as the pass decodes it: parsed, its resourceVersion set. */
  const decode = async () => {
    const kv = (await store.cluster('c').get(key))!;
    const obj = parseStoredObject(kv.value);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return { revision: kv.modRevision, obj };
  };
  return { registry, held, decode };
}

const labelled = (value: string) => (obj: KubeObject) => { obj.metadata.labels = { ...obj.metadata.labels, step: value }; };

describe('a write from objects held decoded', () => {
  it('starts from a copy of the held object, and leaves the one it wrote, as a decode of it shows', async () => {
    const { registry, held, decode } = await heldCluster();
    const before = await decode();
    held.set(key, before);
    const snapshot = structuredClone(before.obj);
    let given: KubeObject | undefined;
    const written = await registry.mutate(configmaps, 'default', 'cm', (obj) => { given = obj; labelled('one')(obj); });
    assert.notEqual(given, before.obj, 'the writer gets a copy');
    assert.deepEqual(before.obj, snapshot, 'the held object is not changed');
    const after = await decode();
    const kept = held.get(key)!;
    assert.equal(kept.revision, after.revision);
    assert.equal(kept.obj.metadata.resourceVersion, written.metadata.resourceVersion);
    assert.deepEqual(kept.obj, after.obj, 'what is held is what a decode of the stored record gives');
    assert.notEqual(kept.obj, written, 'the caller gets an object of its own');
    written.metadata.labels!.step = 'changed by the caller';
    assert.equal(kept.obj.metadata.labels!.step, 'one');
  });

  it('uses the held object only at the stored revision', async () => {
    const { registry, held, decode } = await heldCluster();
    // A held object that differs from the stored one shows which of them a write started from.
    const mark = async (from: string, revisionsBehind: number) => {
      const current = await decode();
      const obj = jsonCopy(current.obj);
      obj.metadata.annotations = { from };
      held.set(key, { revision: current.revision - revisionsBehind, obj });
    };
    await mark('held', 0);
    assert.equal((await registry.mutate(configmaps, 'default', 'cm', labelled('one'))).metadata.annotations?.from, 'held');
    await mark('stale', 1);
    const written = await registry.mutate(configmaps, 'default', 'cm', labelled('two'));
    assert.equal(written.metadata.annotations?.from, 'held', 'a held object of another revision is not used: the stored one is');
    assert.equal(written.metadata.labels?.step, 'two');
  });
});
