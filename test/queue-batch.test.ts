import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueueMessage } from '../src/ports.ts';
import { dispatchBatch } from '../src/entry/queue-batch.ts';

/** The Worker's queue consumer (queue-batch.ts): one cluster whose object never answers does not hold the batch. */
describe('a batch of queue messages', () => {
  const envelope = (body: QueueMessage) => {
    const outcome: string[] = [];
    return { outcome, message: { id: body.cluster, body, attempts: 1, ack: () => outcome.push('ack'), retry: (o?: { delaySeconds?: number }) => outcome.push(`retry ${o?.delaySeconds ?? 0}`) } };
  };

  it('acks the answered, retries the refused, and lets a stuck cluster\'s message go at its deadline, naming it', async () => {
    const ok = envelope({ kind: 'resync', cluster: 'alice' });
    const refused = envelope({ kind: 'resync', cluster: 'bob' });
    const stuck = envelope({ cluster: 'carol', group: '', resource: 'pods', namespace: 'default', name: 'web', type: 'ADDED', revision: 7 });
    const logged: string[] = [];
    await dispatchBatch([ok.message, refused.message, stuck.message], (message) => {
      if (message.cluster === 'alice') return Promise.resolve(new Response('{}'));
      if (message.cluster === 'bob') return Promise.resolve(new Response('{}', { status: 500 }));
      return new Promise<Response>(() => {}); // never answers
    }, { deadlineMs: 200, log: (line) => logged.push(line) });
    assert.deepEqual([ok.outcome, refused.outcome, stuck.outcome], [['ack'], ['retry 1'], ['retry 5']]);
    assert.deepEqual(logged, ['queue: the ADDED pods message for cluster "carol" was not handled within 0.2 s; it is retried later and the batch goes on']);
  });
});
