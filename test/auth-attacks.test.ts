import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../src/app.ts';
import { serveHttps } from '../src/entry/node.ts';
import { discardQueue, systemClock, type Keys, type Ports } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys, jwksKeys } from '../src/server/keys.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { storeDirectory } from '../src/tenancy/clusters.ts';
import { provisionInStore, storeProvisioner } from '../src/tenancy/provision.ts';
import { readClusterRecord } from '../src/tenancy/clusters.ts';
import { adminForgeries, forgedTokens, jwksForgeries, rsaIssuer, type Credential } from './helpers/jwtAttacks.ts';
import { pool, rawAgent, send, statusProblem, type RawRequest, type RawResponse } from './helpers/rawHttp.ts';
import { defaultClusterRecord, relaxedLimits, testAdminToken, testSecret, testTls } from '../harness/server.ts';
import { adminTestToken, startWorker } from '../harness/worker.ts';

/**
 * Forged, expired, foreign and misplaced credentials against every kind of
 * endpoint: each is a 401 (or a 403 for another cluster's valid token), with a
 * Status body; and no secret or presented token ever shows in a body or a log line.
 */

/** What the API serves to an authenticated user; each must refuse every forgery. */
const endpoints: Array<{ name: string; method?: string; path: string; body?: string; watch?: boolean }> = [
  { name: 'get', path: '/api/v1/namespaces/default/configmaps/kube-root-ca.crt' },
  { name: 'list', path: '/api/v1/namespaces/default/pods' },
  { name: 'watch', path: '/api/v1/namespaces/default/pods?watch=true', watch: true },
  { name: 'discovery /api', path: '/api' },
  { name: 'discovery /apis', path: '/apis' },
  { name: 'discovery /api/v1', path: '/api/v1' },
  { name: 'logs', path: '/api/v1/namespaces/default/pods/x/log' },
  { name: 'openapi', path: '/openapi/v3' },
  { name: 'cluster path prefix', path: '/clusters/default/api/v1/namespaces' },
  { name: 'create', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"planted"}}' },
];

/** The root admin API; a forgery must neither read nor change a cluster. */
const adminEndpoints: Array<{ name: string; method: string; path: string; body?: string }> = [
  { name: 'list clusters', method: 'GET', path: '/clusters' },
  { name: 'get a cluster', method: 'GET', path: '/clusters/x' },
  { name: 'create a cluster', method: 'POST', path: '/clusters', body: '{"name":"planted","ttl":"1h"}' },
  { name: 'extend default', method: 'PATCH', path: '/clusters/default', body: '{"ttl":"1h"}' },
  { name: 'delete default', method: 'DELETE', path: '/clusters/default' },
];

interface Target {
  url: string;
  adminToken: string;
  /** A token the deployment accepts for the default cluster. */
  validToken: string;
  /** Everything the server has logged so far. */
  logs(): string[];
  close(): Promise<void>;
}

/** The public key any client reads off the TLS handshake: material for RS256/HS256 confusion. */
function serverPublicKey(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      const pem = socket.getPeerX509Certificate()!.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      socket.end();
      resolve(pem);
    });
    socket.on('error', reject);
  });
}

const withQuery = (path: string, query?: string) => (query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path);

function request(credential: Credential, endpoint: { method?: string; path: string; body?: string }): RawRequest {
  const headers: Record<string, string | string[]> = { ...credential.headers, 'content-type': 'application/json' };
  if (credential.authorization !== undefined) headers.authorization = credential.authorization;
  return {
    method: endpoint.method ?? 'GET', path: withQuery(endpoint.path, credential.query), headers,
    body: endpoint.body === undefined ? undefined : new TextEncoder().encode(endpoint.body),
  };
}

/** Sends every credential to every endpoint; returns the bad answers and every response seen. */
async function attack(target: Target, credentials: Credential[], targets: typeof endpoints, expectFor: (c: Credential) => number): Promise<{ problems: string[]; responses: RawResponse[] }> {
  const agent = rawAgent(16);
  const problems: string[] = [];
  const responses: RawResponse[] = [];
  const work = credentials.flatMap((credential) => targets.map((endpoint) => ({ credential, endpoint })));
  await pool(work, 16, async ({ credential, endpoint }) => {
    const res = await send(target.url, agent, request(credential, endpoint), { abortOn200: endpoint.watch });
    responses.push(res);
    const expected = expectFor(credential);
    const where = `${credential.name} → ${endpoint.name}`;
    if (res.status !== expected) problems.push(`${where}: ${res.status} (want ${expected}) ${res.body.slice(0, 200)}`);
    else {
      const problem = statusProblem(res);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  });
  agent.destroy();
  return { problems, responses };
}

/** The valid credential reaches each endpoint (so a 401 above is the forgery's doing, not a broken route). */
async function baseline(target: Target): Promise<RawResponse[]> {
  const agent = rawAgent(4);
  const out: RawResponse[] = [];
  const reads = endpoints.filter((e) => !e.method);
  await pool(reads, 4, async (endpoint) => {
    const res = await send(target.url, agent, { method: 'GET', path: endpoint.path, headers: { authorization: `Bearer ${target.validToken}` } }, { abortOn200: endpoint.watch });
    out.push(res);
    assert.ok(res.status === 200 || (endpoint.name === 'logs' && res.status === 404), `${endpoint.name} with a valid token: ${res.status} ${res.body.slice(0, 200)}`);
  });
  for (const [path, status] of [['/clusters', 200], ['/clusters/x', 404]] as const) {
    const res = await send(target.url, agent, { method: 'GET', path, headers: { authorization: `Bearer ${target.adminToken}` } });
    out.push(res);
    assert.equal(res.status, status, `${path} with the admin token: ${res.body.slice(0, 200)}`);
  }
  agent.destroy();
  return out;
}

/**
 * Secrets, and the secret part of each presented token, must not show in any body, header
 * or log line, not even in part: every 20-character window (at steps of 4) is looked for,
 * so a leak of 24 characters or more is found.
 */
function assertNoLeaks(texts: string[], secrets: string[]): void {
  const haystack = texts.join('\n\n');
  const leaks: string[] = [];
  for (const secret of new Set(secrets)) {
    for (let i = 0; i + 20 <= secret.length; i += 4) {
      const at = haystack.indexOf(secret.slice(i, i + 20));
      if (at < 0) continue;
      leaks.push(`${secret.slice(0, 12)}… appears in: ${haystack.slice(Math.max(0, at - 80), at + 80)}`);
      break;
    }
  }
  assert.deepEqual(leaks, []);
}

const responseText = (r: RawResponse) => `${JSON.stringify(r.headers)}\n${r.body}`;

function attackSuite(label: string, open: () => Promise<Target>) {
  describe(`authentication attacks (${label})`, () => {
    let target: Target;
    before(async () => { target = await open(); });
    after(() => target.close());

    it('refuses every forged, expired, foreign or misplaced credential on every endpoint, and leaks nothing', async () => {
      const seen = await baseline(target);
      const forged = await forgedTokens(testSecret, await serverPublicKey(target.url), uidOf(target.validToken));
      const cluster = await attack(target, forged, endpoints, (c) => c.expect);
      const admin = adminForgeries(target.adminToken, target.validToken);
      // Forgeries of cluster tokens do not open the admin API either: every one is a 401 there.
      const adminResult = await attack(target, [...admin, ...forged], adminEndpoints, () => 401);
      console.log(`auth-attacks ${label}: ${forged.length} cluster credentials × ${endpoints.length} endpoints, ${admin.length + forged.length} × ${adminEndpoints.length} admin requests`);
      assert.deepEqual([...cluster.problems, ...adminResult.problems], []);

      // Nothing got in: the planted objects do not exist and the default cluster is intact.
      const agent = rawAgent(1);
      const planted = await send(target.url, agent, { method: 'GET', path: '/api/v1/namespaces/default/configmaps/planted', headers: { authorization: `Bearer ${target.validToken}` } });
      assert.equal(planted.status, 404, planted.body);
      const clusters = await send(target.url, agent, { method: 'GET', path: '/clusters?objectCount=false', headers: { authorization: `Bearer ${target.adminToken}` } });
      // Only the default cluster exists: no forged admin request made one.
      assert.deepEqual((JSON.parse(clusters.body) as { items: Array<{ metadata: { name: string } }> }).items.map((c) => c.metadata.name).filter((n) => n !== 'default'), []);
      agent.destroy();

      const secrets = [
        testSecret, Buffer.from(testSecret).toString('base64'), target.adminToken, target.validToken.split('.')[2],
        ...[...forged, ...admin].flatMap((c) => c.presented),
      ];
      assertNoLeaks([...seen, ...cluster.responses, ...adminResult.responses].map(responseText), secrets);
      assertNoLeaks(target.logs(), secrets);
    });
  });
}

/**
 * The Node entry as harness/server.ts builds it, but with the app's `log` (and the
 * console, where libraries write) recorded, and any Keys (HMAC or a JWKS).
 */
async function startNodeTarget(keys: Keys, validToken: (ports: Ports) => Promise<string>): Promise<Target> {
  const lines: string[] = [];
  const ports: Ports = { store: new MemoryStore(), queue: discardQueue, clock: systemClock, keys };
  const catalog = new Catalog(resources);
  await provisionInStore(ports, catalog, defaultClusterRecord());
  const app = createApp(ports, {
    catalog, limits: relaxedLimits, log: (message) => lines.push(message),
    admin: { directory: storeDirectory(ports.store), provisioner: storeProvisioner(ports, catalog), keys, clock: ports.clock, adminToken: testAdminToken },
  });
  const server = await serveHttps(app.fetch, { port: 0, tls: await testTls() });
  const restore = recordConsole(lines);
  return {
    url: server.url, adminToken: testAdminToken, validToken: await validToken(ports), logs: () => lines,
    async close() { restore(); await server.close(); },
  };
}

/** Copies console output into `lines` (still printing it) until the returned function is called. */
function recordConsole(lines: string[]): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) {
    const original = console[m];
    console[m] = (...args: unknown[]) => { lines.push(args.map(String).join(' ')); original.apply(console, args); };
  }
  return () => methods.forEach((m, i) => { console[m] = originals[i]; });
}

attackSuite('Node entry, HS256', () => startNodeTarget(hmacKeys(testSecret), async (ports) => ports.keys.sign({
  sub: 'kubernetes-admin', groups: ['system:masters'], cluster: 'default', clusterUid: (await readClusterRecord(ports.store.cluster('default')))!.uid,
})));

/** The cluster uid a (valid) token names. */
const uidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { cluster_uid: string }).cluster_uid;

attackSuite('Cloudflare Worker in workerd', async () => {
  const lines: string[] = [];
  const worker = await startWorker({ log: (line) => lines.push(line) });
  return { url: worker.url, adminToken: adminTestToken, validToken: await worker.token(), logs: () => lines, close: () => worker.close() };
});

describe('authentication attacks (Node entry verifying RS256 tokens from a JWKS)', () => {
  let target: Target;
  let attacks: Credential[];
  before(async () => {
    const issuer = await rsaIssuer();
    const forged = await jwksForgeries(issuer);
    attacks = forged.attacks;
    target = await startNodeTarget(jwksKeys({ jwks: issuer.jwks }), async () => forged.valid);
  });
  after(() => target.close());

  it('accepts the issuer\'s RS256 token and refuses HS256 keyed with its public key, alg none and foreign keys', async () => {
    const seen = await baseline(target);
    const result = await attack(target, attacks, endpoints, (c) => c.expect);
    assert.deepEqual(result.problems, []);
    const secrets = [target.validToken.split('.')[2], ...attacks.flatMap((c) => c.presented)];
    assertNoLeaks([...seen, ...result.responses].map(responseText), secrets);
    assertNoLeaks(target.logs(), secrets);
  });
});
