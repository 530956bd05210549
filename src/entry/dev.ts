import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { hmacKeys } from '../server/keys.ts';
import { kubeconfig } from '../tenancy/kubeconfig.ts';
import { insecureGet, startWranglerDev } from './wrangler-dev.ts';

/**
 * `npm start`: the Cloudflare Worker under wrangler dev (workerd) with state
 * persisted in .apiserverless/state, over HTTPS, plus a ready kubeconfig.
 */
const stateDir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
mkdirSync(stateDir, { recursive: true });

function persisted(name: string, make: () => string): string {
  const file = join(stateDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const secret = process.env.APISERVERLESS_JWT_SECRET ?? persisted('jwt-secret', () => randomBytes(32).toString('hex'));
const adminToken = process.env.APISERVERLESS_ADMIN_TOKEN ?? persisted('admin-token', () => randomBytes(24).toString('hex'));
const port = Number(process.env.PORT ?? 8787);

const dev = await startWranglerDev({
  port, persistTo: join(stateDir, 'state'), vars: { JWT_SECRET: secret, ADMIN_TOKEN: adminToken }, detached: false,
  log: (line) => { if (/error/i.test(line)) console.error(line); },
});

const keys = hmacKeys(secret);
const token = await keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], cluster: 'default' });
// The first authenticated request creates the default cluster's nodes and namespaces.
await insecureGet(`${dev.url}/api/v1/namespaces`, { authorization: `Bearer ${token}` });

const kubeconfigPath = join(stateDir, 'kubeconfig');
writeFileSync(kubeconfigPath, kubeconfig({ server: `https://localhost:${port}`, cluster: 'default', user: 'kubernetes-admin', token, insecure: true }), { mode: 0o600 });
writeFileSync(join(stateDir, 'token'), token, { mode: 0o600 });

console.log(`apiserverless (Cloudflare Worker under wrangler dev) is serving the cluster "default" at https://localhost:${port}
State persists in ${join(stateDir, 'state')}.

  export KUBECONFIG=${kubeconfigPath}
  kubectl get nodes

The token is in ${join(stateDir, 'token')}; press Ctrl+C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void dev.stop().then(() => process.exit(0));
  });
}
dev.process.on('exit', (code) => { if (!stopping) { console.error(`wrangler dev exited (${code})`); process.exit(1); } });
