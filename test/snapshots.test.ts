import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ApiError } from '../src/apimachinery/errors.ts';
import { systemClock } from '../src/ports.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { budgetedStore } from '../src/tenancy/budgets.ts';
import { readHistory } from '../src/tenancy/history.ts';
import { storeProvisioner } from '../src/tenancy/provision.ts';
import { readSnapshot, type Snapshot } from '../src/tenancy/snapshot.ts';
import { startControlPlane } from './helpers/controlplane.ts';

/** Snapshot files beyond the kubectl scenario (test/scenarios/tenancy.ts): validation, budgets, re-levelling, history. */

const header = (over: Record<string, unknown> = {}) => JSON.stringify({
  apiVersion: 'apiserverless.dev/v1', kind: 'ClusterSnapshot', format: 1,
  cluster: { name: 'alice', uid: 'u-1', createdAt: '2026-01-01T00:00:00Z', nodes: ['controlplane', 'node01'], kubernetesVersion: 'v1.35.0' },
  revision: 10, takenAt: '2026-01-01T00:00:00Z', objects: 1, ...over,
});
const cm = (ns: string, name: string) => JSON.stringify({ key: `core/configmaps/${ns}/${name}`, value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: 'b' } } });
const file = (...lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');

async function refused(bytes: Uint8Array, pattern: RegExp, code = 400, max = 1 << 20): Promise<void> {
  await assert.rejects(readSnapshot(bytes, max), (err: unknown) => {
    assert.ok(err instanceof ApiError, `an ApiError, not ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('snapshot files', () => {
  it('reads a well-formed file, gzip\'d or not, to the same snapshot', async () => {
    const plain = file(header({ objects: 2 }), cm('a', 'x'), cm('b', 'x'));
    const read = await readSnapshot(plain, 1 << 20);
    assert.deepEqual(read.records.map((r) => r.key), ['core/configmaps/a/x', 'core/configmaps/b/x']);
    assert.deepEqual(await readSnapshot(gzipSync(plain), 1 << 20), read);
  });

  it('refuses every malformed file with a 400 naming what is wrong', async () => {
    await refused(new Uint8Array([0x00, 0x01, 0xff, 0xfe]), /not an apiserverless cluster snapshot/);
    await refused(file('SQLite format 3'), /not an apiserverless cluster snapshot/);
    await refused(file(header({ kind: 'Pod' })), /not an apiserverless cluster snapshot/);
    await refused(file(header({ format: 2 })), /format 2 is not supported: this server reads format 1/);
    await refused(file(header({ cluster: { name: 'Alice!' } })), /line 1: cluster must name the cluster/);
    await refused(file(header({ revision: -1 })), /revision must be a non-negative integer/);
    await refused(file(header({ objects: 2 }), cm('a', 'x')), /says 2 objects follow, but 1 do: the file is truncated/);
    await refused(file(header(), cm('a', 'x'), cm('b', 'x')), /line 3: the header says 1 objects follow, and more do/);
    await refused(file(header({ objects: 2 }), cm('b', 'x'), cm('a', 'x')), /line 3: key "core\/configmaps\/a\/x" is out of order or repeated/);
    await refused(file(header({ objects: 2 }), cm('a', 'x'), cm('a', 'x')), /out of order or repeated/);
    await refused(file(header(), '{"key":"apiserverless.dev/certificate-authority/x/y","value":{"metadata":{"name":"y","namespace":"x"}}}'), /the cluster's own \(its record or CA\)/);
    await refused(file(header(), '{"key":"core/configmaps/a/../x","value":{"metadata":{"name":"x"}}}'), /is not <group>\/<resource>\/\[<namespace>\/\]<name>/);
    await refused(file(header(), '{"key":"core/configmaps/a/x","value":{"metadata":{"name":"y","namespace":"a"}}}'), /metadata.name and metadata.namespace must be those its key names/);
    await refused(file(header(), '{"key":"core/configmaps/a/x","value":"text"}'), /line 2 must be/);
    await refused(file(header(), '{"key":"core/configmaps/a/x","value":{"metadata":{"name":"x","namespace":"a"}},"extra":1}'), /line 2 must be/);
    await refused(file(header(), '{"key": '), /line 2 is not JSON/);
    await refused(gzipSync(file(header(), cm('a', 'x'))).subarray(0, 40), /damaged: its gzip stream is incomplete or corrupt/);
    // A small file that inflates past the bound is refused before it is inflated whole.
    await refused(gzipSync(Buffer.alloc(4 << 20, 0x20)), /larger than 1048576 bytes uncompressed/, 413);
  });
});

describe('restore', () => {
  it('meets the cluster\'s object budget as a whole: a snapshot that does not fit is a 413 and changes nothing', async () => {
    const memory = new MemoryStore();
    const store = budgetedStore(memory, { maxObjects: 3, maxBytes: 1 << 20 }, systemClock);
    await store.createCluster('c');
    const s = store.cluster('c');
    await s.create('/registry/c/core/configmaps/default/keep', '{}');
    // The RBAC bootstrap policy's room is added to every budget: fill it as a real cluster would have.
    const records = Array.from({ length: 2000 }, (_, i) => ({ key: `/registry/c/core/configmaps/default/m${i}`, value: '{}' }));
    await assert.rejects(s.restore(records, []), (err: unknown) => err instanceof ApiError && err.code === 413 && /the snapshot holds 2000 objects .*may hold 3 objects/.test(err.message));
    assert.deepEqual((await s.list('/registry/c/')).items.map((kv) => kv.key), ['/registry/c/core/configmaps/default/keep']);
  });

  it('sends a resync: the controllers act on restored objects that came with no change events', async () => {
    const plane = await startControlPlane({ mode: 'manual', serve: false });
    try {
      const registry = plane.registry();
      const deployments = plane.catalog.find('apps', 'v1', 'deployments')!;
      await registry.create(deployments, 'default', {
        metadata: { name: 'web' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      } as KubeObject);
      await plane.drain(60_000);
      const pods = async () => (await registry.list(plane.catalog.find('', 'v1', 'pods')!, 'default')).items.filter((p) => p.metadata.labels?.app === 'web').length;
      assert.equal(await pods(), 1);
      const provisioner = storeProvisioner(plane.ports, plane.catalog);
      const snapshot = await readSnapshot((await provisioner.snapshot('default'))!, 1 << 30);
      const edited: Snapshot = {
        ...snapshot,
        records: snapshot.records.map((r) => r.key === 'apps/deployments/default/web' ? { ...r, value: r.value.replace('"replicas":1', '"replicas":2') } : r),
      };
      await provisioner.restore('default', edited);
      await plane.drain(60_000);
      assert.equal(await pods(), 2, 'the restored deployment got its second pod');
    } finally {
      await plane.close();
    }
  });

  it('a snapshot round-trips: what a restore writes is the file\'s content, byte for byte', async () => {
    const plane = await startControlPlane({ mode: 'manual', serve: false });
    try {
      const provisioner = storeProvisioner(plane.ports, plane.catalog);
      const file = (await provisioner.snapshot('default'))!;
      const lines = gunzipSync(file).toString('utf8').trimEnd().split('\n');
      const { revision } = await provisioner.restore('default', await readSnapshot(file, 1 << 30));
      const again = gunzipSync((await provisioner.snapshot('default'))!).toString('utf8').trimEnd().split('\n');
      assert.deepEqual(again.slice(1), lines.slice(1));
      assert.equal(JSON.parse(again[0]).revision, revision);
    } finally {
      await plane.close();
    }
  });
});

describe('history', () => {
  it('names the field manager of each change and keeps, for --since, a change of unknown time unless a later known one is older', async () => {
    const store = new MemoryStore();
    await store.createCluster('c');
    const s = store.cluster('c');
    const key = '/registry/c/core/configmaps/default/x';
    const at = (manager: string, time: string, data: string) => JSON.stringify({ metadata: { name: 'x', namespace: 'default', managedFields: [{ manager, operation: 'Update', time }] }, data: { v: data } });
    const one = await s.create(key, at('kubectl-create', '2026-01-01T10:00:00Z', '1'));
    const two = await s.update(key, at('kubectl-edit', '2026-01-01T10:05:00Z', '2'), one.ok ? one.kv.modRevision : 0);
    await s.delete(key, two.ok ? two.kv.modRevision : 0);
    await s.create(key, at('kubectl-create', '2026-01-01T10:20:00Z', '3'));
    const all = await readHistory(s);
    assert.deepEqual(all.items.map((c) => [c.type, c.manager ?? '-', c.time ?? '-', (c.fields ?? []).join()]), [
      ['ADDED', 'kubectl-create', '2026-01-01T10:00:00Z', ''],
      ['MODIFIED', 'kubectl-edit', '2026-01-01T10:05:00Z', 'data.v'],
      ['DELETED', '-', '-', ''],
      ['ADDED', 'kubectl-create', '2026-01-01T10:20:00Z', ''],
    ]);
    const recent = await readHistory(s, { since: new Date('2026-01-01T10:10:00Z') });
    assert.deepEqual(recent.items.map((c) => c.type), ['DELETED', 'ADDED'], 'the delete may have come after 10:10, so it is kept');
  });
});
