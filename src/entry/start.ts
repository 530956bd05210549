import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { kubeconfig } from '../tenancy/kubeconfig.ts';
import { selfSignedCertificate, serveHttps } from './node.ts';
import { nodeRuntime } from './node-runtime.ts';

/** `npm run start:node`: the Node entry over HTTPS (STORE=memory|dynamodb) and a kubeconfig that points at it. */
const stateDir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
mkdirSync(stateDir, { recursive: true });

function persisted(name: string, make: () => string): string {
  const file = join(stateDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const port = Number(process.env.PORT ?? 8787);
const { app, keys } = await nodeRuntime(process.env, {
  jwtSecret: process.env.APISERVERLESS_JWT_SECRET ?? persisted('jwt-secret', () => randomBytes(32).toString('hex')),
  adminToken: process.env.APISERVERLESS_ADMIN_TOKEN ?? persisted('admin-token', () => randomBytes(24).toString('hex')),
});
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
