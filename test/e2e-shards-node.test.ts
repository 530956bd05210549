import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { testAdminToken, testSecret, testTls } from '../harness/server.ts';
import { call } from '../src/client/https.ts';
import { tokenOf } from '../src/entry/local-state.ts';
import { serveSharded, type ShardedServer } from '../src/entry/shards.ts';
import { frontNodeFlags, serverNodeFlags } from '../src/entry/node-flags.ts';
import { freePort } from '../harness/worker.ts';
import { eventually } from './helpers/eventually.ts';
import { idleSessionScenario } from './scenarios/execIdle.ts';
import { keepAliveBodiesScenario } from './scenarios/keepAliveBodies.ts';
import { watchScenario } from './scenarios/watch.ts';

/**
 * The sharded Node entry (SHARDS=2): a front terminating TLS and two shard processes, each the
 * whole Node entry for the clusters hashed to it. kubectl's watch and an exec session (the
 * WebSocket) run through the front against a cluster outside the default cluster's shard; the
 * admin API lists, creates and deletes across shards; a stopped shard stalls only its clusters.
 */

let started: Promise<ShardedServer> | undefined;
const sharded = () => (started ??= testTls().then((tls) => serveSharded({
  shards: 2, port: 0, tls, jwtSecret: testSecret, adminToken: testAdminToken,
  // Answers paced at 2 MiB/s per cluster after a 512 KiB burst, so a test's large list is held back at the front.
  env: { ...process.env, STORE: 'memory', RATE_LIMIT_RPS: '100000', RATE_LIMIT_BURST: '100000', FRONT_BYTES_PER_SECOND: String(2 * 1024 * 1024) },
})));
after(async () => { if (started) await (await started).close(); });

const admin = async (method: string, path: string, body?: unknown) => {
  const server = await sharded();
  return call(`${server.url}${path}`, { method, insecure: true, headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
};

/** A name of the given shard (the first of `<prefix>-0`, `<prefix>-1`, … that hashes there). */
const nameIn = (server: ShardedServer, shard: number, prefix: string) => {
  for (let i = 0; i < 1000; i++) if (server.shardOf(`${prefix}-${i}`) === shard) return `${prefix}-${i}`;
  throw new Error(`no name ${prefix}-N hashes to shard ${shard}`);
};

/** A cluster in the shard the default cluster is not in, as a scenario's entry; deleted after. */
async function openCluster(prefix: string) {
  const server = await sharded();
  const name = nameIn(server, 1 - server.shardOf('default'), prefix);
  const created = await admin('POST', '/clusters', { name, ttl: '1h' });
  assert.equal(created.status, 201, created.body);
  const config = (JSON.parse(created.body) as { kubeconfig: string }).kubeconfig;
  return {
    name,
    kubeconfig: async () => config,
    token: async () => tokenOf(config),
    close: async () => { await admin('DELETE', `/clusters/${name}`); },
  };
}

watchScenario('sharded Node entry, 2 shards', () => openCluster('watcher'));
idleSessionScenario('sharded Node entry, 2 shards', () => openCluster('sheller'));
keepAliveBodiesScenario('sharded Node entry: its TLS front', async () => {
  const { url } = await sharded();
  const cluster = await openCluster('writer');
  return { url: `${url}/clusters/${cluster.name}/api/v1/namespaces/default/configmaps`, token: await cluster.token(), close: cluster.close };
});

describe('the sharded Node entry', () => {
  let server: ShardedServer;
  let names: string[];
  const tokens = new Map<string, string>();
  // timeoutMs only ends a hung run (a request routed to a stopped shard): nothing here is timed.
  const get = (cluster: string, path: string, token = tokens.get(cluster)!) =>
    call(`${server.url}/clusters/${cluster}${path}`, { insecure: true, headers: { authorization: `Bearer ${token}` }, timeoutMs: 30_000 });

  before(async () => {
    server = await sharded();
    names = [nameIn(server, 0, 'student'), nameIn(server, 1, 'student')];
    for (const name of names) {
      const created = await admin('POST', '/clusters', { name, ttl: '1h' });
      assert.equal(created.status, 201, created.body);
      tokens.set(name, tokenOf((JSON.parse(created.body) as { kubeconfig: string }).kubeconfig));
    }
  });

  it('lists every shard\'s clusters as one list, in name order; a wrong admin token is refused as unsharded', async () => {
    const list = await admin('GET', '/clusters');
    assert.equal(list.status, 200, list.body);
    const listed = (JSON.parse(list.body) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name);
    for (const name of [...names, 'default']) assert.ok(listed.includes(name), `${name} in ${listed.join(', ')}`);
    assert.deepEqual(listed, [...listed].sort());
    const refused = await call(`${server.url}/clusters`, { insecure: true, headers: { authorization: 'Bearer wrong' } });
    assert.equal(refused.status, 401);
    // A cluster made without a name gets one, in the shard that name hashes to, and works.
    const unnamed = await admin('POST', '/clusters', { ttl: '1h' });
    assert.equal(unnamed.status, 201, unnamed.body);
    const made = JSON.parse(unnamed.body) as { cluster: { metadata: { name: string } }; kubeconfig: string };
    assert.equal((await get(made.cluster.metadata.name, '/api/v1/namespaces', tokenOf(made.kubeconfig))).status, 200);
    assert.equal((await admin('DELETE', `/clusters/${made.cluster.metadata.name}`)).status, 200);
  });

  it('each shard runs with the server\'s V8 flags (no memory reducer: its collections at idle throw away optimized code)', () => {
    for (const pid of server.pids()) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      for (const flag of serverNodeFlags) assert.ok(argv.includes(flag), `shard ${pid} runs ${argv.join(' ')}`);
    }
    // The front (and the one-process entry) is `npm run start:node`'s own process: its script passes them too.
    const script = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts['start:node'];
    for (const flag of serverNodeFlags) assert.ok(script.split(' ').includes(flag), `npm run start:node runs ${script}`);
  });

  it('each cluster lives in its own shard\'s process: a stopped shard stalls its clusters only', async () => {
    const [inZero, inOne] = names;
    const stopped = server.pids()[0];
    process.kill(stopped, 'SIGSTOP');
    let settled = false;
    let stalled: Promise<{ status: number }> | undefined;
    try {
      stalled = get(inZero, '/api/v1/namespaces/default').finally(() => { settled = true; });
      assert.equal((await get(inOne, '/api/v1/namespaces/default')).status, 200);
      assert.equal((await get(inOne, '/api/v1/namespaces/default')).status, 200);
      assert.equal(settled, false, `${inZero}'s request answered while its shard was stopped`);
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
    assert.equal((await stalled).status, 200);
  });

  it('a cluster\'s large answer is paced at the front and arrives whole; another cluster\'s is not held', async () => {
    const [big, other] = names;
    const value = 'x'.repeat(900_000);
    for (const n of [1, 2, 3]) {
      const made = await call(`${server.url}/clusters/${big}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', insecure: true, headers: { authorization: `Bearer ${tokens.get(big)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `large-${n}` }, data: { v: value } }),
      });
      assert.equal(made.status, 201, made.body.slice(0, 300));
    }
    // 2.7 MB: past the burst, so its relay is held while the bucket refills; the other cluster's answer is not.
    const heldBefore = server.answersHeld();
    const list = get(big, '/api/v1/namespaces/default/configmaps');
    assert.equal((await get(other, '/api/v1/namespaces/default')).status, 200);
    const answer = await list;
    assert.equal(answer.status, 200);
    const items = (JSON.parse(answer.body) as { items: Array<{ metadata: { name: string }; data?: { v?: string } }> }).items.filter((i) => i.metadata.name.startsWith('large-'));
    assert.deepEqual(items.map((i) => [i.metadata.name, i.data?.v?.length]), [['large-1', 900_000], ['large-2', 900_000], ['large-3', 900_000]]);
    assert.ok(server.answersHeld() > heldBefore, 'the large list was held for its cluster\'s pace');
    const heldAfter = server.answersHeld();
    assert.equal((await get(other, '/api/v1/namespaces/default/configmaps')).status, 200);
    assert.equal(server.answersHeld(), heldAfter, 'a small answer of another cluster is not held');
  });

  it('a large body goes to its shard only once the shard reads it: refused unread, none of it is relayed; a client\'s Expect: 100-continue gets the shard\'s', async () => {
    const [name] = names;
    const path = `${server.url}/clusters/${name}/api/v1/namespaces/default/configmaps`;
    const body = (n: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `held-${n}` }, data: { v: 'x'.repeat(900_000) } });
    /** A POST of a large body, sent at once or (expect) only after a 100 Continue; what came back. */
    const post = (token: string, payload: string, expect: boolean) => new Promise<{ status: number; continued: boolean; connection?: string; body: string }>((resolve, reject) => {
      let continued = false;
      const req = request(path, {
        method: 'POST', rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(expect ? { expect: '100-continue' } : {}) },
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, connection: res.headers.connection, body: text }));
      });
      // A server that answers before reading closes the connection: the rest of a body still being written may reset.
      req.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err); });
      req.on('continue', () => { continued = true; req.end(payload); });
      if (!expect) req.end(payload);
      else req.flushHeaders();
    });

    let relayed = server.bodyBytesRelayed();
    const refused = await post('not-a-token', body(1), false);
    assert.equal(refused.status, 401, refused.body);
    assert.equal(refused.connection, 'close', 'the unread body\'s connection is closed, as Go closes it');
    assert.equal(server.bodyBytesRelayed() - relayed, 0, 'bytes of a refused body relayed to the shard');

    relayed = server.bodyBytesRelayed();
    const made = await post(tokens.get(name)!, body(2), false);
    assert.equal(made.status, 201, made.body.slice(0, 300));
    assert.equal(server.bodyBytesRelayed() - relayed, Buffer.byteLength(body(2)));

    const askedFirst = await post(tokens.get(name)!, body(3), true);
    assert.deepEqual([askedFirst.status, askedFirst.continued], [201, true], askedFirst.body.slice(0, 300));
    const refusedFirst = await post('not-a-token', body(4), true);
    assert.deepEqual([refusedFirst.status, refusedFirst.continued], [401, false], 'a refused client is not asked for its body');
    const read = await get(name, '/api/v1/namespaces/default/configmaps');
    assert.deepEqual((JSON.parse(read.body) as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name).filter((n) => n.startsWith('held-')), ['held-2', 'held-3']);
  });

  it('a token of one cluster opens no other, in either shard', async () => {
    const [inZero, inOne] = names;
    assert.equal((await get(inOne, '/api/v1/namespaces', tokens.get(inZero))).status, 403);
    assert.equal((await get(inZero, '/api/v1/namespaces', tokens.get(inOne))).status, 403);
  });

  it('deleting a cluster ends its watch at once; re-created, it is empty and its old token gets 401', async () => {
    const name = names[1 - server.shardOf('default')];
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { a: 'b' } });
    const made = await call(`${server.url}/clusters/${name}/api/v1/namespaces/default/configmaps`, { method: 'POST', insecure: true, headers: { authorization: `Bearer ${tokens.get(name)}`, 'content-type': 'application/json' }, body: cm });
    assert.equal(made.status, 201, made.body);
    // A watch through the front, read as it streams.
    let seen = '';
    const ended = new Promise<void>((resolve, reject) => {
      const watch = request(`${server.url}/clusters/${name}/api/v1/namespaces/default/configmaps?watch=true`, { rejectUnauthorized: false, headers: { authorization: `Bearer ${tokens.get(name)}` } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.on('data', (chunk: Buffer) => { seen += chunk.toString(); });
        res.on('end', resolve);
        res.on('close', resolve);
      });
      watch.on('error', reject);
      watch.end();
    });
    while (!seen.includes('"kept"')) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await admin('DELETE', `/clusters/${name}`)).status, 200);
    await ended;
    const again = await admin('POST', '/clusters', { name, ttl: '1h' });
    assert.equal(again.status, 201, again.body);
    assert.equal((await get(name, '/api/v1/namespaces/default/configmaps')).status, 401);
    const fresh = tokenOf((JSON.parse(again.body) as { kubeconfig: string }).kubeconfig);
    assert.equal((await get(name, '/api/v1/namespaces/default/configmaps/kept', fresh)).status, 404);
    tokens.set(name, fresh);
  });

  it('a client certificate reaches the shard from the TLS handshake, never from a header the client sends', async () => {
    const name = names[0];
    const user = await admin('POST', `/clusters/${name}/users`, { name: 'jane', namespace: 'dev', certificate: {} });
    assert.equal(user.status, 201, user.body);
    const creds = (parse((JSON.parse(user.body) as { kubeconfig: string }).kubeconfig) as { users: Array<{ user: Record<string, string> }> }).users[0].user;
    const cert = Buffer.from(creds['client-certificate-data'], 'base64').toString(), key = Buffer.from(creds['client-key-data'], 'base64').toString();
    const agent = new Agent({ cert, key, rejectUnauthorized: false });
    try {
      const withCertificate = await call(`${server.url}/clusters/${name}/api/v1/namespaces/dev/pods`, { agent });
      assert.equal(withCertificate.status, 200, withCertificate.body);
      const der = Buffer.from(cert.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
      const forged = await call(`${server.url}/clusters/${name}/api/v1/namespaces/dev/pods`, { insecure: true, headers: { 'x-apiserverless-peer-certificate': der } });
      assert.equal(forged.status, 401, forged.body);
    } finally {
      agent.destroy();
    }
  });
});

/** The processes of a process group, from /proc: pid, parent and command line. */
function processGroup(group: number): Array<{ pid: number; ppid: number; argv: string[] }> {
  const found: Array<{ pid: number; ppid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === group) found.push({ pid: Number(entry), ppid: Number(ppid), argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0') });
    } catch { /* ended meanwhile */ }
  }
  return found;
}

describe('SHARDS=2 npm run start:node, as a user runs it', () => {
  it('serves from a front that runs with its heap flags, over two shards; Ctrl+C stops every process of it', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const state = mkdtempSync(join(tmpdir(), 'sharded-start-'));
    const port = await freePort();
    const npm = spawn('npm', ['run', 'start:node'], {
      cwd: new URL('..', import.meta.url), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHARDS: '2', PORT: String(port), APISERVERLESS_STATE: state },
    });
    const group = npm.pid!;
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const onData = (c: Buffer) => { out += c.toString(); if (out.includes('export KUBECONFIG=')) resolve(); };
        npm.stdout!.on('data', onData);
        npm.stderr!.on('data', onData);
        npm.on('exit', (code) => reject(new Error(`npm run start:node exited ${code}:\n${out}`)));
      });
      const processes = processGroup(group);
      const starts = processes.filter((p) => p.argv.some((a) => a.endsWith('src/entry/start.ts')));
      const fronts = starts.filter((p) => frontNodeFlags.every((f) => p.argv.includes(f)));
      assert.equal(fronts.length, 1, `one front with ${frontNodeFlags.join(' ')}: ${starts.map((p) => p.argv.join(' ')).join('\n')}`);
      const [front] = fronts;
      for (const f of serverNodeFlags) assert.ok(front.argv.includes(f), `the front keeps ${f}: ${front.argv.join(' ')}`);
      const shardProcesses = processes.filter((p) => p.ppid === front.pid && p.argv.some((a) => a.endsWith('shard.ts')));
      assert.equal(shardProcesses.length, 2, processes.map((p) => p.argv.join(' ')).join('\n'));
      // The kubeconfig it wrote works through that front.
      const token = readFileSync(join(state, 'token'), 'utf8').trim();
      const listed = await call(`https://127.0.0.1:${port}/api/v1/namespaces`, { insecure: true, headers: { authorization: `Bearer ${token}` } });
      assert.equal(listed.status, 200, listed.body);
      // Ctrl+C in a terminal signals the whole foreground group: every process of it ends.
      process.kill(-group, 'SIGINT');
      await eventually(async () => processGroup(group).map((p) => p.argv.join(' ')), (left) => left.length === 0, 'every process of npm run start:node to end');
    } finally {
      try { process.kill(-group, 'SIGKILL'); } catch { /* all ended */ }
    }
  });
});
