import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from '../src/registry/generic.ts';
import type { ManagedFieldsEntry } from '../src/registry/managedFields.ts';
import { resources } from '../src/registry/resources/index.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { applyPatch } from '../src/server/patch.ts';
import { provisionedMemoryCluster } from './helpers/memoryCluster.ts';

/**
 * managedFields' large sets are stored as their JSON text (src/registry/storedFields.ts) and read
 * back as the API shows them: what a client sees is unchanged, what is stored parses as one string.
 */
const configmaps = resources.find((r) => r.plural === 'configmaps' && r.group === '')!;
const key = '/registry/c/core/configmaps/default/many';

async function cluster() {
  const { store, ports, catalog } = await provisionedMemoryCluster();
  const registry = new Registry(catalog, ports, 'c');
  const stored = async () => JSON.parse((await store.cluster('c').get(key))!.value) as KubeObject;
  return { store, registry, stored };
}

const finalizers = (n: number) => Array.from({ length: n }, (_, i) => `example.com/f-${i}`);
const configMap = (names: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'many', namespace: 'default', finalizers: names }, data: { a: 'b' } });
const entries = (obj: KubeObject) => (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const finalizerSet = (entry: ManagedFieldsEntry) => (entry.fieldsV1 as Record<string, Record<string, Record<string, unknown>>>)['f:metadata']['f:finalizers'];
const reorder = (names: string[]) => new TextEncoder().encode(JSON.stringify({ metadata: { '$setElementOrder/finalizers': names, finalizers: names } }));

describe('managedFields as stored', () => {
  it('stores a large set as its text and reads it back as the set, the same one for every read', async () => {
    const { registry, stored } = await cluster();
    const names = finalizers(1000);
    const created = await registry.create(configmaps, 'default', configMap(names), { fieldManager: 'kubectl-create' });
    // What the client is answered and reads: the set as an object, one `v:` entry per finalizer.
    assert.equal(Object.keys(finalizerSet(entries(created)[0])).length, 1001);
    const raw = entries(await stored())[0].fieldsV1 as unknown;
    assert.equal(typeof raw, 'string', 'the set is stored as its JSON text');
    const first = await registry.get(configmaps, 'default', 'many');
    const second = await registry.get(configmaps, 'default', 'many');
    assert.deepEqual(entries(first)[0].fieldsV1, JSON.parse(raw as string));
    assert.equal(entries(first)[0].fieldsV1, entries(second)[0].fieldsV1, 'decoded once, shared by both reads');
    // Shared, so frozen: a change in place would change every object read with it.
    assert.throws(() => { (finalizerSet(entries(first)[0]) as Record<string, unknown>)['v:"x"'] = {}; }, TypeError);
    assert.deepEqual(first.metadata.finalizers, names);
  });

  it('keeps a small set an object, as before', async () => {
    const { registry, stored } = await cluster();
    await registry.create(configmaps, 'default', configMap(finalizers(3)), { fieldManager: 'kubectl-create' });
    assert.equal(typeof entries(await stored())[0].fieldsV1, 'object');
  });

  it('records a write that reorders the list as no change of fields, and stores the same text', async () => {
    const { registry, stored } = await cluster();
    const names = finalizers(1000);
    await registry.create(configmaps, 'default', configMap(names), { fieldManager: 'kubectl-create' });
    const before = entries(await stored());
    const reversed = [...names].reverse();
    const patched = await registry.mutate(configmaps, 'default', 'many', (obj) => applyPatch(obj, reorder(reversed), 'application/strategic-merge-patch+json', configmaps.schema), { fieldManager: 'kubectl-patch' });
    assert.deepEqual(patched.metadata.finalizers, reversed);
    assert.deepEqual(entries(patched).map((e) => e.manager), ['kubectl-create']);
    assert.deepEqual(entries(await stored()), before);
  });

  it('moves ownership of a large set on a write that changes it, and stores the new set as text', async () => {
    const { registry, stored } = await cluster();
    const names = finalizers(1000);
    await registry.create(configmaps, 'default', configMap(names), { fieldManager: 'kubectl-create' });
    const fewer = names.slice(0, 900);
    const updated = await registry.mutate(configmaps, 'default', 'many', (obj) => { obj.metadata.finalizers = [...fewer, 'example.com/new']; }, { fieldManager: 'operator' });
    const byManager = Object.fromEntries(entries(updated).map((e) => [e.manager, Object.keys(finalizerSet(e) ?? {})]));
    assert.deepEqual(byManager.operator, ['v:"example.com/new"']);
    assert.equal(byManager['kubectl-create'].length, 901, 'the removed finalizers left the set: "." and 900 kept');
    const raw = entries(await stored()).map((e) => e.fieldsV1 as unknown);
    assert.equal(typeof raw[0], 'string');
    assert.deepEqual(entries(await registry.get(configmaps, 'default', 'many')), entries(updated));
  });

  it('reads an object stored with its set as an object (before this form), and writes it back as text', async () => {
    const { store, registry, stored } = await cluster();
    const names = finalizers(1000);
    const created = await registry.create(configmaps, 'default', configMap(names), { fieldManager: 'kubectl-create' });
    // The same object as an earlier version stored it: the set inline.
    const { resourceVersion: _rv, ...metadata } = created.metadata;
    const current = (await store.cluster('c').get(key))!;
    await store.cluster('c').update(key, JSON.stringify({ ...created, metadata: { ...metadata, managedFields: entries(created).map((e) => ({ ...e, fieldsV1: structuredClone(e.fieldsV1) })) } }), current.modRevision);
    assert.equal(typeof entries(await stored())[0].fieldsV1, 'object');
    const read = await registry.get(configmaps, 'default', 'many');
    assert.deepEqual(entries(read), entries(created));
    await registry.mutate(configmaps, 'default', 'many', (obj) => { obj.data = { a: 'c' }; }, { fieldManager: 'kubectl-edit' });
    assert.equal(typeof entries(await stored()).find((e) => e.manager === 'kubectl-create')!.fieldsV1, 'string');
  });
});
