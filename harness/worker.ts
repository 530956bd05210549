import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { insecureRequest } from '../src/entry/wrangler-dev.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { HttpStore } from './httpStore.ts';
import { testSecret } from './server.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestWorker {
  url: string;
  persistTo: string;
  store: HttpStore;
  token(cluster?: string, options?: { exp?: number; sub?: string }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  /** The workerd processes serving it now (for a watchdog that outlives this process). */
  runtimePids(): number[];
  /** Stops workerd; with keepState the next start sees the same data. */
  close(options?: { keepState?: boolean }): Promise<void>;
  restart(): Promise<void>;
}

export const adminTestToken = 'test-admin-token-0123456789abcdef';

/** Set by the test launcher to the Worker bundle it built once for the whole run. */
export const workerBundleVariable = 'APISERVERLESS_TEST_WORKER_BUNDLE';

let ownBundle: Promise<string> | undefined;

/**
 * The Worker exactly as `wrangler deploy` uploads it (`npm run build`'s bundle step),
 * built once per run (the launcher passes its path on) or once per process.
 */
export function workerBundle(): Promise<string> {
  const given = process.env[workerBundleVariable];
  if (given && existsSync(given)) return Promise.resolve(given);
  return (ownBundle ??= buildWorkerBundle(mkdtempSync(join(tmpdir(), 'apiserverless-bundle-'))));
}

export function buildWorkerBundle(outdir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(join(root, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
      cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', WRANGLER_LOG: 'warn', WRANGLER_LOG_PATH: join(outdir, 'logs') },
    }, (err, _stdout, stderr) => {
      const script = join(outdir, 'worker.js');
      if (err || !existsSync(script)) reject(new Error(`wrangler deploy --dry-run failed: ${stderr || err?.message}`));
      else resolve(script);
    });
  });
}

/** Every line of workerd's stdout and stderr (the Worker's console and uncaught errors), to `log`. */
function runtimeLines(log?: (line: string) => void) {
  return (stdout: Readable, stderr: Readable) => {
    for (const stream of [stdout, stderr]) {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => { if (line.trim()) log?.(line); });
    }
  };
}

/**
 * The Cloudflare Worker in workerd with real KV, SQLite Durable Objects and Queues,
 * run by Miniflare (the runtime layer of `wrangler dev`) from the bundle `wrangler deploy`
 * makes, over HTTPS on a port of its own. The bindings come from wrangler.toml, as
 * `wrangler dev` reads them. Tests talk to workerd itself: not through wrangler dev's
 * proxy worker, whose pooled connections drop requests now and then (see
 * wranglerDropped.ts), and without its supervisor and file watcher spending CPU beside
 * the tests. `npm start` is still `wrangler dev`, and crash.test.ts and front-door.test.ts
 * run it as a user does.
 */
export async function startWorker(options: { persistTo?: string; vars?: Record<string, string>; log?: (line: string) => void } = {}): Promise<TestWorker> {
  const persistTo = options.persistTo ?? join(mkdtempSync(join(tmpdir(), 'apiserverless-worker-')), 'state');
  const keys = hmacKeys(testSecret);
  const vars = { JWT_SECRET: testSecret, ADMIN_TOKEN: adminTestToken, STORE_TEST_ROUTES: 'true', RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000', MAX_WATCHES_PER_CLUSTER: '10000', ...options.vars };
  const scriptPath = await workerBundle();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'));
  const launch = async (port: number) => {
    const mf = new Miniflare({
      ...(workerOptions as object),
      name: 'apiserverless',
      modules: true,
      scriptPath,
      modulesRoot: dirname(scriptPath),
      cf: false, // the placeholder Request.cf: no fetch from workers.cloudflare.com
      bindings: vars,
      host: '127.0.0.1',
      port,
      https: true,
      defaultPersistRoot: persistTo,
      log: new Log(LogLevel.WARN),
      handleRuntimeStdio: runtimeLines(options.log),
    } as ConstructorParameters<typeof Miniflare>[0]);
    const url = await mf.ready;
    return { mf, port: Number(url.port), url: `https://127.0.0.1:${url.port}` };
  };
  let running = await launch(0);
  const admin = (method: string, path: string) => insecureRequest(method, `${running.url}${path}`, { authorization: `Bearer ${adminTestToken}` });
  // The default cluster is made as `npm start` makes it: through the admin API.
  const ensured = await admin('PUT', '/clusters/default');
  if (ensured.status !== 200) throw new Error(`PUT /clusters/default answered ${ensured.status}: ${ensured.body}`);
  /** The uid of the cluster as it exists now ('no-such-cluster' when it does not). */
  const uidOf = async (cluster: string) => {
    const res = await admin('GET', `/clusters/${cluster}`);
    return res.status === 200 ? (JSON.parse(res.body) as { metadata: { uid: string } }).metadata.uid : 'no-such-cluster';
  };
  const token = async (cluster = 'default', o: { exp?: number; sub?: string } = {}) =>
    keys.sign({ sub: o.sub ?? 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], cluster, clusterUid: await uidOf(cluster), exp: o.exp });
  const worker: TestWorker = {
    get url() { return running.url; },
    persistTo,
    get store() { return new HttpStore(running.url); },
    token,
    async kubeconfig(cluster = 'default', given?: string) {
      const server = cluster === 'default' ? running.url : `${running.url}/clusters/${cluster}`;
      return kubeconfig({ server, cluster, user: 'kubernetes-admin', token: given ?? (await token(cluster)), insecure: true });
    },
    runtimePids() {
      try {
        return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'workerd'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      } catch { return []; } // pgrep exits 1 when it finds none
    },
    async close(o = {}) {
      await running.mf.dispose();
      if (!o.keepState && !options.persistTo) rmSync(join(persistTo, '..'), { recursive: true, force: true });
    },
    async restart() {
      await running.mf.dispose();
      running = await launch(running.port);
    },
  };
  return worker;
}
