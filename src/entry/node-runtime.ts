import { createApp } from '../app.ts';
import { systemClock, type Ports } from '../ports.ts';
import { InProcessQueue } from '../queue/memory.ts';
import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import { keysFromEnv } from '../server/keys.ts';
import { storeFromEnv, type Env } from '../storage/fromEnv.ts';
import { ensureDefaultCluster, sweepExpired } from '../tenancy/admin.ts';
import { budgetedStore } from '../tenancy/budgets.ts';
import { storeDirectory } from '../tenancy/clusters.ts';
import { storeProvisioner } from '../tenancy/provision.ts';
import { limitsFromEnv } from '../tenancy/quotas.ts';
import { handleMessage } from '../controlplane/index.ts';

/**
 * Everything the Node entries (npm run start:node, AWS Lambda) share: the store
 * chosen by the environment (STORE=memory|dynamodb), an in-process queue feeding
 * the scheduler and kubelets, the admin API, and the periodic expiry sweep and
 * resync (what the Worker's cron trigger does on Cloudflare).
 */
export async function nodeRuntime(env: Env, options: { jwtSecret: string; adminToken?: string; timers?: boolean }) {
  const keys = keysFromEnv(options.jwtSecret, env);
  const limits = limitsFromEnv(env);
  // Every write path (API, server-side apply, controllers, kubelets) meets the cluster's storage budget here.
  const store = budgetedStore(await storeFromEnv(env), limits, systemClock, env.STORE === 'dynamodb' ? 30_000 : 5_000);
  const queue = new InProcessQueue({
    clock: systemClock, mode: 'live',
    onError: (err, message) => console.error(`the control plane failed on ${JSON.stringify(message)}: ${(err as Error).stack ?? err}`),
  });
  const ports: Ports = { store, queue, clock: systemClock, keys };
  const catalog = new Catalog(resources);
  queue.consume((message) => handleMessage({ ports, catalog }, message));
  const directory = storeDirectory(store);
  const provisioner = storeProvisioner(ports, catalog);
  // The default cluster exists from the first start (and survives restarts on DynamoDB).
  const defaultCluster = await ensureDefaultCluster(directory, provisioner, systemClock);
  const app = createApp(ports, {
    catalog, limits,
    admin: { directory, provisioner, keys, clock: systemClock, adminToken: options.adminToken, publicUrl: env.PUBLIC_URL },
  });
  const sweep = () => sweepExpired(directory, provisioner, systemClock);
  const resync = async () => {
    for (const cluster of new Set(['default', ...(await directory.list()).map((r) => r.name)])) await queue.send({ kind: 'resync', cluster });
  };
  if (options.timers !== false) {
    // Expired clusters go away with all their keys; their tokens already stopped working (JWT exp).
    setInterval(() => void sweep().catch((err) => console.error(`expiry sweep failed: ${err}`)), 10_000).unref();
    // Periodic repair: a lost event or wake-up costs at most this long.
    setInterval(() => void resync().catch((err) => console.error(`resync failed: ${err}`)), 30_000).unref();
  }
  return { app, ports, catalog, queue, keys, sweep, resync, defaultCluster };
}
