import { join } from 'node:path';
import { localState, startedMessage, tokenOf } from './local-state.ts';
import { startMiniflareDev } from './miniflare-dev.ts';
import { insecureRequest } from '../client/https.ts';

/**
 * `npm start`: the Cloudflare Worker in workerd (Miniflare, with wrangler.toml's bindings)
 * with state persisted in .apiserverless/state, over HTTPS, plus a ready kubeconfig.
 */
const state = localState();
const port = Number(process.env.PORT ?? 8787);

const dev = await startMiniflareDev({ port, persistTo: join(state.dir, 'state'), vars: { JWT_SECRET: state.jwtSecret, ADMIN_TOKEN: state.adminToken } });

// The default cluster is made on first start (kept in the local state after) and its admin token issued.
const ensured = await insecureRequest('PUT', `${dev.url}/clusters/default`, { authorization: `Bearer ${state.adminToken}` });
if (ensured.status !== 200) throw new Error(`could not create the default cluster: ${ensured.status} ${ensured.body}`);
const written = state.writeKubeconfig(tokenOf(JSON.parse(ensured.body).kubeconfig), port);
console.log(startedMessage('apiserverless (Cloudflare Worker in workerd)', port, written, `State persists in ${join(state.dir, 'state')}.\n`));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void dev.stop().then(() => process.exit(0));
  });
}
