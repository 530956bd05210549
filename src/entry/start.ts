import { spawn } from 'node:child_process';
import { frontNodeFlags } from './node-flags.ts';

/**
 * `npm run start:node`: the Node entry over HTTPS (STORE=memory|dynamodb) and a kubeconfig that
 * points at it. `SHARDS=N` (or `-- --shards N`) runs it sharded: a front process and N shard
 * processes, each serving the clusters hashed to it (shards.ts); the default is one process.
 */
const flag = process.argv.indexOf('--shards');
const shards = Number(flag >= 0 ? process.argv[flag + 1] : process.env.SHARDS || 1);
const sharded = shards > 1 || flag >= 0;

if (sharded && !frontNodeFlags.every((f) => process.execArgv.includes(f))) {
  // The front's heap flags (node-flags.ts) are read only on the command line: this process starts
  // the front again with them, passes on the signals a terminal or a supervisor sends, and ends
  // as it ends. It loads nothing else.
  const front = spawn(process.execPath, [...process.execArgv, ...frontNodeFlags, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => front.kill(signal));
  front.on('exit', (code) => process.exit(code ?? 1)); // no code: ended by a signal
} else {
  await serve();
}

async function serve(): Promise<void> {
  const { systemClock } = await import('../ports.ts');
  const { keysFromEnv } = await import('../server/keys.ts');
  const { adminToken } = await import('../tenancy/admin.ts');
  const { localState, startedMessage } = await import('./local-state.ts');
  const { selfSignedCertificate, serveHttps } = await import('./node.ts');
  const state = localState();
  const port = Number(process.env.PORT ?? 8787);
  const hostname = process.env.HOST ?? '127.0.0.1';
  const tls = await selfSignedCertificate();
  let server: { port: number; close(): Promise<void> };
  let token: string;
  if (sharded) {
    const { serveSharded } = await import('./shards.ts');
    const front = await serveSharded({ shards, port, hostname, tls, jwtSecret: state.jwtSecret, adminToken: state.adminToken });
    server = front;
    token = await adminToken(keysFromEnv(state.jwtSecret, process.env), front.defaultCluster, systemClock);
  } else {
    const { nodeRuntime } = await import('./node-runtime.ts');
    const { DocumentThread } = await import('./documentThread.ts');
    const { app, keys, defaultCluster } = await nodeRuntime(process.env, { jwtSecret: state.jwtSecret, adminToken: state.adminToken, documents: new DocumentThread() });
    server = await serveHttps(app.fetch, { port, hostname, tls });
    token = await adminToken(keys, defaultCluster, systemClock);
  }
  const written = state.writeKubeconfig(token, server.port);
  const what = `${process.env.STORE || 'memory'} store${shards > 1 ? `, ${shards} shards` : ''}`;
  console.log(startedMessage(`apiserverless (Node entry, ${what})`, server.port, written));

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Ctrl+C reaches this process twice (from the terminal and from the process that started it): one close.
      if (stopping) return;
      stopping = true;
      void server.close().then(() => process.exit(0));
    });
  }
}
