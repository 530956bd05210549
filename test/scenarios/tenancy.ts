import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Store } from '../../src/storage/store.ts';
import { call } from '../../bench/lib.ts';
import { eventually } from '../helpers/eventually.ts';
import { cliScript } from '../helpers/cli.ts';
import { Kubectl, KubectlProcess } from '../../harness/kubectl.ts';
import { clusterRecordKey } from '../../src/tenancy/clusters.ts';
import { call as send } from '../../src/client/https.ts';

export interface TenancyEntry {
  url: string;
  adminToken: string;
  store: Store;
  /** Whatever removes expired clusters on this entry (a sweep on Node; the Durable Object alarm fires by itself). */
  sweep(): Promise<void>;
  /** The scheduler, controllers and kubelets run here (a real queue), so pods come to run. */
  controlPlane?: boolean;
  close(): Promise<void>;
}

const cli = cliScript();

/** The teacher's CLI, pointed at `entry` with flags. */
export function runCli(entry: Pick<TenancyEntry, 'url' | 'adminToken'>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args, '--server', entry.url, '--admin-token', entry.adminToken], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`apiserverless ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The CLI's stdout as bytes (a snapshot is gzip). */
function runCliBytes(entry: Pick<TenancyEntry, 'url' | 'adminToken'>, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args, '--server', entry.url, '--admin-token', entry.adminToken], { timeout: 120_000, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`apiserverless ${args.join(' ')} failed: ${stderr.toString() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** A snapshot file's lines: the header, then one record per line (the documented format). */
function snapshotLines(file: Buffer): { header: { revision: number; objects: number; cluster: { name: string } }; records: Array<{ key: string; value: unknown }> } {
  const [header, ...records] = gunzipSync(file).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
  return { header, records };
}

/** A kubeconfig that points at `target`'s server but carries `source`'s token. */
function swapToken(target: string, source: string): string {
  const t = parse(target), s = parse(source);
  t.users[0].user.token = s.users[0].user.token;
  return stringify(t);
}

/** How long the last `cluster create` took in this process, to pick a ttl it can outlive. */
let lastCreateSeconds = 1;

/**
 * A cluster that expires within seconds, holding a pod. How long the CLI and
 * kubectl take to start is the machine's business, not the test's: when the
 * cluster ran out before its pod was stored, it is made again with twice the time.
 */
async function expiringClusterWithAPod(entry: TenancyEntry, name: string): Promise<Kubectl> {
  // The clock runs from the start of provisioning: a ttl shorter than a create takes is spent
  // before the pod can be made. Start at twice what the last create took here, then double.
  for (let ttl = Math.max(2, Math.ceil(2 * lastCreateSeconds)); ; ttl *= 2) {
    const started = performance.now();
    const kubectl = new Kubectl(await runCli(entry, ['cluster', 'create', name, '--ttl', `${ttl}s`]));
    lastCreateSeconds = (performance.now() - started) / 1000;
    const run = await kubectl.run(['run', 'doomed', '--image=nginx']);
    if (run.code === 0 && (await entry.store.cluster(name).count(`/registry/${name}/`)) > 0) return kubectl;
    if (ttl >= 64) throw new Error(`a cluster with a ${ttl}s ttl took no pod: ${run.stderr}`);
    await runCli(entry, ['cluster', 'delete', name]);
  }
}

/** The ephemeral-clusters acceptance: 30 students, isolated, expiring. */
export function tenancyScenario(label: string, open: () => Promise<TenancyEntry>, students = 30) {
  describe(`ephemeral clusters for a class (${label})`, () => {
    let entry: TenancyEntry;
    let dir: string;
    let kubeconfigs: string[];
    before(async () => {
      entry = await open();
      dir = mkdtempSync(join(tmpdir(), 'class-'));
    });
    after(() => entry.close());

    it(`the CLI creates ${students} clusters, one kubeconfig each`, async () => {
      const started = performance.now();
      const out = await runCli(entry, ['cluster', 'create', '--count', String(students), '--prefix', 'student-', '--ttl', '2h', '--out-dir', dir]);
      lastCreateSeconds = Math.max(lastCreateSeconds, (performance.now() - started) / 1000 / students);
      kubeconfigs = out.trim().split('\n');
      assert.equal(kubeconfigs.length, students);
      const list = await runCli(entry, ['cluster', 'list']);
      assert.match(list, /^NAME\s+PHASE\s+OBJECTS\s+EXPIRES IN$/m);
      for (let i = 1; i <= students; i++) assert.match(list, new RegExp(`^student-${String(i).padStart(2, '0')}\\s+Ready\\s+\\d+\\s+(1\\d\\dm|2h)$`, 'm'));
      const config = parse(readFileSync(kubeconfigs[0], 'utf8'));
      assert.equal(config.clusters[0].cluster.server, `${entry.url}/clusters/student-01`);
      assert.equal(config.users[0].name, 'kubernetes-admin@student-01');
    });

    it('every student runs the same pod names and sees only their own', async () => {
      await Promise.all(kubeconfigs.map(async (file, i) => {
        const kubectl = new Kubectl(readFileSync(file, 'utf8'));
        assert.match(await kubectl.ok(['get', 'nodes']), /^controlplane\s+Ready/m);
        await kubectl.ok(['run', 'web', '--image=nginx', `--labels=student=${i}`]);
        const pods = await kubectl.ok(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.student}{"\\n"}{end}']);
        assert.equal(pods.trim(), `web=${i}`);
      }));
    });

    it("a token for one cluster is forbidden on another, for every verb and for discovery", async () => {
      const a = readFileSync(kubeconfigs[0], 'utf8'), b = readFileSync(kubeconfigs[1], 'utf8');
      const intruder = new Kubectl(swapToken(b, a));
      for (const args of [['get', 'pod', 'web'], ['get', 'pods'], ['run', 'x', '--image=nginx'], ['api-resources']]) {
        const result = await intruder.run(args);
        assert.notEqual(result.code, 0, `kubectl ${args.join(' ')} must fail`);
        assert.match(result.stderr, /Forbidden|forbidden/, `kubectl ${args.join(' ')}: ${result.stderr}`);
      }
      const watch = new KubectlProcess(intruder, ['get', 'pods', '--watch-only', '--request-timeout=10s']);
      const code = await watch.exited;
      assert.notEqual(code, 0);
      assert.match(watch.stderr, /Forbidden|forbidden/);
    });

    it("an expired cluster's token gets 401 and its keys are gone", async () => {
      const kubectl = await expiringClusterWithAPod(entry, 'short-lived');
      // Polled, not slept: the denial is what the test waits for, however slow the machine.
      const denied = await eventually(() => kubectl.run(['get', 'pods']), (r) => r.code !== 0, 'the expired token to be refused', 120_000);
      assert.match(denied.stderr, /You must be logged in to the server/);
      assert.match(denied.stderr, /^Warning: the token for cluster "short-lived" expired at \S+Z \(the cluster's time is up\): ask your teacher for a new kubeconfig$/m);
      await entry.sweep();
      await eventually(() => entry.store.cluster('short-lived').count('/registry/short-lived/'), (left) => left === 0, "the expired cluster's keys to be removed");
      assert.doesNotMatch(await runCli(entry, ['cluster', 'list']), /short-lived/);
    });

    it('a re-created cluster: old tokens get 401 for everything, its objects and watches are gone', async () => {
      const old = new Kubectl(await runCli(entry, ['cluster', 'create', 'reborn', '--ttl', '1h']));
      await old.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
      await old.ok(['run', 'web', '--image=nginx']);
      const watch = new KubectlProcess(old, ['get', 'secrets', '-w']);
      await watch.waitFor(/^db\s/m);
      await runCli(entry, ['cluster', 'delete', 'reborn']);
      // Deleting the cluster ends its watches: kubectl's watch stream closes and it exits.
      let safetyNet: NodeJS.Timeout | undefined;
      const exited = await Promise.race([watch.exited, new Promise<'open'>((r) => { safetyNet = setTimeout(() => r('open'), 30_000); })]);
      clearTimeout(safetyNet); // a pending timer would hold the test process open for its full 30 s
      if (exited === 'open') await watch.stop();
      assert.notEqual(exited, 'open', 'the watch of a deleted cluster ended');

      const fresh = new Kubectl(await runCli(entry, ['cluster', 'create', 'reborn', '--ttl', '1h']));
      for (const args of [['get', 'secret', 'db'], ['get', 'pods'], ['logs', 'web'], ['api-resources'], ['get', 'pods', '-w', '--request-timeout=10s'], ['version']]) {
        const result = await old.run(args);
        assert.notEqual(result.code, 0, `old token: kubectl ${args.join(' ')} must fail`);
        assert.match(result.stderr, /You must be logged in to the server/, `old token: kubectl ${args.join(' ')}: ${result.stderr}`);
      }
      // kubectl's own line for a 401 says nothing of why: the Warning it prints first does.
      const denied = await old.run(['get', 'pods']);
      assert.match(denied.stderr, /^Warning: cluster "reborn" no longer exists \(it was deleted or has expired\): ask your teacher for a new kubeconfig$/m);
      // The new tenant sees a fresh cluster: none of the old objects.
      assert.match((await fresh.run(['get', 'secret', 'db'])).stderr, /NotFound/);
      assert.match((await fresh.run(['get', 'pods'])).stderr, /No resources found in default namespace/);
    });

    it('writes racing a delete land nowhere: nothing of the old cluster reappears in the new one', async () => {
      const out = await runCli(entry, ['cluster', 'create', 'racer', '--ttl', '1h']);
      const token = parse(out).users[0].user.token as string;
      const base = `${entry.url}/clusters/racer/api/v1/namespaces/default/configmaps`;
      const statuses: number[] = [];
      let stop = false;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const res = await call(base, { method: 'POST', token, body: JSON.stringify({ metadata: { name: `race-${w}-${i}` }, data: { w: String(w) } }) });
          statuses.push(res.status);
          if (res.status === 401) return;
        }
      });
      // Counted, not timed: the delete comes once every writer has had answers.
      await eventually(async () => statuses.length, (n) => n >= 8 * 4, 'the writers to get going');
      await runCli(entry, ['cluster', 'delete', 'racer']);
      const afterDelete = statuses.length;
      const reborn = parse(await runCli(entry, ['cluster', 'create', 'racer', '--ttl', '1h'])).users[0].user.token as string;
      stop = true;
      await Promise.all(writers);
      assert.ok(afterDelete > 0, 'writes ran before the delete');
      assert.deepEqual([...new Set(statuses)].filter((s) => s !== 201 && s !== 401), [], `every write was either stored before the delete or refused: ${[...new Set(statuses)]}`);
      const answer = await call(base, { token: reborn });
      assert.equal(answer.status, 200, answer.body);
      const listed = JSON.parse(answer.body) as { items: { metadata: { name: string } }[] };
      assert.deepEqual(listed.items.map((i) => i.metadata.name).filter((n) => n.startsWith('race-')), []);
    });

    it("a cluster the directory still lists after it is gone (Workers KV lists lag a delete) is left out, not an error", async () => {
      await runCli(entry, ['cluster', 'create', 'ghost', '--ttl', '1h']);
      // Gone at its object (the authority), still in the directory: what a lagging KV list shows.
      assert.equal((await entry.store.cluster('ghost').delete(clusterRecordKey('ghost'))).ok, true);
      const list = await runCli(entry, ['cluster', 'list']);
      assert.match(list, /^student-01\s+Ready/m);
      assert.doesNotMatch(list, /^ghost\s/m);
      await assert.rejects(runCli(entry, ['cluster', 'get', 'ghost']), /clusters\.apiserverless\.dev "ghost" not found/);
      await runCli(entry, ['cluster', 'delete', 'ghost']);
    });

    it('snapshot → changes → restore gives back every object as it was; watches from before get 410, the cluster keeps working; history says who changed what', async () => {
      const name = 'student-03';
      const kubectl = new Kubectl(readFileSync(kubeconfigs[2], 'utf8'));
      await kubectl.ok(['apply', '-f', '-'], { input: [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: lab}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: lab}\ndata: {mode: exam}',
        'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: lab}\nstringData: {password: hunter2}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: lab}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}',
      ].join('\n---\n') });
      const quiet = () => kubectl.ok(['get', 'configmap/settings', 'secret/db', '-n', 'lab', '-o', 'json']);
      const withoutVersions = (json: string) => json.replace(/"resourceVersion": "\d+"/g, '');
      const before = await quiet();
      const file = await runCliBytes(entry, ['cluster', 'snapshot', name]);
      const snapshotFile = join(dir, `${name}.snap`);
      writeFileSync(snapshotFile, file);
      const taken = snapshotLines(file);
      assert.equal(taken.header.cluster.name, name);
      assert.equal(taken.records.length, taken.header.objects);
      assert.ok(taken.records.some((r) => r.key === 'core/configmaps/lab/settings'));

      // What happens after the snapshot: an edit, a delete, a new object, all while a watch is open.
      const watch = new KubectlProcess(kubectl, ['get', 'configmaps', '-n', 'lab', '-w']);
      await watch.waitFor(/^settings\s/m);
      await kubectl.ok(['label', 'configmap', 'settings', '-n', 'lab', 'graded=yes']);
      await kubectl.ok(['delete', 'secret', 'db', '-n', 'lab']);
      await kubectl.ok(['create', 'configmap', 'later', '-n', 'lab', '--from-literal=x=y']);
      const oldVersion = (await kubectl.ok(['get', 'configmap', 'later', '-n', 'lab', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
      const history = await runCli(entry, ['cluster', 'history', name, '--since', '1h']);
      assert.match(history, /^REVISION\s+TIME\s+ACTION\s+RESOURCE\s+NAMESPACE\s+NAME\s+BY\s+CHANGED$/m);
      assert.match(history, /^\d+\s+\S+Z\s+ADDED\s+configmaps\s+lab\s+settings\s+kubectl-client-side-apply\s*$/m);
      assert.match(history, /^\d+\s+\S+Z\s+MODIFIED\s+configmaps\s+lab\s+settings\s+kubectl-label\s+metadata\.labels$/m);
      assert.match(history, /^\d+\s+-\s+DELETED\s+secrets\s+lab\s+db\s+-\s*$/m);
      const order = ['ADDED\\s+configmaps\\s+lab\\s+settings', 'MODIFIED\\s+configmaps\\s+lab\\s+settings', 'DELETED\\s+secrets', 'ADDED\\s+configmaps\\s+lab\\s+later'].map((p) => history.search(new RegExp(p)));
      assert.deepEqual([...order].sort((a, b) => a - b), order, `history in revision order:\n${history}`);

      const restored = await runCli(entry, ['cluster', 'restore', name, '--snapshot', snapshotFile]);
      const revision = Number(/continuing at revision (\d+)$/m.exec(restored)?.[1]);
      assert.ok(revision > Number(oldVersion), `the restored cluster continues after every earlier revision: ${restored}`);
      // Every object, byte for byte, as the snapshot holds it: the cluster read at the restore's revision.
      const prefix = `/registry/${name}/`;
      const at = await entry.store.cluster(name).list(prefix, { revision });
      assert.deepEqual(
        at.items.filter((kv) => !kv.key.startsWith(`${prefix}apiserverless.dev/`)).map((kv) => [kv.key.slice(prefix.length), JSON.parse(kv.value)]),
        taken.records.map((r) => [r.key, r.value]),
      );
      assert.equal(withoutVersions(await quiet()), withoutVersions(before), 'kubectl reads the objects back as they were');
      assert.match((await kubectl.run(['get', 'configmap', 'later', '-n', 'lab'])).stderr, /NotFound/);

      // The watch open across the restore ends (410 Expired, as after an etcd restore with its revisions
      // marked compacted); one resumed from a revision before the restore is refused the same way.
      let safetyNet: NodeJS.Timeout | undefined;
      const ended = await Promise.race([watch.exited, new Promise<'open'>((r) => { safetyNet = setTimeout(() => r('open'), 30_000); })]);
      clearTimeout(safetyNet);
      if (ended === 'open') await watch.stop();
      assert.notEqual(ended, 'open', 'the watch from before the restore ended');
      // kubectl prints the watch's ERROR event as a Status row and exits.
      assert.match(watch.stdout, /^Failure\s+Expired\s+too old resource version: \d+ \(\d+\)$/m);
      const stale = await kubectl.run(['get', '--raw', `/api/v1/namespaces/lab/configmaps?watch=true&resourceVersion=${oldVersion}`]);
      assert.match(stale.stderr, /Expired|too old resource version/);

      // The restored cluster keeps working: a watch from its state sees the next write, apply and CAS work.
      const fresh = new KubectlProcess(kubectl, ['get', 'configmaps', '-n', 'lab', '-w', '--output-watch-events']);
      await fresh.waitFor(/ADDED\s+settings\s/);
      await kubectl.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: lab}\ndata: {mode: practice}' });
      await fresh.waitFor(/MODIFIED\s+settings\s/);
      await fresh.stop();
      if (entry.controlPlane) {
        // Restored objects come with no change events: the resync a restore sends is what has the controllers,
        // scheduler and kubelets act on them. A snapshot edited to want two replicas (the format is plain JSON
        // lines) gets its second pod made, scheduled and run.
        const lines = gunzipSync(file).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { key?: string; value?: { spec?: { replicas?: number } } });
        lines.find((l) => l.key === 'apps/deployments/lab/web')!.value!.spec!.replicas = 2;
        const edited = await send(`${entry.url}/clusters/${name}/snapshot`, { method: 'PUT', insecure: true, body: lines.map((l) => JSON.stringify(l)).join('\n'), headers: { authorization: `Bearer ${entry.adminToken}`, 'content-type': 'application/x-ndjson' } });
        assert.equal(edited.status, 200, edited.body);
        await eventually(() => kubectl.ok(['get', 'pods', '-n', 'lab', '-l', 'app=web', '--no-headers']), (out) => (out.match(/\sRunning\s/g) ?? []).length === 2, "the restored deployment's two pods to run");
      }

      // A bad or truncated snapshot is a 400 and changes nothing.
      const count = await entry.store.cluster(name).count(prefix);
      for (const body of [Buffer.from('not a snapshot'), file.subarray(0, file.length >> 1), gzipSync(gunzipSync(file).toString().replace('"format":1', '"format":7'))]) {
        const answer = await send(`${entry.url}/clusters/${name}/snapshot`, { method: 'PUT', insecure: true, body, headers: { authorization: `Bearer ${entry.adminToken}`, 'content-type': 'application/gzip' } });
        assert.equal(answer.status, 400, answer.body);
        assert.match(answer.body, /"message":"invalid cluster snapshot: .*"reason":"BadRequest"/);
      }
      assert.equal(await entry.store.cluster(name).count(prefix), count);
      // Another cluster's snapshot is refused unless asked for; a new cluster made from it has the objects under its own identity.
      await assert.rejects(runCli(entry, ['cluster', 'restore', 'student-04', '--snapshot', snapshotFile]), /the snapshot is of cluster "student-03"/);
      const copy = new Kubectl(await runCli(entry, ['cluster', 'create', 'from-snapshot', '--snapshot', snapshotFile, '--ttl', '1h']));
      assert.equal(await copy.ok(['get', 'configmap', 'settings', '-n', 'lab', '-o', 'jsonpath={.data.mode}']), 'exam');
      const caOf = (k: Kubectl) => k.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', 'lab', '-o', 'jsonpath={.data.ca\\.crt}']);
      assert.notEqual(await caOf(copy), await caOf(kubectl), "the copy's kube-root-ca.crt is its own CA's");
      assert.match((await new Kubectl(swapToken(await runCli(entry, ['cluster', 'get', 'from-snapshot', '--kubeconfig']), readFileSync(kubeconfigs[2], 'utf8'))).run(['get', 'pods'])).stderr, /Forbidden|forbidden/);

      // Snapshot → delete → restore: the cluster deleted, then made again under its name from the file, has the
      // snapshot's objects back with the same content; the old kubeconfig is dead, the new one works.
      await runCli(entry, ['cluster', 'delete', name]);
      const reborn = new Kubectl(await runCli(entry, ['cluster', 'create', name, '--snapshot', snapshotFile, '--ttl', '1h']));
      assert.equal(withoutVersions(await reborn.ok(['get', 'configmap/settings', 'secret/db', '-n', 'lab', '-o', 'json'])), withoutVersions(before));
      assert.match((await kubectl.run(['get', 'pods'])).stderr, /You must be logged in to the server/);
      await reborn.ok(['create', 'configmap', 'after-rebirth', '-n', 'lab']);
    });

    it('delete removes a cluster and is idempotent', async () => {
      assert.equal((await runCli(entry, ['cluster', 'delete', 'student-02'])).trim(), 'cluster "student-02" deleted');
      assert.equal((await runCli(entry, ['cluster', 'delete', 'student-02'])).trim(), 'cluster "student-02" deleted');
      assert.equal(await entry.store.cluster('student-02').count('/registry/student-02/'), 0);
      const gone = await new Kubectl(readFileSync(kubeconfigs[1], 'utf8')).run(['get', 'pods']);
      assert.match(gone.stderr, /You must be logged in to the server/);
    });
  });
}
