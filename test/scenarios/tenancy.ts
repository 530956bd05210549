import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Store } from '../../src/storage/store.ts';
import { Kubectl, KubectlProcess } from '../helpers/kubectl.ts';

export interface TenancyEntry {
  url: string;
  adminToken: string;
  store: Store;
  /** Whatever removes expired clusters on this entry (a sweep on Node; the Durable Object alarm fires by itself). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

const cli = join(import.meta.dirname, '..', '..', 'bin', 'apiserverless.mjs');

export function runCli(entry: TenancyEntry, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args, '--server', entry.url, '--admin-token', entry.adminToken], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`apiserverless ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** A kubeconfig that points at `target`'s server but carries `source`'s token. */
function swapToken(target: string, source: string): string {
  const t = parse(target), s = parse(source);
  t.users[0].user.token = s.users[0].user.token;
  return stringify(t);
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
      const out = await runCli(entry, ['cluster', 'create', '--count', String(students), '--prefix', 'student-', '--ttl', '2h', '--out-dir', dir]);
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
      const out = await runCli(entry, ['cluster', 'create', 'short-lived', '--ttl', '2s']);
      const kubectl = new Kubectl(out);
      await kubectl.ok(['run', 'doomed', '--image=nginx']);
      assert.ok((await entry.store.cluster('short-lived').count('/registry/short-lived/')) > 0);
      await new Promise((r) => setTimeout(r, 2500));
      const denied = await kubectl.run(['get', 'pods']);
      assert.match(denied.stderr, /You must be logged in to the server/);
      await entry.sweep();
      let left = -1;
      for (let i = 0; i < 50 && left !== 0; i++) {
        left = await entry.store.cluster('short-lived').count('/registry/short-lived/');
        if (left) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(left, 0);
      assert.doesNotMatch(await runCli(entry, ['cluster', 'list']), /short-lived/);
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
