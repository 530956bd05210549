import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { releasing } from '../src/pipeline/seats.ts';

/**
 * A watch or `logs -f` whose client is gone without cancelling (wrangler dev's proxy drops
 * the Durable Object's side that way) or stops reading must not hold its stream slot for
 * ever: a chunk left untaken ends the stream and releases the slot.
 */
function source(): { response: Response; cancelled: Promise<unknown> } {
  let n = 0;
  let cancelledWith: (reason: unknown) => void = () => {};
  const cancelled = new Promise((resolve) => (cancelledWith = resolve));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((r) => setTimeout(r, 5));
      controller.enqueue(new TextEncoder().encode(`{"type":"ADDED","n":${n++}}\n`));
    },
    cancel(reason) { cancelledWith(reason); },
  });
  return { response: new Response(body), cancelled };
}

describe('a stream whose client stops taking chunks', () => {
  it('is ended and its slot released once a chunk has waited unread too long', async () => {
    const { response, cancelled } = source();
    let released = 0;
    const reader = releasing(response, () => released++, 50).body!.getReader();
    // The timer is unref'd (a server keeps the process alive); here the test must.
    const alive = setInterval(() => {}, 1000);
    await reader.read(); // the client takes one chunk, then never reads again, and never cancels
    await cancelled; // the server's side of the stream is closed
    clearInterval(alive);
    assert.equal(released, 1);
  });

  it('a client that keeps reading is never cut off, however long it reads', async () => {
    const { response } = source();
    let released = 0;
    const reader = releasing(response, () => released++, 50).body!.getReader();
    // Reading for several times the limit, a chunk every 5 ms.
    for (let i = 0; i < 60; i++) assert.equal((await reader.read()).done, false);
    assert.equal(released, 0);
    await reader.cancel();
    assert.equal(released, 1, 'a cancel releases once');
  });
});
