import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueueMessage } from '../src/ports.ts';
import { nodeRuntime } from '../src/entry/node-runtime.ts';
import { startControlPlane } from './helpers/controlplane.ts';

/**
 * The periodic repair on a loop many clusters share (the Node entry): delivered at once and run
 * back to back, 30 idle clusters' repairs held the loop ~190 ms every 30 s (measured with a loop
 * monitor in the server). Spread over the period, each cluster's steps on turns of their own.
 */
describe('the periodic resync does not hold a shared loop', () => {
  it('one cluster’s repair gives the loop back between its steps', async () => {
    const cluster = await startControlPlane({ mode: 'manual', serve: false });
    try {
      await cluster.drain();
      // A turn counter beside the repair: each step that waits for a turn lets it count one.
      let turns = 0, counting = true;
      const tick = () => { if (counting) { turns++; setImmediate(tick); } };
      setImmediate(tick);
      await cluster.queue.send({ kind: 'resync', cluster: 'default' });
      await cluster.drain();
      counting = false;
      assert.ok(turns >= 6, `the repair took ${turns} turns of the loop; its 6 steps should each start on a turn of its own`);
    } finally {
      await cluster.close();
    }
  });

  it('the Node entry spreads its clusters’ resyncs over the period instead of sending them due at once', async () => {
    const runtime = await nodeRuntime({ STORE: 'memory' }, { jwtSecret: 'a-secret-of-at-least-32-characters!!', adminToken: 'admin-token', timers: false });
    try {
      for (const name of ['alpha', 'beta']) {
        const created = await runtime.app.request('/clusters', { method: 'POST', headers: { authorization: 'Bearer admin-token', 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
        assert.equal(created.status, 201, await created.text());
      }
      const sent: Array<[QueueMessage, number]> = [];
      runtime.queue.send = async (message, options) => { sent.push([message, options?.delaySeconds ?? 0]); };
      await runtime.resync({ overSeconds: 9 });
      const delays = sent.map(([message, delay]) => [(message as { cluster: string }).cluster, delay] as const).sort((a, b) => a[1] - b[1]);
      assert.deepEqual(delays.map(([, delay]) => delay), [0, 3, 6]);
      assert.deepEqual(delays.map(([cluster]) => cluster).sort(), ['alpha', 'beta', 'default']);
      assert.ok(sent.every(([message]) => 'kind' in message && message.kind === 'resync'));
    } finally {
      await runtime.close();
    }
  });
});
