import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insecureRequest, startWranglerDev, type WranglerDev } from '../../src/entry/wrangler-dev.ts';
import { hmacKeys } from '../../src/server/keys.ts';
import { kubeconfig } from '../../src/tenancy/kubeconfig.ts';
import { HttpStore } from './httpStore.ts';
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
  dev: WranglerDev;
  persistTo: string;
  store: HttpStore;
  token(cluster?: string, options?: { exp?: number; sub?: string }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  /** Stops wrangler; with keepState the next start sees the same data. */
  close(options?: { keepState?: boolean }): Promise<void>;
  restart(): Promise<void>;
}

export const adminTestToken = 'test-admin-token-0123456789abcdef';

/** The Cloudflare Worker under wrangler dev (workerd + local KV, SQLite DOs, Queues) on a free port. */
export async function startWorker(options: { persistTo?: string; vars?: Record<string, string>; log?: (line: string) => void } = {}): Promise<TestWorker> {
  const persistTo = options.persistTo ?? join(mkdtempSync(join(tmpdir(), 'apiserverless-worker-')), 'state');
  const keys = hmacKeys(testSecret);
  const vars = { JWT_SECRET: testSecret, ADMIN_TOKEN: adminTestToken, STORE_TEST_ROUTES: 'true', RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000', MAX_WATCHES_PER_CLUSTER: '10000', ...options.vars };
  let dev = await startWranglerDev({ port: await freePort(), inspectorPort: await freePort(), persistTo, vars, log: options.log });
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
  const worker: TestWorker = {
    get url() { return dev.url; },
    get dev() { return dev; },
    persistTo,
    get store() { return new HttpStore(dev.url); },
    token,
    async kubeconfig(cluster = 'default', given?: string) {
      const server = cluster === 'default' ? dev.url : `${dev.url}/clusters/${cluster}`;
      return kubeconfig({ server, cluster, user: 'kubernetes-admin', token: given ?? (await token(cluster)), insecure: true });
    },
    async close(o = {}) {
      await dev.stop();
      if (!o.keepState && !options.persistTo) rmSync(join(persistTo, '..'), { recursive: true, force: true });
    },
    async restart() {
      await dev.stop();
      dev = await startWranglerDev({ port: dev.port, inspectorPort: await freePort(), persistTo, vars, log: options.log });
    },
  };
  return worker;
}
