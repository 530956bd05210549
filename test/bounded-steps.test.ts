import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from '../src/registry/generic.ts';
import { resources } from '../src/registry/resources/index.ts';
import type { KubeObject } from '../src/registry/types.ts';
import * as core from '../src/schema/core.ts';
import { strategicMergeInTurns, strategicMergePatch } from '../src/server/strategicMerge.ts';
import { compare, compareInTurns } from '../src/registry/typedFields.ts';
import { toFieldsV1 } from '../src/registry/fieldSet.ts';
import { encodeJson, encodeJsonBytes, shapeObject } from '../src/server/wire.ts';
import { provisionedMemoryCluster } from './helpers/memoryCluster.ts';

/**
 * A large object's write on the loop every cluster of the Node entry shares is worked in bounded
 * steps: the strategic merge of 12,000 finalizers in slices with turns of the loop between them,
 * and the answer's large managedFields set written as the text it was stored as.
 */

const finalizers = (n: number) => Array.from({ length: n }, (_, i) => `example.com/f-${i}`);
const reorderPatch = (order: string[]) => ({ metadata: { '$setElementOrder/finalizers': order, finalizers: order } });

describe('a strategic merge in turns', () => {
  it('pauses between slices of a 12,000-finalizer reorder and gives what the merge at once gives', async () => {
    const names = finalizers(12_000);
    const original = { metadata: { name: 'many', finalizers: names }, data: { a: 'b' } };
    const reversed = [...names].reverse();
    let pauses = 0;
    const sliced = await strategicMergeInTurns(structuredClone(original), reorderPatch(reversed), core.configMap, () => { pauses++; return Promise.resolve(); });
    const atOnce = strategicMergePatch(original, reorderPatch(reversed), core.configMap);
    assert.deepEqual(sliced, atOnce);
    assert.deepEqual((sliced.metadata as { finalizers: string[] }).finalizers, reversed);
    // 4 passes of 12,000 elements at 2,048 a slice: at least 23 pauses (one slice was all of it before).
    assert.ok(pauses >= 23, `paused ${pauses} times`);
  });

  it('keeps server-only finalizers before the first listed one that stood after them, and drops what only the order names', async () => {
    // Live: a server-1 b c server-2 a (a twice). Listed, in the order's order: c b a (ghost is in neither list).
    // server-1 stood before c (the first listed), server-2 after all of them (normalizeElementOrder).
    const original = { metadata: { finalizers: ['a', 'server-1', 'b', 'c', 'server-2', 'a'] } };
    const patch = { metadata: { '$setElementOrder/finalizers': ['c', 'ghost', 'b', 'a'], finalizers: ['c'] } };
    const merged = await strategicMergeInTurns(structuredClone(original), structuredClone(patch), core.configMap, () => undefined);
    assert.deepEqual((merged.metadata as { finalizers: string[] }).finalizers, ['server-1', 'c', 'b', 'a', 'server-2']);
  });

  it('does not pause for a small patch', async () => {
    let pauses = 0;
    const merged = await strategicMergeInTurns({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { b: '2' } } }, core.configMap, () => { pauses++; return undefined; });
    assert.deepEqual(merged, { metadata: { labels: { a: '1', b: '2' } } });
    assert.equal(pauses, 0);
  });
});

describe('a comparison of a large object in turns (managedFields)', () => {
  it('pauses between slices of 12,000 finalizers and finds what the comparison at once finds', async () => {
    const names = finalizers(12_000);
    const before = { metadata: { finalizers: names }, data: { a: 'b' } };
    // Reordered, one gone and one new: one removed and one added, whatever the order.
    const after = { metadata: { finalizers: [...names.slice(1).reverse(), 'example.com/new'] }, data: { a: 'c' } };
    let pauses = 0;
    const sliced = await compareInTurns(before, after, core.configMap, () => { pauses++; return Promise.resolve(); });
    const atOnce = compare(before, after, core.configMap);
    assert.ok(pauses >= 17, `paused ${pauses} times`);
    for (const part of ['added', 'modified', 'removed'] as const) assert.deepEqual(toFieldsV1(sliced[part]), toFieldsV1(atOnce[part]), part);
    assert.deepEqual(toFieldsV1(sliced.added), { 'f:metadata': { 'f:finalizers': { 'v:"example.com/new"': {} } } });
    assert.deepEqual(toFieldsV1(sliced.removed), { 'f:metadata': { 'f:finalizers': { 'v:"example.com/f-0"': {} } } });
    assert.deepEqual(toFieldsV1(sliced.modified), { 'f:data': { 'f:a': {} } });
  });
});

describe('an answer with a large managedFields set', () => {
  const configmaps = resources.find((r) => r.plural === 'configmaps' && r.group === '')!;

  async function registry() {
    const { ports, catalog } = await provisionedMemoryCluster();
    return new Registry(catalog, ports, 'c');
  }

  it('is the bytes JSON.stringify gives, Go-escaped, with the set written from its stored text', async () => {
    const reg = await registry();
    // A finalizer with `<` and `&` (escaped as Go escapes them, inside the set's text as well) and one
    // that spells this encoder's placeholder without its nonce: a client's string is never replaced.
    const names = [...finalizers(1000), 'example.com/<a&b>', '"fieldsV1-0"'];
    await reg.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'many', namespace: 'default', finalizers: names }, data: { note: 'fieldsV1-' } }, { fieldManager: 'kubectl-create' });
    const read = shapeObject(await reg.get(configmaps, 'default', 'many'));
    const expected = `${JSON.stringify(read)}\n`.replace(/[<>&]/g, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`);
    const encoded = encodeJson(read, false);
    assert.equal(encoded, expected);
    assert.ok(encoded.includes('example.com/\\u003ca\\u0026b\\u003e'));
    // A list of it, and a watch event of it, likewise.
    const list = { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [read, read] };
    assert.equal(encodeJson(list, false), `${JSON.stringify(list)}\n`.replace(/[<>&]/g, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`));
    const event = { type: 'MODIFIED', object: read };
    assert.deepEqual(JSON.parse(encodeJson(event, false)), JSON.parse(JSON.stringify(event)));
    assert.deepEqual(encodeJsonBytes(event, false), new TextEncoder().encode(encodeJson(event, false)), 'a watch event of it, as bytes');
    // As bytes (what an answer sends): the pieces encoded one by one into one buffer, the same bytes.
    const bytes = encodeJsonBytes(read, false);
    assert.ok(bytes instanceof Uint8Array, 'a body with a stored set is encoded piece by piece');
    assert.deepEqual(bytes, new TextEncoder().encode(expected));
    assert.equal(encodeJsonBytes({ kind: 'Status', message: 'a<b' }, false), '{"kind":"Status","message":"a\\u003cb"}\n');
  });

  it('is encoded as it is when the set was never stored as text', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [{ manager: 'm', operation: 'Update', fieldsV1: { 'f:data': {} } }] } };
    assert.equal(encodeJson(obj, false), `${JSON.stringify(obj)}\n`);
  });
});
