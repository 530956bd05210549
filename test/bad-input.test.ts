import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterStore } from '../src/storage/store.ts';
import { fixtureRequests, generateBadInputs, type BadInput } from './helpers/badInput.ts';
import { pool, rawAgent, send, settle, snapshotCluster, statusProblem, Tally, type RawResponse } from './helpers/rawHttp.ts';
import { startNodeServer } from '../harness/server.ts';
import { adminTestToken, startWorker } from '../harness/worker.ts';

/**
 * Thousands of malformed requests per entry, from a seeded generator
 * (test/helpers/badInput.ts). Whatever arrives: no 5xx, every error a proper
 * metav1.Status, and the cluster's store byte-for-byte what it was.
 * BAD_INPUT_SEED and BAD_INPUT_COUNT override the defaults to explore further.
 *
 * The Node entry takes five thousand, the Worker (the same app behind its edge,
 * each request milliseconds of CPU in workerd) three thousand: at either count
 * every category of the generator comes up (the rarest, huge headers, at least
 * once). Ten thousand on the Node entry cost ~20 CPU-seconds more of the suite
 * and found nothing the five did; BAD_INPUT_COUNT runs more.
 */

const seed = Number(process.env.BAD_INPUT_SEED ?? 20260512);
const nodeCount = Number(process.env.BAD_INPUT_COUNT ?? 5_000);
const workerCount = Number(process.env.BAD_INPUT_COUNT ?? 3_000);
const concurrency = 24;

interface Entry {
  url: string;
  store: ClusterStore;
  token(cluster?: string): Promise<string>;
  adminToken: string;
  close(): Promise<void>;
  resolvesDotSegments?: boolean;
  /** Log lines that show a crash, for entries whose log we can read. */
  faults?: () => string[];
}

/** What is wrong with one response, or null. */
function judge(req: BadInput, res: RawResponse): string | null {
  if (res.status === 0) return `no response (${res.error})`;
  if (res.status >= 500) return `server error ${res.status}: ${res.body.slice(0, 300)}`;
  if (req.expect === 'fail' && res.status < 400) return `accepted (${res.status}) but must fail: ${res.body.slice(0, 200)}`;
  if (req.expect === 'ok' && res.status >= 300) return `valid request refused (${res.status}): ${res.body.slice(0, 300)}`;
  if (res.status >= 400 && req.method !== 'HEAD') {
    const problem = statusProblem(res);
    if (problem) return `${res.status}: ${problem}`;
  }
  return null;
}

function badInputSuite(label: string, count: number, open: () => Promise<Entry>) {
  describe(`malformed requests (${label})`, () => {
    let entry: Entry;
    before(async () => { entry = await open(); });
    after(() => entry.close());

    it(`answers ${count} malformed requests without a 5xx, always with a Status, and leaves the store untouched`, async () => {
      const agent = rawAgent(concurrency);
      const token = await entry.token();
      for (const req of fixtureRequests(token)) {
        const res = await send(entry.url, agent, req);
        assert.equal(res.status, 201, `fixture ${req.path}: ${res.body}`);
      }
      const fx = { token, otherClusterToken: await entry.token('someone-else'), adminToken: entry.adminToken, resolvesDotSegments: entry.resolvesDotSegments };
      const inputs = generateBadInputs(seed, count, fx);
      await settle(entry.store);
      const before = await snapshotCluster(entry.store);
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();

      const categories = new Tally();
      const statuses = new Tally();
      const problems: string[] = [];
      let sent = 0;
      await pool(inputs, concurrency, async (req: BadInput) => {
        sent++;
        const res = await send(entry.url, agent, req, { abortOn200: req.watch });
        categories.add(req.category.replace(/^broken-auth\(.*\)$/, 'broken-auth'));
        statuses.add(res.status);
        const problem = judge(req, res);
        if (problem) problems.push(`[${req.category}] ${req.method} ${req.path.slice(0, 160)} (${req.headers?.['content-type'] ?? ''}; ${req.body?.byteLength ?? 0} bytes) → ${problem}`);
      });
      const after = await snapshotCluster(entry.store);

      console.log(`bad-input ${label}: seed=${seed} requests=${sent} (malformed ${sent - categories.get('valid')}, concurrency ${concurrency})`);
      console.log(`  categories: ${categories}`);
      console.log(`  statuses:   ${statuses}`);
      assert.deepEqual(problems.slice(0, 25), [], `${problems.length} bad answers (seed ${seed}); the first 25 above`);
      assert.ok(statuses.get(200) + statuses.get(201) > 0, 'the valid requests in the mix were answered');
      assert.deepEqual(after, before, `the store changed (seed ${seed})`);
      const clusters = await send(entry.url, agent, { method: 'GET', path: '/clusters?objectCount=false', headers: { authorization: `Bearer ${entry.adminToken}` } });
      const names = (JSON.parse(clusters.body) as { items: Array<{ metadata: { name: string } }> }).items.map((c) => c.metadata.name);
      assert.deepEqual(names.filter((n) => n !== 'default'), [], 'no cluster was created through the admin API (the default cluster is listed)');
      assert.deepEqual(entry.faults?.().slice(0, 10) ?? [], [], 'the server log shows uncaught errors');
      // In-process entries also show whether a `__proto__` key reached Object.prototype.
      assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), prototypeKeys);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);

      // And the server still does real work afterwards.
      const create = await send(entry.url, agent, {
        method: 'POST', path: '/api/v1/namespaces/default/configmaps',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-the-storm' }, data: { ok: 'yes' } })),
      });
      assert.equal(create.status, 201, create.body);
      agent.destroy();
    });
  });
}

badInputSuite('Node entry', nodeCount, async () => {
  const server = await startNodeServer();
  return { url: server.url, store: server.ports.store.cluster('default'), token: (c) => server.token(c), adminToken: server.adminToken, close: () => server.close() };
});

badInputSuite('Cloudflare Worker in workerd', workerCount, async () => {
  const logs: string[] = [];
  const worker = await startWorker({ vars: { RATE_LIMIT_RPS: '1000000000', RATE_LIMIT_BURST: '1000000000' }, log: (line) => logs.push(line) });
  return {
    url: worker.url, store: worker.store.cluster('default'), token: (c) => worker.token(c), adminToken: adminTestToken, close: () => worker.close(), resolvesDotSegments: true,
    // An uncaught exception in workerd restarts the Worker under every request in flight.
    faults: () => logs.filter((line) => /Uncaught|restarted/i.test(line)),
  };
});
