import { join } from 'node:path';
import { hmacKeys } from '../server/keys.ts';
import { localState, startedMessage } from './local-state.ts';
import { insecureGet, startWranglerDev } from './wrangler-dev.ts';

/**
 * `npm start`: the Cloudflare Worker under wrangler dev (workerd) with state
 * persisted in .apiserverless/state, over HTTPS, plus a ready kubeconfig.
 */
const state = localState();
const port = Number(process.env.PORT ?? 8787);

const dev = await startWranglerDev({
  port, persistTo: join(state.dir, 'state'), vars: { JWT_SECRET: state.jwtSecret, ADMIN_TOKEN: state.adminToken }, detached: false,
  log: (line) => { if (/error/i.test(line)) console.error(line); },
});

const written = await state.writeKubeconfig(hmacKeys(state.jwtSecret), port);
// The first authenticated request creates the default cluster's nodes and namespaces.
await insecureGet(`${dev.url}/api/v1/namespaces`, { authorization: `Bearer ${written.token}` });
console.log(startedMessage('apiserverless (Cloudflare Worker under wrangler dev)', port, written, `State persists in ${join(state.dir, 'state')}.\n`));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void dev.stop().then(() => process.exit(0));
  });
}
dev.process.on('exit', (code) => { if (!stopping) { console.error(`wrangler dev exited (${code})`); process.exit(1); } });
