import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialLine } from '../src/server/initialLines.ts';
import type { KeyValue } from '../src/storage/store.ts';

const record = (name: string, value = '{}', revision = 1): KeyValue => ({ key: `/registry/c/configmaps/default/${name}`, value, createRevision: revision, modRevision: revision });

/** Counts how often a line is encoded. */
function encoder(bytes: number) {
  const counter = { calls: 0, encode: () => { counter.calls++; return new Uint8Array(bytes); } };
  return counter;
}

describe('initial watch lines', () => {
  it('encodes a record once for every watch of the same resource form', () => {
    const kv = record('shared');
    const e = encoder(300_000);
    const first = initialLine(kv, '/v1/configmaps', e.encode);
    for (let i = 0; i < 50; i++) assert.equal(initialLine(kv, '/v1/configmaps', e.encode), first);
    assert.equal(e.calls, 1);
    // Another version of the object (a new record), or another form of the same one, is encoded anew.
    initialLine(record('shared', '{"data":{}}', 2), '/v1/configmaps', e.encode);
    initialLine(kv, 'other/v1/configmaps', e.encode);
    assert.equal(e.calls, 3);
  });

  it('keeps at most 16 MiB of lines, dropping the least recently used, and never keeps one past 2 MiB', () => {
    const huge = record('huge');
    const e = encoder(3 * 1024 * 1024);
    initialLine(huge, 'f', e.encode);
    initialLine(huge, 'f', e.encode);
    assert.equal(e.calls, 2, 'a 3 MiB line is encoded for each watch, not kept');

    const oldest = record('oldest');
    const recent = record('recent');
    const o = encoder(1024 * 1024), r = encoder(1024 * 1024);
    initialLine(oldest, 'f', o.encode);
    initialLine(recent, 'f', r.encode);
    for (let i = 0; i < 16; i++) {
      initialLine(record(`filler-${i}`), 'f', encoder(1024 * 1024).encode);
      initialLine(recent, 'f', r.encode); // in use: stays
    }
    initialLine(oldest, 'f', o.encode);
    initialLine(recent, 'f', r.encode);
    assert.equal(o.calls, 2, 'the least recently used line was dropped past 16 MiB');
    assert.equal(r.calls, 1, 'a line in use is kept');
  });
});
