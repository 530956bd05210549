import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insecureRequest } from '../src/client/https.ts';
import { bundleWorker, startMiniflareDev, type MiniflareDev } from '../src/entry/miniflare-dev.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { HttpStore } from './httpStore.ts';
import { killWithParent } from './reaper.ts';
import { testSecret } from './server.ts';

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
  /** Stops workerd; with keepState the next start sees the same data. */
  close(options?: { keepState?: boolean }): Promise<void>;
  restart(): Promise<void>;
}

export const adminTestToken = 'test-admin-token-0123456789abcdef';

/** Set by the test launcher to the Worker bundle it made once for the whole run. */
export const workerBundleVariable = 'APISERVERLESS_TEST_WORKER_BUNDLE';

let ownBundle: Promise<string> | undefined;

/** The Worker as `wrangler deploy` bundles it: the launcher's, or one made once by this process. */
function workerBundle(): Promise<string> {
  const given = process.env[workerBundleVariable];
  if (given && existsSync(given)) return Promise.resolve(given);
  return (ownBundle ??= bundleWorker(mkdtempSync(join(tmpdir(), 'apiserverless-bundle-'))));
}

/** This process's workerd children (Miniflare starts workerd as a child of the process that runs it). */
function workerdChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', 'workerd'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch { return []; } // pgrep exits 1 when it finds none
}

/**
 * The Cloudflare Worker in workerd with real KV, SQLite Durable Objects and Queues, as
 * `npm start` serves it (Miniflare with wrangler.toml's bindings, the bundle `wrangler
 * deploy` makes), over HTTPS on a free port, with the test settings.
 */
export async function startWorker(options: { persistTo?: string; vars?: Record<string, string>; log?: (line: string) => void } = {}): Promise<TestWorker> {
  const persistTo = options.persistTo ?? join(mkdtempSync(join(tmpdir(), 'apiserverless-worker-')), 'state');
  const keys = hmacKeys(testSecret);
  const vars = { JWT_SECRET: testSecret, ADMIN_TOKEN: adminTestToken, STORE_TEST_ROUTES: 'true', RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000', MAX_WATCHES_PER_CLUSTER: '10000', ...options.vars };
  const scriptPath = await workerBundle();
  // Each workerd this launch starts gets a watchdog that kills it if this process dies without
  // stopping it (Miniflare's own exit hook does not run on SIGKILL); a stop kills the watchdogs,
  // so none outlives its workerd to kill a reused pid.
  let watchdogs: ChildProcess[] = [];
  const launch = async (port: number) => {
    const before = new Set(workerdChildren());
    const started = await startMiniflareDev({ port, persistTo, vars, scriptPath, log: options.log ?? (() => {}) });
    watchdogs = workerdChildren().filter((pid) => !before.has(pid)).map((pid) => killWithParent(pid));
    return started;
  };
  const stop = async () => {
    await dev.stop();
    for (const watchdog of watchdogs) watchdog.kill('SIGKILL');
  };
  let dev: MiniflareDev = await launch(0);
  const admin = (method: string, path: string) => insecureRequest(method, `${dev.url}${path}`, { authorization: `Bearer ${adminTestToken}` });
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
  return {
    get url() { return dev.url; },
    persistTo,
    get store() { return new HttpStore(dev.url); },
    token,
    async kubeconfig(cluster = 'default', given?: string) {
      const server = cluster === 'default' ? dev.url : `${dev.url}/clusters/${cluster}`;
      return kubeconfig({ server, cluster, user: 'kubernetes-admin', token: given ?? (await token(cluster)), insecure: true });
    },
    async close(o = {}) {
      await stop();
      if (!o.keepState && !options.persistTo) rmSync(join(persistTo, '..'), { recursive: true, force: true });
    },
    async restart() {
      await stop();
      dev = await launch(dev.port);
    },
  };
}
