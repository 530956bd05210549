import { systemClock } from '../ports.ts';
import { keysFromEnv } from '../server/keys.ts';
import { adminToken } from '../tenancy/admin.ts';
import { localState, startedMessage } from './local-state.ts';
import { selfSignedCertificate, serveHttps } from './node.ts';
import { nodeRuntime } from './node-runtime.ts';
import { DocumentThread } from './documentThread.ts';

/**
 * `npm run start:node`: the Node entry over HTTPS (STORE=memory|dynamodb) and a kubeconfig that
 * points at it. `SHARDS=N` (or `-- --shards N`) runs it sharded: a front process and N shard
 * processes, each serving the clusters hashed to it (shards.ts); the default is one process.
 */
const state = localState();
const port = Number(process.env.PORT ?? 8787);
const flag = process.argv.indexOf('--shards');
const shards = Number(flag >= 0 ? process.argv[flag + 1] : process.env.SHARDS || 1);
const hostname = process.env.HOST ?? '127.0.0.1';
const tls = await selfSignedCertificate();
let server: { port: number; close(): Promise<void> };
let token: string;
if (shards > 1 || flag >= 0) {
  const { serveSharded } = await import('./shards.ts');
  const sharded = await serveSharded({ shards, port, hostname, tls, jwtSecret: state.jwtSecret, adminToken: state.adminToken });
  server = sharded;
  token = await adminToken(keysFromEnv(state.jwtSecret, process.env), sharded.defaultCluster, systemClock);
} else {
  const { app, keys, defaultCluster } = await nodeRuntime(process.env, { jwtSecret: state.jwtSecret, adminToken: state.adminToken, documents: new DocumentThread() });
  server = await serveHttps(app.fetch, { port, hostname, tls });
  token = await adminToken(keys, defaultCluster, systemClock);
}
const written = state.writeKubeconfig(token, server.port);
const what = `${process.env.STORE || 'memory'} store${shards > 1 ? `, ${shards} shards` : ''}`;
console.log(startedMessage(`apiserverless (Node entry, ${what})`, server.port, written));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void server.close().then(() => process.exit(0)));
