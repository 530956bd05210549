import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../src/storage/memory.ts';
import { valueLength } from '../src/storage/store.ts';
import { storeContract } from './helpers/storeContract.ts';

const logBytes = 8 * 1024 * 1024;
storeContract('memory', async () => ({ store: new MemoryStore({ entries: 10_000, bytes: logBytes }), close: async () => {}, logBytes }));

describe('the memory store holds large values off the JavaScript heap (as UTF-8 bytes)', () => {
  it('gives each large value back whole through every read, the log and a delete, and a record spread or serialized keeps it', async () => {
    const store = new MemoryStore({ entries: 100, bytes: logBytes });
    await store.createCluster('alice');
    const alice = store.cluster('alice');
    const key = '/registry/alice/configmaps/default/big';
    // Past the off-heap threshold, with characters of 2, 3 and 4 UTF-8 bytes.
    const first = JSON.stringify({ data: { v: 'é漢😀'.repeat(2000) } });
    const second = JSON.stringify({ data: { v: 'x'.repeat(30_000) } });
    const created = await alice.create(key, first);
    assert.ok(created.ok);
    const watcher = alice.watch('/registry/alice/', 0);
    const updated = await alice.update(key, second, created.kv.modRevision);
    assert.ok(updated.ok);
    assert.equal(updated.prevKv!.value, first);
    assert.equal((await alice.get(key))!.value, second);
    assert.equal(valueLength((await alice.get(key))!), second.length, 'its length is known without decoding it');
    assert.equal(valueLength(updated.prevKv!), first.length);
    assert.equal((await alice.list('/registry/alice/')).items[0].value, second);
    assert.equal((await alice.list('/registry/alice/', { revision: created.kv.modRevision })).items[0].value, first, 'a list at a past revision');
    const deleted = await alice.delete(key);
    assert.ok(deleted.ok);
    assert.equal(deleted.kv.value, second, 'the delete’s record keeps the value');
    const log = (await alice.changes(0, 10)).events;
    assert.deepEqual(log.map((e) => [e.type, e.kv.value.length]), [['PUT', first.length], ['PUT', second.length], ['DELETE', second.length]]);
    const events = watcher[Symbol.asyncIterator]();
    assert.equal(((await events.next()).value as { kv: { value: string } }).kv.value, first);
    watcher.close();
    assert.equal({ ...deleted.kv }.value, second, 'a spread record keeps its value');
    assert.equal(JSON.parse(JSON.stringify(deleted.kv)).value, second, 'so does a serialized one');
    // The byte budget counts UTF-8: 'é漢😀' is 2 + 3 + 4 bytes.
    await alice.create(key, first);
    assert.equal((await alice.usage()).bytes, key.length + first.length + 2000 * (9 - 4));
  });
});
