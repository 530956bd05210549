import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

/**
 * A keep-alive client that sends its next write the moment the last answer (of more than
 * 16 KiB) arrived, with a body of more than one TLS record: Node's HTTP parser, reading the
 * TLS connection directly, failed such a body mid-way (HPE_PAUSED), answering a 400 "not well-
 * formed" and leaving the connection hung (src/entry/node.ts: parsingTlsInJavaScript). The
 * attacks bench's writers hung on it; so would any client-go program writing large objects.
 *
 * The client runs in a thread of its own: on the server's event loop it could not send the
 * moment an answer arrives, which is what the server must cope with.
 */
const client = `
const { workerData, parentPort } = require('node:worker_threads');
const { Agent, request } = require('node:https');
const { url, token, count } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const send = (body) => new Promise((resolve) => {
  const timer = setTimeout(() => { req.destroy(); resolve('no answer in 10 s'); }, 10000);
  const req = request(url, { method: 'POST', agent, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => { clearTimeout(timer); resolve(String(res.statusCode)); });
  });
  req.on('error', (err) => { clearTimeout(timer); resolve(err.message); });
  req.end(body);
});
(async () => {
  const answers = {};
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'big-' }, data: { v: String(i % 10).repeat(25000) } });
    const status = await send(body);
    answers[status] = (answers[status] || 0) + 1;
    if (!/^(201|429)$/.test(status)) break;
  }
  agent.destroy();
  parentPort.postMessage(answers);
})();
`;

/** `open`: a cluster's ConfigMaps URL (`…/api/v1/namespaces/default/configmaps`) and a token for it. */
export function keepAliveBodiesScenario(label: string, open: () => Promise<{ url: string; token: string; close(): Promise<void> }>) {
  describe(`large writes back to back on one keep-alive connection (${label})`, () => {
    let entry: { url: string; token: string; close(): Promise<void> } | undefined;
    after(async () => entry?.close());

    it('answers every one', async () => {
      entry = await open();
      const count = 200;
      const worker = new Worker(client, { eval: true, workerData: { url: entry.url, token: entry.token, count } });
      const answers = await new Promise<Record<string, number>>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      await worker.terminate();
      // A 429 is the cluster's rate limit, which a run on a loaded machine may meet: a refusal, answered.
      const { 201: created = 0, 429: refused = 0, ...others } = answers;
      assert.deepEqual(others, {});
      assert.equal(created + refused, count);
    });
  });
}
