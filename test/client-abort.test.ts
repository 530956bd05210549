import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, describe, it } from 'node:test';
import { startNodeServer } from '../harness/server.ts';

/** A client hanging up in the middle of its body is its own doing, not a server fault to log. */
describe('a client that leaves mid-body', () => {
  const logged: string[] = [];
  const started = startNodeServer({}, { log: (m) => logged.push(m) });
  after(async () => (await started).close());

  it('is not logged as an internal error, and the server answers the next request', async () => {
    const server = await started;
    const token = await server.token();
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '100000' },
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      // Part of the body, then gone once the server has surely begun reading it.
      req.write('{"apiVersion":"v1",', () => setTimeout(() => req.destroy(), 200));
    });
    const answer = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/api/v1/namespaces/default/configmaps`, { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => { res.resume(); resolve(res.statusCode!); })
        .on('error', reject).end();
    });
    assert.equal(answer, 200);
    assert.deepEqual(logged, []);
  });
});
