import { createApp } from '../app.ts';
import { systemClock, type DocumentDecoder, type Ports } from '../ports.ts';
import { InProcessQueue } from '../queue/memory.ts';
import { sqsQueueFromEnv } from '../queue/fromEnv.ts';
import { consumeSqsEvent, type SqsEvent } from '../queue/sqsEvents.ts';
import type { SqsPoller } from '../queue/sqsPoller.ts';
import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import { keysFromEnv } from '../server/keys.ts';
import { storeFromEnv, type Env } from '../storage/fromEnv.ts';
import type { Store } from '../storage/store.ts';
import { ensureDefaultCluster, sweepExpired } from '../tenancy/admin.ts';
import { budgetedStore } from '../tenancy/budgets.ts';
import { ControlPlaneShare } from '../tenancy/controlPlaneShare.ts';
import { backgroundPace } from '../apimachinery/nextTurn.ts';
import { storeDirectory, type ClusterDirectory } from '../tenancy/clusters.ts';
import { storeProvisioner } from '../tenancy/provision.ts';
import { defaultControlPlane, limitsFromEnv } from '../tenancy/quotas.ts';
import { maxSnapshotBytes } from '../tenancy/snapshot.ts';
import { handleMessage, onSharedLoop, type ControlPlaneContext } from '../controlplane/index.ts';
import { podNetwork } from '../server/clusterNetwork.ts';
import { TraceRing } from '../trace/ring.ts';

/** How often every cluster is repaired (the Worker's cron and the Lambda's schedule have their own periods). */
const resyncPeriodMs = 30_000;

/**
 * Everything the Node entries (npm run start:node, AWS Lambda) share: the store
 * chosen by the environment (STORE=memory|dynamodb), the queue feeding the
 * scheduler and kubelets (QUEUE=memory|sqs), the admin API, and the periodic
 * expiry sweep and resync (what the Worker's cron trigger does on Cloudflare).
 *
 * On SQS the consumer is `sqsEvent`, the Lambda handler's SQS path. Lambda's event
 * source mapping calls it there; on any other host (timers on) a poller here plays
 * that part, so the queue's redelivery and dead-letter rules are the real ones.
 */
export async function nodeRuntime(env: Env, options: {
  jwtSecret: string; adminToken?: string; timers?: boolean;
  /**
   * A shard of the sharded entry (shards.ts): the clusters this process serves. Only those are
   * listed by its admin API, swept and resynced (on a shared DynamoDB table the directory holds
   * every shard's), and it makes the default cluster only if that is one of them.
   */
  owns?: (cluster: string) => boolean;
  /**
   * Where large bodies are decoded, off the loop (documentThread.ts): the long-running servers
   * pass one, where many clusters share the loop; Lambda, one request at a time, does not.
   */
  documents?: DocumentDecoder;
  /** Whether the clusters share this process's loop for long, as a server's do (default); Lambda's do not. */
  loopShare?: boolean;
}) {
  const owns = options.owns ?? (() => true);
  const keys = keysFromEnv(options.jwtSecret, env);
  const limits = limitsFromEnv(env);
  // Each cluster's control plane gets a share of the loop the clusters share, and steps through it store
  // operation by store operation (tenancy/controlPlaneShare.ts, storage/paced.ts); requests do not wait on it.
  // Lambda, where a sandbox serves one event at a time, has no loop to share.
  const loop = options.loopShare === false ? undefined : new ControlPlaneShare({ ...(limits.controlPlane ?? defaultControlPlane), pace: backgroundPace });
  // Every write path (API, server-side apply, controllers, kubelets) meets the cluster's storage budget here.
  const budgeted = budgetedStore(await storeFromEnv(env), limits, systemClock, env.STORE === 'dynamodb' ? 30_000 : 5_000);
  // A dropped cluster's account of loop time goes with it: one re-created under its name starts afresh.
  const store: Store = { ...budgeted, dropCluster: async (name) => { await budgeted.dropCluster(name); loop?.forget(name); } };
  const sqs = await sqsQueueFromEnv(env);
  const inProcess = sqs ? undefined : new InProcessQueue({
    clock: systemClock, mode: 'live',
    onError: (err, message) => console.error(`the control plane failed on ${JSON.stringify(message)}: ${(err as Error).stack ?? err}`),
  });
  const queue = sqs ?? inProcess!;
  // Traces of requests and scheduling decisions, in this process's memory only (README: "Tracing a request").
  const ports: Ports = { store, queue, clock: systemClock, keys, traces: new TraceRing(), ...(options.documents ? { documents: options.documents } : {}) };
  const catalog = new Catalog(resources);
  const own: ControlPlaneContext = { ports, catalog, podNetwork };
  const controlPlane = loop ? onSharedLoop(own, loop) : own;
  inProcess?.consume((message) => handleMessage(controlPlane, message));
  const sqsEvent = (event: SqsEvent) => {
    if (!sqs) throw new Error('an SQS event reached a runtime without QUEUE=sqs');
    return consumeSqsEvent(event, {
      handle: (message) => handleMessage(controlPlane, message),
      requeue: (message, delaySeconds, notBefore) => sqs.requeue(message, delaySeconds, notBefore),
      retryAfter: (record, seconds) => sqs.retryAfter(record, seconds),
      now: () => systemClock.now().getTime(),
      onError: (err, record) => console.error(`the control plane failed on ${record.body}: ${(err as Error).stack ?? err}`),
    });
  };
  const everyShards = storeDirectory(store);
  const directory: ClusterDirectory = options.owns ? { ...everyShards, list: async () => (await everyShards.list()).filter((r) => owns(r.name)) } : everyShards;
  const provisioner = storeProvisioner(ports, catalog);
  // The default cluster exists from the first start (and survives restarts on DynamoDB).
  const defaultCluster = owns('default') ? await ensureDefaultCluster(directory, provisioner, systemClock) : undefined;
  const app = createApp(ports, {
    catalog, limits,
    admin: { directory, provisioner, keys, clock: systemClock, adminToken: options.adminToken, publicUrl: env.PUBLIC_URL, maxSnapshotBytes: maxSnapshotBytes(limits.maxBytes) },
  });
  const sweep = () => sweepExpired(directory, provisioner, systemClock);
  /**
   * Sent together, so on SQS they leave ten to a SendMessageBatch. `overSeconds` spreads their
   * delivery over that long: each cluster's repair is a few milliseconds on the loop every cluster
   * shares, and delivered at once a class of 30 idle clusters held it ~190 ms every 30 s (measured).
   */
  const resync = async ({ overSeconds = 0 } = {}) => {
    const clusters = [...new Set([...(owns('default') ? ['default'] : []), ...(await directory.list()).map((r) => r.name)])];
    await Promise.all(clusters.map((cluster, i) => queue.send({ kind: 'resync', cluster }, { delaySeconds: (overSeconds * i) / clusters.length })));
  };
  let poller: SqsPoller | undefined;
  const intervals: Array<ReturnType<typeof setInterval>> = [];
  if (options.timers !== false) {
    if (sqs) {
      const { startSqsPoller } = await import('../queue/sqsPoller.ts');
      poller = startSqsPoller({ client: sqs.client, queueUrl: sqs.queueUrl, handler: sqsEvent, onError: (err) => console.error(`receiving from SQS failed: ${err}`) });
    }
    // Expired clusters go away with all their keys; their tokens already stopped working (JWT exp).
    intervals.push(setInterval(() => void sweep().catch((err) => console.error(`expiry sweep failed: ${err}`)), 10_000).unref());
    // Periodic repair: a lost event or wake-up costs at most this long (and the spread, within it).
    intervals.push(setInterval(() => void resync({ overSeconds: (resyncPeriodMs * 0.9) / 1000 }).catch((err) => console.error(`resync failed: ${err}`)), resyncPeriodMs).unref());
  }
  /** Stops the timers and the poller (tests; a server that exits needs nothing). */
  const close = async () => {
    for (const interval of intervals) clearInterval(interval);
    inProcess?.close();
    await poller?.stop();
  };
  // Unsharded (no `owns`), the default cluster is always made here.
  return { app, ports, catalog, queue, keys, sweep, resync, defaultCluster: defaultCluster!, ownsDefault: defaultCluster !== undefined, sqsEvent, poller, close };
}
