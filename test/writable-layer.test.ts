import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedMountsLayer, withLayer, withSharedMounts, writableLayer } from '../src/runtime/writableLayer.ts';

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

  it('an emptyDir is one layer for every container that mounts it, wherever each mounts it; a read-only mount writes nothing to it', () => {
    const volume = 'shared/default/uid-pod/volume:data';
    const writer = sharedMountsLayer(writableLayer('shared/default/uid-pod/writer/c1'), [{ mountPath: '/out/', key: volume }]);
    assert.equal(writer.write('/out/note', 'hello'), true);
    writer.mkdir('/out/sub');
    assert.equal(writer.write('/tmp/own', 'mine'), true);
    const reader = withSharedMounts(withLayer('shared/default/uid-pod/reader/c2', {}, []), [{ mountPath: '/in', key: volume }]);
    assert.equal(reader.files['/in/note'], 'hello');
    assert.ok(reader.dirs.includes('/in/sub'));
    assert.equal(reader.files['/tmp/own'], undefined, 'a container\'s own writes stay its own');
    const readOnly = sharedMountsLayer(writableLayer('shared/default/uid-pod/ro/c3'), [{ mountPath: '/in', key: volume, readOnly: true }]);
    readOnly.write('/in/note', 'overwritten');
    assert.equal(withSharedMounts({ files: {}, dirs: [] }, [{ mountPath: '/in', key: volume }]).files['/in/note'], 'hello');
  });
});
