import { systemClock } from '../ports.ts';
import { adminToken } from '../tenancy/admin.ts';
import { localState, startedMessage } from './local-state.ts';
import { selfSignedCertificate, serveHttps } from './node.ts';
import { nodeRuntime } from './node-runtime.ts';

/** `npm run start:node`: the Node entry over HTTPS (STORE=memory|dynamodb) and a kubeconfig that points at it. */
const state = localState();
const port = Number(process.env.PORT ?? 8787);
const { app, keys, defaultCluster } = await nodeRuntime(process.env, { jwtSecret: state.jwtSecret, adminToken: state.adminToken });
const server = await serveHttps(app.fetch, { port, hostname: process.env.HOST ?? '127.0.0.1', tls: await selfSignedCertificate() });
const written = state.writeKubeconfig(await adminToken(keys, defaultCluster, systemClock), server.port);
console.log(startedMessage(`apiserverless (Node entry, ${process.env.STORE || 'memory'} store)`, server.port, written));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)));
