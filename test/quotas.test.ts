import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, describe, it } from 'node:test';
import { Kubectl, KubectlProcess } from '../harness/kubectl.ts';
import { relaxedLimits, startNodeServer, type TestServer } from '../harness/server.ts';
import { call } from '../bench/lib.ts';
import { watchTimeoutSeconds } from '../src/server/watch.ts';
import { ManualClock } from '../src/clock.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { Quotas, requestCost, seatsPerCluster } from '../src/tenancy/quotas.ts';
import { bootstrapPolicyFootprint } from '../src/tenancy/bootstrapPolicy.ts';
import { Registry } from '../src/registry/generic.ts';
import { declaredBodyBytes } from '../src/pipeline/rateLimit.ts';
import { maxBodyBytes } from '../src/server/codec.ts';

/** Opens a watch and resolves 'ended' when the server ends it (status other than 200: that status). */
/** A watch held open: `admitted` settles with its status, `ended` once the server ends it ('ended') or refuses it (the status). */
function watchUntilEnd(url: string, token: string): { admitted: Promise<number>; ended: Promise<string> } {
  let admit!: (status: number) => void;
  const admitted = new Promise<number>((resolve) => (admit = resolve));
  const ended = new Promise<string>((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      admit(res.statusCode ?? 0);
      if (res.statusCode !== 200) { res.resume(); resolve(String(res.statusCode)); return; }
      res.resume();
      res.on('end', () => resolve('ended'));
      res.on('close', () => resolve('ended'));
    });
    req.on('error', reject);
    req.end();
  });
  return { admitted, ended };
}

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
    // The clock stands still, so the bucket refills not at all while the burst is served, however slow the machine.
    const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 5, burst: 20 } });
    servers.push(server);
    const token = await server.token();
    const results = await Promise.all(Array.from({ length: 40 }, () => get(`${server.url}/api/v1/namespaces/default/pods`, token)));
    const limited = results.filter((r) => r.status === 429);
    assert.equal(limited.length, 20, 'a bucket of 20 admits 20 of a burst of 40 and limits the rest');
    const body = JSON.parse(limited[0].body);
    assert.equal(body.kind, 'Status');
    assert.equal(body.reason, 'TooManyRequests');
    assert.ok(Number(limited[0].retryAfter) >= 1);
    assert.ok(results.every((r) => r.status === 200 || r.status === 429));
    // the bucket is per cluster: a fresh class cluster still answers
    const other = await get(`${server.url}/clusters/other/api/v1/namespaces/default/pods`, await server.token('other'));
    assert.notEqual(other.status, 429);
  });

  it('a refused request is held before its 429 is sent, so a client looping on refusals cannot flood the loop', async () => {
    // A hold far longer than anything else here: the order of the answers shows it, not a timer.
    const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 1, rejectionDelayMs: 2_000 } });
    servers.push(server);
    const token = await server.token();
    assert.equal((await get(`${server.url}/api/v1/namespaces/default/pods`, token)).status, 200);
    const order: string[] = [];
    const refused = get(`${server.url}/api/v1/namespaces/default/pods`, token).then((r) => { order.push(`refused ${r.status}`); return r; });
    // Another cluster's request is answered meanwhile (any answer will do: "other" need not exist).
    await get(`${server.url}/clusters/other/api/v1/namespaces/default/pods`, await server.token('other'));
    order.push('another request answered');
    assert.equal((await refused).status, 429);
    assert.deepEqual(order, ['another request answered', 'refused 429']);
  });

  it('a refusal that leaves a large body unread (its connection is closed) is held 4× as long: each reconnect costs a TLS handshake', async () => {
    // The order of the answers shows it: a small request refused after the large one is answered first.
    const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 1, rejectionDelayMs: 500 } });
    servers.push(server);
    const token = await server.token();
    const configmaps = `${server.url}/api/v1/namespaces/default/configmaps`;
    assert.equal((await get(`${server.url}/api/v1/namespaces/default/pods`, token)).status, 200);
    const order: string[] = [];
    const large = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'large' }, data: { v: 'x'.repeat(300 * 1024) } });
    const refusedLarge = call(configmaps, { method: 'POST', token, body: large }).then((r) => { order.push(`large ${r.status}`); return r; });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refusedSmall = get(`${server.url}/api/v1/namespaces/default/pods`, token).then((r) => { order.push(`small ${r.status}`); return r; });
    await Promise.all([refusedLarge, refusedSmall]);
    assert.deepEqual(order, ['small 429', 'large 429'], 'held 500 ms, the small refusal is answered ~1.5 s before the large one (held 2 s)');
  });

  it('a cluster at its object limit gets 429 with Retry-After on create, and kubectl says why at once', async () => {
    const limits = { ...relaxedLimits };
    const server = await startNodeServer({}, { limits });
    servers.push(server);
    // The limit counts every object but the RBAC bootstrap policy (its room is added to the budget): set it at what the cluster holds.
    limits.maxObjects = (await server.ports.store.cluster('default').usage()).objects - bootstrapPolicyFootprint('default').objects;
    const kubectl = new Kubectl(await server.kubeconfig());
    const result = await kubectl.run(['run', 'one-too-many', '--image=nginx']);
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr, `Error from server (TooManyRequests): cluster "default" has reached its limit of ${limits.maxObjects} objects: delete some before creating more\n`);
    const pods = await kubectl.run(['get', 'pods', 'one-too-many']);
    assert.match(pods.stderr, /NotFound/, 'the refused create stored nothing');
    const raw = await post(`${server.url}/api/v1/namespaces/default/configmaps`, await server.token(), { metadata: { name: 'also-too-many' } });
    assert.equal(raw.status, 429);
    assert.equal(JSON.parse(raw.body).reason, 'TooManyRequests');
    // Only a delete frees room, which no wait brings about: Retry-After 0 lets a client retry
    // at once (kubectl does, a few times, then prints the message) instead of sleeping between tries.
    assert.equal(raw.retryAfter, '0');
  });

  it('server-side apply creates count against the object limit too', async () => {
    const limits = { ...relaxedLimits };
    const server = await startNodeServer({}, { limits });
    servers.push(server);
    limits.maxObjects = (await server.ports.store.cluster('default').usage()).objects - bootstrapPolicyFootprint('default').objects;
    const kubectl = new Kubectl(await server.kubeconfig());
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n';
    const result = await kubectl.run(['apply', '--server-side', '-f', '-'], { input: manifest });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /TooManyRequests.*has reached its limit of \d+ objects: delete some before creating more/);
    assert.match((await kubectl.run(['get', 'configmap', 'applied'])).stderr, /NotFound/);
  });

  it('a cluster at its byte budget refuses creates and growing updates with kubectl\'s message; deletes free room', async () => {
    const limits = { ...relaxedLimits };
    const server = await startNodeServer({}, { limits });
    servers.push(server);
    const used = (await server.ports.store.cluster('default').usage()).bytes;
    limits.maxBytes = used - bootstrapPolicyFootprint('default').bytes + 1_950_000;
    const kubectl = new Kubectl(await server.kubeconfig());
    const value = 'x'.repeat(950_000);
    const manifest = (name: string, v = value) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
    await kubectl.ok(['create', '-f', '-'], { input: manifest('one') });
    await kubectl.ok(['create', '-f', '-'], { input: manifest('two') });
    const third = await kubectl.run(['create', '-f', '-'], { input: manifest('three') });
    assert.equal(third.stderr, `Error from server (TooManyRequests): error when creating "STDIN": cluster "default" has reached its storage limit of ${limits.maxBytes} bytes (${Math.round((limits.maxBytes / 1048576) * 10) / 10} MiB): delete or shrink objects before writing more\n`);
    // Growing an object past the budget is refused too (a PUT), shrinking one is not.
    const grown = await kubectl.run(['replace', '-f', '-'], { input: manifest('two', 'y'.repeat(1_040_000)) });
    assert.match(grown.stderr, /has reached its storage limit/);
    await kubectl.ok(['replace', '-f', '-'], { input: manifest('two', 'small') });
    await kubectl.ok(['delete', 'configmap', 'one']);
    await kubectl.ok(['create', '-f', '-'], { input: manifest('three') });
  });

  it('followed logs share the stream budget with watches', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, maxWatches: 1 } });
    servers.push(server);
    const kubectl = new Kubectl(await server.kubeconfig());
    await kubectl.ok(['run', 'web', '--image=nginx']);
    const watch = new KubectlProcess(kubectl, ['get', 'pods', '-w']);
    try {
      await watch.waitFor(/NAME/);
      const follow = await kubectl.run(['logs', '-f', 'web']);
      assert.notEqual(follow.code, 0);
      assert.match(follow.stderr, /too many watches on cluster "default": the limit is 1 concurrent watches and followed logs/);
    } finally {
      await watch.stop();
    }
  });

  it('a re-created cluster starts with fresh quotas; the old one\'s watches ended', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, maxWatches: 2 } });
    servers.push(server);
    const admin = (method: string, path: string, body?: unknown) =>
      call(`${server.url}${path}`, { method, token: server.adminToken, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await admin('POST', '/clusters', { name: 'again' })).status, 201);
    const oldToken = await server.token('again');
    const url = `${server.url}/clusters/again/api/v1/namespaces?watch=true`;
    // Both watches are admitted before a third is tried, so the third is the one refused.
    const open = [watchUntilEnd(url, oldToken), watchUntilEnd(url, oldToken)];
    assert.deepEqual(await Promise.all(open.map((w) => w.admitted)), [200, 200]);
    assert.equal((await get(url, oldToken)).status, 429);
    assert.equal((await admin('DELETE', '/clusters/again')).status, 200);
    // Both watches of the deleted cluster end.
    assert.deepEqual(await Promise.all(open.map((w) => w.ended)), ['ended', 'ended']);
    assert.equal((await admin('POST', '/clusters', { name: 'again' })).status, 201);
    const fresh = await get(url, await server.token('again'));
    assert.equal(fresh.status, 200);
    assert.equal((await get(url, oldToken)).status, 401);
  });

  it('a request without a valid token creates no state for the cluster it names', async () => {
    const memory = new MemoryStore();
    const server = await startNodeServer({ store: memory });
    servers.push(server);
    const before = memory.clusterCount();
    for (const path of ['/version', '/api/v1/namespaces', '/api', '/openapi/v2']) {
      const res = await get(`${server.url}/clusters/nobody${path}`, 'not-a-token');
      assert.equal(res.status, 401, `${path}: ${res.body}`);
    }
    const version = await call(`${server.url}/clusters/nobody-at-all/version`);
    assert.equal(version.status, 200);
    assert.equal(memory.clusterCount(), before);
  });

  it("the default cluster's admin token expires (in a year) and names the cluster's uid", async () => {
    const server = await startNodeServer();
    servers.push(server);
    const res = await call(`${server.url}/clusters/default`, { method: 'PUT', token: server.adminToken });
    assert.equal(res.status, 200);
    const { cluster, kubeconfig } = JSON.parse(res.body) as { cluster: { metadata: { uid: string } }; kubeconfig: string };
    const token = /token: (\S+)/.exec(kubeconfig)![1];
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number; cluster_uid: string };
    assert.equal(claims.cluster_uid, cluster.metadata.uid);
    const year = Date.now() / 1000 + 365 * 86400;
    assert.ok(Math.abs(claims.exp - year) < 120, `exp ${claims.exp} is a year from now`);
    const listed = JSON.parse((await call(`${server.url}/clusters`, { token: server.adminToken })).body) as { items: { metadata: { name: string } }[] };
    assert.ok(listed.items.some((c) => c.metadata.name === 'default'), 'the default cluster is listed');
  });

  it('a watch that names no timeout ends within kube-apiserver\'s randomized min-request-timeout; a longer one is capped', () => {
    assert.equal(watchTimeoutSeconds(undefined, () => 0), 1800);
    assert.equal(watchTimeoutSeconds(undefined, () => 0.999), 3598);
    assert.equal(watchTimeoutSeconds(30), 30);
    assert.equal(watchTimeoutSeconds(86_400), 3600);
  });

  it('expensive requests cost more tokens: a flood of 60 KB selectors is throttled long before cheap GETs would be', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 40 } });
    servers.push(server);
    const token = await server.token();
    const selector = 'a,'.repeat(30_000) + 'a'; // commas need no escaping in a query
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      const res = await get(`${server.url}/api/v1/namespaces/default/pods?labelSelector=${selector}`, token);
      if (res.status === 429) break;
      assert.equal(res.status, 200, res.body.slice(0, 200));
      admitted++;
    }
    // Each costs 1 + 1 per KiB of query (59 tokens here): the bucket of 40 admits one (while it
    // still holds a token, leaving it in debt), not forty.
    assert.equal(admitted, 1);
    assert.equal(requestCost(60_000, 0), 59);
    assert.equal(requestCost(0, 3 * 1024 * 1024), 769);
    assert.equal(requestCost(200, 2000), 1, "kubectl's requests cost one token");
  });

  it('a body of unknown length (chunked) is charged as the largest body, so leaving out Content-Length saves nothing', async () => {
    const server = await startNodeServer({}, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 700 } });
    servers.push(server);
    const token = await server.token();
    const chunked = (name: string) => new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
      req.write(JSON.stringify({ metadata: { name }, data: { a: 'b' } }));
      req.end();
    });
    // 769 tokens (1 + 3 MiB / 4 KiB): the first is admitted into debt, the next is refused.
    assert.equal(await chunked('first'), 201);
    assert.equal(await chunked('second'), 429);
  });

  it('a request\'s body size is read from its headers: a GET or HEAD without them is never asked for its body stream', () => {
    /** A request whose body stream, if asked for, fails the test (on Node that builds a whole fetch Request). */
    const probe = (method: string, headers: Record<string, string>, body: ReadableStream | null = null) => {
      const request = { method, headers: new Headers(headers) } as Request;
      Object.defineProperty(request, 'body', { get: () => { if (method === 'GET' || method === 'HEAD') assert.fail(`${method} asked for its body`); return body; } });
      return declaredBodyBytes(request);
    };
    assert.equal(probe('GET', {}), 0);
    assert.equal(probe('HEAD', {}), 0);
    assert.equal(probe('GET', { 'content-length': '10' }), 10);
    assert.equal(probe('POST', { 'content-length': '2048' }), 2048);
    assert.equal(probe('POST', {}, new ReadableStream()), maxBodyBytes);
    assert.equal(probe('DELETE', {}), 0);
    // A GET that says it is chunked is charged as the largest body, as any other method's.
    assert.throws(() => probe('GET', { 'transfer-encoding': 'chunked' }), /asked for its body/);
  });

  it('a small patch of a large object pays for the object: 1 token per KiB of it, as a body of that size would', async () => {
    // The clock stands still: the bucket refills not at all, so what each request costs is all that moves it.
    const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 150 } });
    servers.push(server);
    const token = await server.token();
    const configmaps = `${server.url}/api/v1/namespaces/default/configmaps`;
    // 200 KiB of data: the create costs 1 + 50 (its body), leaving ~99 tokens.
    assert.equal((await post(configmaps, token, { metadata: { name: 'large' }, data: { v: 'x'.repeat(200 * 1024) } })).status, 201);
    assert.equal((await get(`${configmaps}/large`, token)).status, 200);
    // A patch of a few bytes (1 token by its body) reads, merges and writes the whole 200 KiB object: ~200 more, into debt.
    const patched = await call(`${configmaps}/large`, { method: 'PATCH', token, body: '{"metadata":{"labels":{"touched":"yes"}}}', headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patched.status, 200, patched.body.slice(0, 200));
    const after = await get(`${configmaps}/large`, token);
    assert.equal(after.status, 429, 'the patch paid for the object it rewrote');
  });

  it('a read pays for the stored objects it reads past 64 KiB, 1 token per 4 KiB: a get, a list, a watch\'s initial state', async () => {
    const value = 'x'.repeat(400 * 1024);
    /** How many times a read is answered before a bucket of 500 tokens, never refilled (the clock stands still), is empty. */
    const answeredBeforeRefusal = async (path: string) => {
      const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 500 } });
      servers.push(server);
      // Stored through the registry, outside any request: only the reads are counted.
      const configmaps = server.catalog.find('', 'v1', 'configmaps')!;
      for (const name of ['a', 'b']) await server.registry().create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } } as never);
      const token = await server.token();
      for (let n = 0; n < 1_000; n++) if ((await get(`${server.url}${path}`, token)).status === 429) return n;
      return 1_000;
    };
    // Admitted while a token is left, then the whole cost is paid: floor(499 / cost) + 1 answers.
    const answers = (cost: number) => Math.floor(499 / cost) + 1;
    // A get of 400 KiB: 1 + (400 - 64) / 4 = 85 tokens; a list or a watch's initial state of both (800 KiB): 1 + 184.
    assert.equal(await answeredBeforeRefusal('/api/v1/namespaces/default/configmaps/a'), answers(85));
    assert.equal(await answeredBeforeRefusal('/api/v1/namespaces/default/configmaps'), answers(185));
    assert.equal(await answeredBeforeRefusal('/api/v1/namespaces/default/configmaps?watch=true'), answers(185));
    // Small reads cost what they did: 1 token.
    assert.equal(await answeredBeforeRefusal('/api/v1/namespaces/default/pods'), 500);
  });

  it('watches opened at once over large objects: those that waited for a seat while the others\' reads emptied the bucket are refused', async () => {
    const server = await startNodeServer({ clock: new ManualClock(new Date()) }, { limits: { ...relaxedLimits, requestsPerSecond: 1, burst: 500 } });
    servers.push(server);
    await server.registry().create(server.catalog.find('', 'v1', 'configmaps')!, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { value: 'x'.repeat(400 * 1024) } } as never);
    const token = await server.token();
    // Twenty connections open first, so the twenty watches arrive together, as a client's burst does.
    const agent = new Agent({ keepAlive: true, maxSockets: 20, rejectUnauthorized: false });
    const send = (path: string) => new Promise<{ status: number }>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (path.includes('watch=true') && res.statusCode === 200) { req.destroy(); resolve({ status: 200 }); return; }
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('error', (err) => { if (!path.includes('watch=true')) reject(err); });
      req.end();
    });
    await Promise.all(Array.from({ length: 20 }, () => send('/api/v1/namespaces/default/pods/none')));
    // All 20 are admitted at once (the bucket holds ~480); each initial state then costs 84 more, two at a time.
    const statuses = await Promise.all(Array.from({ length: 20 }, () => send('/api/v1/namespaces/default/configmaps?watch=true')));
    agent.destroy();
    const served = statuses.filter((r) => r.status === 200).length;
    assert.ok(served >= 5 && served <= 8, `${served} of 20 watches sent their initial state (about 480 / 84 + 1 fit in the bucket)`);
    assert.ok(statuses.every((r) => r.status === 200 || r.status === 429), statuses.map((r) => r.status).join(' '));
  });

  it('a write to a large object is done in steps, a turn of the loop each, writes to it at once take turns, and a large list is read in slices', async () => {
    const server = await startNodeServer();
    servers.push(server);
    const def = server.catalog.find('', 'v1', 'configmaps')!;
    let charges = 0;
    const registry = new Registry(server.catalog, { ...server.ports, charge: () => { charges++; } }, 'default');
    const configMap = (name: string, bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: 'x'.repeat(bytes) } });
    await registry.create(def, 'default', configMap('small', 100));
    await registry.create(def, 'default', configMap('large', 200 * 1024));
    /** Turns of the loop (setImmediate callbacks: what another request's I/O gets) while a write runs. */
    const turnsDuring = async (write: () => Promise<unknown>) => {
      let turns = 0, done = false;
      const tick = () => { if (!done) { turns++; setImmediate(tick); } };
      setImmediate(tick);
      await write();
      done = true;
      return turns;
    };
    const label = (value: string) => (obj: { metadata: { labels?: Record<string, string> } }) => { obj.metadata.labels = { touched: value }; };
    const small = await turnsDuring(() => registry.mutate(def, 'default', 'small', label('a')));
    const large = await turnsDuring(() => registry.mutate(def, 'default', 'large', label('a')));
    assert.ok(large >= small + 4, `a write to the large object took ${large} turns, to the small one ${small}`);
    assert.equal(charges, 1, 'only the write to the large object is charged for its size');
    // A request's own large body (a create, or a PUT over a small object) is written in steps
    // too, and without a private copy of what the request decoded.
    const smallCreate = await turnsDuring(() => registry.create(def, 'default', configMap('from-request-small', 100), { requestBodyBytes: 200 }));
    const body = configMap('from-request', 200 * 1024);
    let created: unknown;
    const largeCreate = await turnsDuring(async () => { created = await registry.create(def, 'default', body, { requestBodyBytes: 200 * 1024 + 100 }); });
    assert.ok(largeCreate >= smallCreate + 2, `a create from a large body took ${largeCreate} turns, from a small one ${smallCreate}`);
    assert.equal(created, body, 'the request\'s object is written as it is, not copied');
    const replaced = { ...configMap('small', 200 * 1024), metadata: { name: 'small', resourceVersion: (await registry.get(def, 'default', 'small')).metadata.resourceVersion } };
    const largePut = await turnsDuring(() => registry.update(def, 'default', 'small', replaced, { requestBodyBytes: 200 * 1024 + 100 }));
    assert.ok(largePut >= small + 3, `a PUT of a large body over a small object took ${largePut} turns, a small write ${small}`);
    charges = 0;
    // Two writes to the large object at once: the second waits for the first instead of
    // doing all its work from the same revision and being thrown away by the compare-and-swap.
    charges = 0;
    await Promise.all([registry.mutate(def, 'default', 'large', label('b')), registry.mutate(def, 'default', 'large', label('c'))]);
    assert.equal(charges, 2, 'each write read and merged the object once: none was retried');
    const stored = await registry.get(def, 'default', 'large');
    assert.equal(stored.metadata.labels?.touched, 'c');
    // A list that decodes megabytes does so in slices too.
    for (let i = 0; i < 12; i++) await registry.create(def, 'default', configMap(`bulk-${i}`, 100 * 1024));
    const listed = await turnsDuring(() => registry.list(def, 'default'));
    assert.ok(listed >= 2, `a list of 1.4 MiB of ConfigMaps took ${listed} turns`);
  });

  it('a refusal given before a body past 256 KiB was read closes the connection, as Go\'s server does, instead of receiving the body', async () => {
    const server = await startNodeServer();
    servers.push(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
    const send = (token: string, body?: string) => new Promise<{ status: number; connection?: string; reused: boolean }>((resolve, reject) => {
      const req = request(`${server.url}/api/v1/namespaces/default/configmaps`, { method: body ? 'POST' : 'GET', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const configMap = (bytes: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'refused' }, data: { k: 'x'.repeat(bytes) } });
    try {
      const token = await server.token();
      assert.deepEqual(await send('not-a-token', configMap(1024 * 1024)), { status: 401, connection: 'close', reused: false });
      assert.deepEqual(await send(token), { status: 200, connection: 'keep-alive', reused: false }, 'the next request goes on a new connection');
      // A small unread body is read and the connection kept (the wire scenarios show the next request on it).
      assert.deepEqual(await send('not-a-token', configMap(4096)), { status: 401, connection: 'keep-alive', reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('one cluster\'s requests are served a few at a time, in order, so another cluster\'s never queue behind a burst', async () => {
    const quotas = new Quotas(relaxedLimits, { now: () => new Date() });
    const held = await Promise.all(Array.from({ length: seatsPerCluster }, () => quotas.seat('a', 'uid-a')));
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => quotas.seat('a', 'uid-a').then((release) => { order.push(n); return release; }));
    // Another cluster is not held up by a's burst.
    const other = await quotas.seat('b', 'uid-b');
    other();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], 'a request past the seats of the same cluster waits for one');
    held[0]();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [1], 'a freed seat passes to the first in line');
    held[1]();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [1, 2], 'seats pass to the waiting requests in arrival order');
    held.slice(2).forEach((release) => release());
    const [first, ...rest] = await Promise.all(waiting.slice(0, 2));
    first();
    (await waiting[2])();
    rest.forEach((release) => release());
    assert.deepEqual(order, [1, 2, 3]);
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
