import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call } from '../bench/lib.ts';
import { freePort } from '../harness/worker.ts';
import { sharedDynamoDBLocal, type DynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { eventually } from './helpers/eventually.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `npm start` (or another start script) as a user runs it, in its own process group so the test can kill the whole of it. */
function npmStart(state: string, port: number, script = 'start', env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn('npm', ['run', script], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(port), APISERVERLESS_STATE: state, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${out}`)), 90_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('export KUBECONFIG=')) { clearTimeout(timer); resolve(child); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
  });
}

async function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  // npm may already be gone while what it started lives on in its group: kill the group either way.
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()));
  try { process.kill(-child.pid!, signal); } catch { /* gone */ }
  await exited;
  // npm's exit is not its group's: workerd may still hold the port the restart binds (a run
  // failed on EADDRINUSE). Done when no process of the group is left (signal 0 finds none).
  for (let waited = 0; waited < 15_000; waited += 50) {
    try { process.kill(-child.pid!, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The teacher's CLI as a user runs it, with only the environment given (no --server, no --admin-token). */
function cli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const { APISERVERLESS_SERVER: _s, APISERVERLESS_ADMIN_TOKEN: _t, ...clean } = process.env;
    execFile(process.execPath, [join(root, 'bin', 'apiserverless.mjs'), ...args], { cwd: root, env: { ...clean, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`apiserverless ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

interface Counter { acked: number; ackedRv: number; attempted: number[] }

function crashScenario(label: string, start: (state: string, port: number) => Promise<ChildProcess>, before?: () => Promise<void>, after_?: () => Promise<void>) {
describe(`crash and restart of ${label}`, () => {
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await killGroup(c, 'SIGKILL');
    await after_?.();
  });

  it('keeps every acknowledged write, with its last acknowledged value, and resourceVersions keep increasing', async () => {
    await before?.();
    const state = mkdtempSync(join(tmpdir(), 'crash-'));
    const port = await freePort();
    const first = await start(state, port);
    children.push(first);
    const token = readFileSync(join(state, 'token'), 'utf8').trim();
    const base = `https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`;
    // The teacher's CLI finds this server (a free, non-default port) with no flags: npm start left its URL beside the admin token.
    const listed = await cli(['cluster', 'list'], { APISERVERLESS_STATE: state });
    assert.match(listed, /^default\s+Ready\s/m, listed);

    const created = new Set<string>();
    const counters = new Map<string, Counter>();
    let maxRv = 0;
    let stop = false;
    const writers = Array.from({ length: 12 }, async (_, w) => {
      const name = `counter-${w}`;
      const first = await call(base, { method: 'POST', token, body: JSON.stringify({ metadata: { name }, data: { n: '0' } }) });
      if (first.status !== 201) return;
      const counter: Counter = { acked: 0, ackedRv: Number(JSON.parse(first.body).metadata.resourceVersion), attempted: [] };
      counters.set(name, counter);
      for (let i = 1; !stop; i++) {
        try {
          const made = await call(base, { method: 'POST', token, body: JSON.stringify({ metadata: { name: `w${w}-${i}` }, data: { i: String(i) } }) });
          if (made.status === 201) { created.add(`w${w}-${i}`); maxRv = Math.max(maxRv, Number(JSON.parse(made.body).metadata.resourceVersion)); }
          counter.attempted.push(i);
          const updated = await call(`${base}/${name}`, { method: 'PUT', token, body: JSON.stringify({ metadata: { name, resourceVersion: String(counter.ackedRv) }, data: { n: String(i) } }) });
          if (updated.status === 200) {
            counter.acked = i;
            counter.ackedRv = Number(JSON.parse(updated.body).metadata.resourceVersion);
            counter.attempted = [];
            maxRv = Math.max(maxRv, counter.ackedRv);
          }
        } catch {
          return; // the server died under us: from here on nothing is acknowledged
        }
      }
    });
    // Counted, not timed: the kill comes once the load has made progress, however slow the machine.
    await eventually(async () => created.size, (made) => made > 20, 'the load to make progress before the kill', 120_000);
    await killGroup(first, 'SIGKILL');
    stop = true;
    await Promise.all(writers);

    const second = await start(state, port);
    children.push(second);
    const list = await call(base, { token });
    assert.equal(list.status, 200);
    const stored = new Map<string, { data: Record<string, string>; rv: number }>();
    for (const item of JSON.parse(list.body).items) stored.set(item.metadata.name, { data: item.data, rv: Number(item.metadata.resourceVersion) });
    for (const name of created) assert.ok(stored.has(name), `acknowledged create of ${name} was lost`);
    for (const [name, counter] of counters) {
      const value = Number(stored.get(name)!.data.n);
      // the last acknowledged value, or a later write whose answer the crash swallowed
      assert.ok(value === counter.acked || counter.attempted.includes(value), `${name}: stored ${value}, last acknowledged ${counter.acked}`);
    }
    const after = await call(base, { method: 'POST', token, body: JSON.stringify({ metadata: { name: 'after-restart' } }) });
    assert.equal(after.status, 201);
    assert.ok(Number(JSON.parse(after.body).metadata.resourceVersion) > maxRv, 'resourceVersions must keep increasing across the restart');
    await killGroup(second, 'SIGTERM');
  });
});
}

crashScenario('npm start (the Worker in workerd under Miniflare, persisted state)', (state, port) => npmStart(state, port));

// The Node entry on DynamoDB: the server dies, DynamoDB Local (the stand-in for the AWS service) lives on.
let dynamodb: DynamoDBLocal | undefined;
const table = `crash-${randomBytes(4).toString('hex')}`;
crashScenario('npm run start:node on DynamoDB (DynamoDB Local)',
  (state, port) => npmStart(state, port, 'start:node', { STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamodb!.endpoint, DYNAMODB_TABLE: table }),
  async () => { dynamodb ??= await sharedDynamoDBLocal(); },
  async () => { await dynamodb?.stop(); });
