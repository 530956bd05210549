import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { after, describe, it } from 'node:test';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoStore, ensureTable } from '../src/storage/dynamodb.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { Store } from '../src/storage/store.ts';
import { sharedDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

/**
 * Optimistic concurrency through the API server: many clients each increment
 * one ConfigMap by GET, then PUT with the resourceVersion read, retrying on 409
 * Conflict. Compare-and-swap must lose no update: exactly clients × increments
 * PUTs succeed and the count ends there.
 *
 * A lost update shows in the first couple of hundred increments as surely as
 * in thousands: what matters is many clients racing for one key, and 20 of them
 * draw hundreds of 409s on every backend. More only adds minutes of backoff.
 */
interface Size { clients: number; increments: number }
const size: Size = { clients: 20, increments: 10 };

/**
 * A loser waits a random time up to an exponentially growing cap before it
 * re-reads, as client-go's RetryOnConflict backs off: without it, 50 clients
 * on one key turn ~20 requests into 409s for every increment that succeeds,
 * which measures the HTTP stack, not compare-and-swap.
 */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2000, 50 * 2 ** attempt)));

interface Reply { status: number; body: string }

/**
 * HTTPS with keep-alive, trusting the test server's self-signed certificate.
 * Idle sockets are dropped after 4 s, before the server's 5 s keep-alive
 * timeout, so a request never goes out on a socket the server is closing.
 */
function caller(base: string, token: string, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients, rejectUnauthorized: false, timeout: 4000 });
  const call = (method: string, path: string, body?: unknown) => new Promise<Reply>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method, agent,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
  return { call, close: () => agent.destroy() };
}


interface ConfigMap { metadata: { name: string; resourceVersion: string }; data: { count: string } }
interface Status { kind: string; code: number; reason: string }

interface Entry { url: string; token(): Promise<string>; close(): Promise<void> }

/** A request whose connection broke before an answer came (e.g. ECONNRESET on a kept-alive socket the server just closed). */
const unanswered = (err: unknown) => typeof (err as { code?: unknown }).code === 'string' && /^(ECONNRESET|EPIPE|ECONNREFUSED)$/.test((err as { code: string }).code);

async function incrementRace(store: Store | (() => Promise<Entry>), label: string, { clients, increments: incrementsPerClient }: Size): Promise<void> {
  const server: Entry = typeof store === 'function' ? await store() : await startNodeServer({ store });
  const { call, close } = caller(server.url, await server.token(), clients);
  const path = '/api/v1/namespaces/default/configmaps/counter';
  try {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { count: '0' } });
    assert.equal(created.status, 201, created.body);

    const started = performance.now();
    let successes = 0;
    let conflicts = 0;
    // A connection may break before the answer comes (a kept-alive socket the server closes
    // as the PUT goes out): the PUT may or may not have committed, like a write
    // whose answer a crash swallowed. The client tries the increment again; the count then may
    // exceed the acknowledged updates by at most the number of such PUTs, and never fall short
    // of them. A GET without an answer is simply asked again.
    let interrupted = 0;
    const unexpected: string[] = [];
    /** A dead server is a failure, not something to retry forever. */
    let brokenInARow = 0;
    const attempt = async (method: string, body?: unknown): Promise<Reply | undefined> => {
      try {
        const reply = await call(method, path, body);
        brokenInARow = 0;
        return reply;
      } catch (err) {
        if (!unanswered(err) || ++brokenInARow > 20) throw err;
        return undefined;
      }
    };
    const client = async () => {
      for (let i = 0; i < incrementsPerClient; i++) {
        for (let retry = 0; ; ) {
          const got = await attempt('GET');
          if (!got) continue;
          assert.equal(got.status, 200, got.body);
          const cm = JSON.parse(got.body) as ConfigMap;
          cm.data.count = String(Number(cm.data.count) + 1);
          const put = await attempt('PUT', cm);
          if (!put) { interrupted++; continue; }
          if (put.status === 200) { successes++; break; }
          const status = JSON.parse(put.body) as Status;
          if (put.status === 409 && status.kind === 'Status' && status.code === 409 && status.reason === 'Conflict') {
            conflicts++;
            await backoff(retry++);
            continue;
          }
          unexpected.push(`${put.status} ${put.body}`);
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, client));

    const final = JSON.parse((await call('GET', path)).body) as ConfigMap;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${label}: ${successes} successful PUTs, ${conflicts} answered 409 Conflict, ${interrupted} left unanswered (a broken connection), final count ${final.data.count} (${seconds} s)`);
    assert.deepEqual(unexpected, [], 'every losing PUT is a 409 Conflict Status');
    assert.equal(successes, clients * incrementsPerClient);
    const count = Number(final.data.count);
    if (interrupted === 0) assert.equal(final.data.count, String(clients * incrementsPerClient), 'no increment was lost');
    else assert.ok(count >= successes && count <= successes + interrupted, `no acknowledged increment was lost: count ${count}, acknowledged ${successes}, unanswered ${interrupted}`);
  } finally {
    close();
    await server.close();
  }
}

after(async () => { if (dynamodbLocalStarted) await (await sharedDynamoDBLocal()).stop(); });
let dynamodbLocalStarted = false;

// The three backends race at once: each waits mostly on another process (or on its backoff).
describe('concurrent read-modify-write through the API server', { concurrency: true }, () => {
  it(`memory store: ${size.clients} clients × ${size.increments} increments, no update lost`, { timeout: 600_000 }, () => incrementRace(new MemoryStore(), 'memory', size));

  it(`durable-object store (the cluster's Durable Object in workerd, through the Worker): ${size.clients} clients × ${size.increments} increments, no update lost`, { timeout: 600_000 }, () =>
    incrementRace(async () => {
      const cluster = await freshWorkerCluster();
      return { url: cluster.url, token: () => cluster.token(), close: () => cluster.close() };
    }, 'durable-object', size));

  it(`dynamodb store (DynamoDB Local): ${size.clients} clients × ${size.increments} increments, no update lost`, { timeout: 600_000 }, async () => {
    dynamodbLocalStarted = true;
    const local = await sharedDynamoDBLocal();
    const client = local.client();
    const table = `concurrency-${randomBytes(6).toString('hex')}`;
    await ensureTable(client, table);
    try {
      await incrementRace(new DynamoStore({ client, table }), 'dynamodb', size);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: table }));
      client.destroy();
    }
  });
});
