import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, describe, it } from 'node:test';
import { Kubectl, KubectlProcess } from './helpers/kubectl.ts';
import { relaxedLimits, startNodeServer, type TestServer } from './helpers/server.ts';

function get(url: string, token: string): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] as string | undefined }));
      // a watch that was admitted streams forever: take its status and stop
      if (res.statusCode === 200 && url.includes('watch=true')) { req.destroy(); resolve({ status: 200, body: '', retryAfter: undefined }); }
    });
    req.on('error', (err) => { if (!url.includes('watch=true')) reject(err); });
    req.end();
  });
}

function post(url: string, token: string, body: unknown): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** One student's cluster can't hurt the rest: rate, watches and objects are limited per cluster. */
describe('per-cluster quotas', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('too many requests get 429 TooManyRequests with Retry-After; another cluster is unaffected', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, requestsPerSecond: 5, burst: 20 } });
    servers.push(server);
    const token = await server.token();
    const results = await Promise.all(Array.from({ length: 40 }, () => get(`${server.url}/api/v1/namespaces/default/pods`, token)));
    const limited = results.filter((r) => r.status === 429);
    assert.ok(limited.length >= 15, `expected most of 40 burst requests over a bucket of 20 to be limited, got ${limited.length}`);
    const body = JSON.parse(limited[0].body);
    assert.equal(body.kind, 'Status');
    assert.equal(body.reason, 'TooManyRequests');
    assert.ok(Number(limited[0].retryAfter) >= 1);
    assert.ok(results.every((r) => r.status === 200 || r.status === 429));
    // the bucket is per cluster: a fresh class cluster still answers
    const other = await get(`${server.url}/clusters/other/api/v1/namespaces/default/pods`, await server.token('other'));
    assert.notEqual(other.status, 429);
  });

  it('a cluster at its object limit gets 429 with Retry-After on create, and kubectl says why at once', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, maxObjects: 1 } });
    servers.push(server);
    const kubectl = new Kubectl(await server.kubeconfig());
    const result = await kubectl.run(['run', 'one-too-many', '--image=nginx']);
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr, 'Error from server (TooManyRequests): cluster "default" has reached its limit of 1 objects: delete some before creating more\n');
    const pods = await kubectl.run(['get', 'pods', 'one-too-many']);
    assert.match(pods.stderr, /NotFound/, 'the refused create stored nothing');
    const raw = await post(`${server.url}/api/v1/namespaces/default/configmaps`, await server.token(), { metadata: { name: 'also-too-many' } });
    assert.equal(raw.status, 429);
    assert.equal(JSON.parse(raw.body).reason, 'TooManyRequests');
    // Only a delete frees room, which no wait brings about: Retry-After 0 lets a client retry
    // at once (kubectl does, a few times, then prints the message) instead of sleeping between tries.
    assert.equal(raw.retryAfter, '0');
  });

  it('a watch beyond the limit gets 429 while two kubectl watches run', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, maxWatches: 2 } });
    servers.push(server);
    const kubectl = new Kubectl(await server.kubeconfig());
    const w1 = new KubectlProcess(kubectl, ['get', 'namespaces', '-w']);
    const w2 = new KubectlProcess(kubectl, ['get', 'nodes', '-w']);
    try {
      await w1.waitFor(/NAME/);
      await w2.waitFor(/NAME/);
      const token = await server.token();
      let third = await get(`${server.url}/api/v1/namespaces?watch=true`, token);
      for (let i = 0; i < 50 && third.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        third = await get(`${server.url}/api/v1/namespaces?watch=true`, token);
      }
      assert.equal(third.status, 429);
      assert.match(JSON.parse(third.body).message, /too many watches on cluster "default"/);
    } finally {
      await w1.stop();
      await w2.stop();
    }
  });
});
