import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call } from '../bench/lib.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';
import { WatchClient } from '../harness/watchClient.ts';

/** 100 watchers, 1,000 writes: every watcher receives every event exactly once, in order. */
describe('watch fan-out', () => {
  let server: TestServer;
  before(async () => { server = await startNodeServer(); });
  after(() => server.close());

  it('delivers every write to every watcher once, in revision order, and a stuck watcher blocks no one', async () => {
    const token = await server.token();
    const base = `${server.url}/api/v1/namespaces/default/configmaps`;
    const rv = JSON.parse((await call(base, { token })).body).metadata.resourceVersion as string;
    const watchers = Array.from({ length: 100 }, () => new WatchClient(`${base}?watch=true&resourceVersion=${rv}`, token));
    await Promise.all(watchers.map((w) => w.ready));
    assert.ok(watchers.every((w) => w.status === 200));
    // A client that never reads: the server must keep serving everyone else.
    const stuck = new WatchClient(`${base}?watch=true&resourceVersion=${rv}`, token);
    await stuck.ready;
    (stuck as unknown as { req: { socket: { pause(): void } } }).req.socket?.pause?.();

    // A connection per write: on a loaded machine a batch can outlast the server's 5 s keep-alive,
    // and a kept-alive socket the server is closing just then answers ECONNRESET, not a Status.
    const once = { connection: 'close' };
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => {
        const n = batch * 100 + i;
        return call(base, { method: 'POST', token, headers: once, body: JSON.stringify({ metadata: { name: `cm-${String(n).padStart(4, '0')}` }, data: { n: String(n) } }) });
      }));
    }
    await Promise.all(watchers.map((w) => w.waitFor(1000)));
    for (const w of watchers) {
      assert.equal(w.events.length, 1000);
      const revisions = w.events.map((e) => Number(e.object.metadata!.resourceVersion));
      for (let i = 1; i < revisions.length; i++) assert.ok(revisions[i] > revisions[i - 1], 'events arrive in revision order');
      assert.equal(new Set(w.events.map((e) => e.object.metadata!.name)).size, 1000, 'each write exactly once');
      assert.ok(w.events.every((e) => e.type === 'ADDED'));
    }
    for (const w of [...watchers, stuck]) w.close();
  });

  it('sends watches opened together without a resourceVersion the whole current state, each its own selection, and the newest version', async () => {
    const token = await server.token();
    const base = `${server.url}/api/v1/namespaces/initial/configmaps`;
    await call(`${server.url}/api/v1/namespaces`, { method: 'POST', token, body: JSON.stringify({ metadata: { name: 'initial' } }) });
    const put = async (name: string, tier: string, value: string, rv?: string) => JSON.parse((await call(rv ? `${base}/${name}` : base, {
      method: rv ? 'PUT' : 'POST', token, body: JSON.stringify({ metadata: { name, labels: { tier }, ...(rv ? { resourceVersion: rv } : {}) }, data: { v: value } }),
    })).body) as { metadata: { resourceVersion: string } };
    const big = await put('big', 'big', 'x'.repeat(300_000));
    await put('small', 'small', 's');
    const names = (JSON.parse((await call(base, { token })).body) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name).sort();
    assert.ok(names.includes('big') && names.includes('small'));

    type Data = { data?: { v?: string } };
    const watchers = Array.from({ length: 30 }, () => new WatchClient(`${base}?watch=true`, token));
    const selective = new WatchClient(`${base}?watch=true&labelSelector=tier%3Dsmall`, token);
    await Promise.all([...watchers, selective].map((w) => w.waitFor(watchers.includes(w) ? names.length : 1)));
    for (const w of watchers) {
      assert.deepEqual(w.events.map((e) => e.object.metadata!.name).sort(), names);
      assert.ok(w.events.every((e) => e.type === 'ADDED'));
      const b = w.events.find((e) => e.object.metadata!.name === 'big')!;
      assert.equal(b.object.metadata!.resourceVersion, big.metadata.resourceVersion);
      assert.equal((b.object as Data).data?.v?.length, 300_000);
    }
    assert.deepEqual(selective.events.map((e) => e.object.metadata!.name), ['small']);

    // The next version of the object is what a watch opened after the update starts with.
    const updated = await put('big', 'big', 'y'.repeat(1000), big.metadata.resourceVersion);
    const later = new WatchClient(`${base}?watch=true`, token);
    await later.waitFor(names.length);
    const b = later.events.find((e) => e.object.metadata!.name === 'big')!;
    assert.equal(b.object.metadata!.resourceVersion, updated.metadata.resourceVersion);
    assert.equal((b.object as Data).data?.v, 'y'.repeat(1000));
    for (const w of [...watchers, selective, later]) w.close();
  });
});
