import { nodeRuntime } from './node-runtime.ts';
import { DocumentThread } from './documentThread.ts';
import { serveBehindFront } from './node.ts';
import { shardOf, type ShardInit } from './shards.ts';

/**
 * One shard of the sharded Node entry (shards.ts forks this file): the Node entry as
 * `npm run start:node` runs it (store, admin API, control plane, sweep and resync timers), for
 * the clusters whose name hashes here, served on a Unix socket behind the front. It exits with
 * the front (the IPC channel closing).
 */
process.once('message', (message: { init?: ShardInit }) => {
  const init = message.init;
  if (!init) return;
  void (async () => {
    const owns = (cluster: string) => shardOf(cluster, init.shards) === init.index;
    const runtime = await nodeRuntime(process.env, { jwtSecret: init.jwtSecret, adminToken: init.adminToken, owns, documents: new DocumentThread() });
    const server = await serveBehindFront(runtime.app.fetch, init.socketPath);
    process.send!({ ready: true, ...(runtime.ownsDefault ? { defaultCluster: runtime.defaultCluster } : {}) });
    process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
  })().catch((err: Error) => {
    console.error(`shard ${init.index} failed to start: ${err.stack ?? err}`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
