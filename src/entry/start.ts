import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { createApp } from '../app.ts';
import { systemClock, type Ports } from '../ports.ts';
import { InProcessQueue } from '../queue/memory.ts';
import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import { hmacKeys } from '../server/keys.ts';
import { MemoryStore } from '../storage/memory.ts';
import { sweepExpired } from '../tenancy/admin.ts';
import { storeDirectory } from '../tenancy/clusters.ts';
import { provisionInStore, storeProvisioner } from '../tenancy/provision.ts';
import { limitsFromEnv } from '../tenancy/quotas.ts';
import { kubernetesVersion } from '../version.ts';
import { kubeconfig } from '../tenancy/kubeconfig.ts';
import { handleMessage } from '../workers/index.ts';
import { selfSignedCertificate, serveHttps } from './node.ts';

/** `npm start`: a local cluster over HTTPS and a kubeconfig that points at it. */
const stateDir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
mkdirSync(stateDir, { recursive: true });

function persisted(name: string, make: () => string): string {
  const file = join(stateDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const port = Number(process.env.PORT ?? 8787);
const keys = hmacKeys(process.env.APISERVERLESS_JWT_SECRET ?? persisted('jwt-secret', () => randomBytes(32).toString('hex')));
const store = new MemoryStore();
// Committed writes become queue messages; the scheduler and kubelets consume them in this process.
const queue = new InProcessQueue({ clock: systemClock, mode: 'live', onError: (err, message) => console.error(`worker failed on ${JSON.stringify(message)}: ${(err as Error).stack ?? err}`) });
const ports: Ports = { store, queue, clock: systemClock, keys };
const catalog = new Catalog(resources);
queue.consume((message) => handleMessage({ ports, catalog }, message));
if (!(await store.cluster('default').currentRevision())) {
  await provisionInStore(ports, catalog, { name: 'default', uid: randomUUID(), createdAt: new Date().toISOString(), expiresAt: null, nodes: ['controlplane', 'node01'], kubernetesVersion });
}
const adminToken = process.env.APISERVERLESS_ADMIN_TOKEN ?? persisted('admin-token', () => randomBytes(24).toString('hex'));
const directory = storeDirectory(store);
const provisioner = storeProvisioner(ports, catalog);
const app = createApp(ports, { catalog, limits: limitsFromEnv(process.env), admin: { directory, provisioner, keys, clock: systemClock, adminToken } });
// Expired clusters go away with all their keys; their tokens already stopped working (JWT exp).
setInterval(() => void sweepExpired(directory, provisioner, systemClock).catch((err) => console.error(`expiry sweep failed: ${err}`)), 10_000).unref();
// Periodic repair (the Worker's cron): a lost event or wake-up costs at most this long.
setInterval(() => void directory.list().then(async (records) => {
  for (const cluster of new Set(['default', ...records.map((r) => r.name)])) await queue.send({ kind: 'resync', cluster });
}).catch((err) => console.error(`resync failed: ${err}`)), 30_000).unref();
const server = await serveHttps(app.fetch, { port, hostname: process.env.HOST ?? '127.0.0.1', tls: await selfSignedCertificate() });

const token = await keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], cluster: 'default' });
const kubeconfigPath = join(stateDir, 'kubeconfig');
writeFileSync(kubeconfigPath, kubeconfig({ server: `https://localhost:${server.port}`, cluster: 'default', user: 'kubernetes-admin', token, insecure: true }), { mode: 0o600 });
writeFileSync(join(stateDir, 'token'), token, { mode: 0o600 });

console.log(`apiserverless is serving the cluster "default" at https://localhost:${server.port}

  export KUBECONFIG=${kubeconfigPath}
  kubectl get nodes

The token is in ${join(stateDir, 'token')}; press Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)));
