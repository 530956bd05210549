import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from './helpers/queueFaults.ts';
import { SortedKeys } from '../src/storage/sortedKeys.ts';

/** The memory store's key index against the obvious reference: a sorted array, rebuilt each time. */
describe('SortedKeys (the memory store index)', () => {
  it('stays equal to a sorted array through 20,000 random inserts and deletes, with prefix scans that cross blocks', () => {
    const seed = 20261125;
    const random = seededRandom(seed);
    const keys = new SortedKeys();
    const reference = new Set<string>();
    const prefixes = ['/registry/c/pods/a/', '/registry/c/pods/b/', '/registry/c/services/a/', '/registry/d/pods/a/'];
    for (let step = 0; step < 20_000; step++) {
      const key = `${prefixes[Math.floor(random() * prefixes.length)]}${Math.floor(random() * 5000).toString(36)}`;
      // two inserts for each delete, so the index grows past many block splits and also empties blocks
      if (random() < 0.67) { if (!reference.has(key)) { keys.insert(key); reference.add(key); } } else { keys.delete(key); reference.delete(key); }
    }
    const sorted = [...reference].sort();
    assert.ok(sorted.length > 2_000, `the index should hold many blocks' worth of keys (holds ${sorted.length})`);
    assert.deepEqual([...keys.from('')], sorted, `all keys in order (seed ${seed})`);
    for (const prefix of [...prefixes, '/registry/c/', '/registry/c/pods/', '/registry/e/', '']) {
      assert.deepEqual([...keys.withPrefix(prefix)], sorted.filter((k) => k.startsWith(prefix)), `keys under ${prefix}`);
    }
    const middle = sorted[Math.floor(sorted.length / 2)];
    assert.deepEqual([...keys.withPrefix('/registry/c/', middle + '\0')], sorted.filter((k) => k.startsWith('/registry/c/') && k > middle), 'a continue from the middle');
    keys.delete('/not/there');
    for (const key of sorted) keys.delete(key);
    assert.deepEqual([...keys.from('')], []);
  });
});
