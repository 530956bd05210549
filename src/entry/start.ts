import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp } from '../app.ts';
import { systemClock, discardQueue } from '../ports.ts';
import { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import { resources } from '../registry/resources/index.ts';
import { hmacKeys } from '../server/keys.ts';
import { MemoryStore } from '../storage/memory.ts';
import { bootstrapCluster } from '../tenancy/bootstrap.ts';
import { kubeconfig } from '../tenancy/kubeconfig.ts';
import { selfSignedCertificate, serveHttps } from './node.ts';

/** `npm start`: a local cluster over HTTPS and a kubeconfig that points at it. */
const stateDir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
mkdirSync(stateDir, { recursive: true });

function persistedSecret(): string {
  if (process.env.APISERVERLESS_JWT_SECRET) return process.env.APISERVERLESS_JWT_SECRET;
  const file = join(stateDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const port = Number(process.env.PORT ?? 8787);
const keys = hmacKeys(persistedSecret());
const store = new MemoryStore();
const ports = { store, queue: discardQueue, clock: systemClock, keys };
const catalog = new Catalog(resources);
await bootstrapCluster(new Registry(catalog, ports, 'default'));
const app = createApp(ports, { catalog });
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
