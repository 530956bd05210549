import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withLayer, writableLayer } from '../src/runtime/writableLayer.ts';

/** Containers' writable layers share one process among every cluster: bounded per cluster, and one cluster's bulk cannot push out another's. */
describe('writable layers', () => {
  const mib = (n: number) => 'x'.repeat(n * 1024 * 1024 - 64);
  const key = (cluster: string, container: string) => `${cluster}/default/uid-${container}/main/containerd://${container}`;

  it('a cluster past its share is refused; past the total, the heaviest cluster loses its oldest layer, not a small one', () => {
    assert.equal(writableLayer(key('small', 'a')).write('/tmp/note', 'mine'), true);
    for (const cluster of ['big1', 'big2', 'big3', 'big4']) {
      assert.equal(writableLayer(key(cluster, 'a')).write('/data', mib(8)), true);
      assert.equal(writableLayer(key(cluster, 'b')).write('/data', mib(7)), true);
      assert.equal(writableLayer(key(cluster, 'c')).write('/data', mib(2)), false, `${cluster} is refused past 16 MiB`);
    }
    // 60 MiB held; another 8 MiB goes past the 64 MiB total: a big cluster's oldest layer goes.
    assert.equal(writableLayer(key('big5', 'a')).write('/data', mib(8)), true);
    assert.equal(withLayer(key('small', 'a'), {}, []).files['/tmp/note'], 'mine');
    assert.equal(withLayer(key('big1', 'a'), {}, []).files['/data'], undefined, 'the heaviest cluster\'s oldest layer was dropped');
    assert.equal(withLayer(key('big5', 'a'), {}, []).files['/data']?.length, 8 * 1024 * 1024 - 64);
  });
});
