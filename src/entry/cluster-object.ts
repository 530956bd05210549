import { createApp } from '../app.ts';
import type { Ports, QueueMessage } from '../ports.ts';
import { systemClock } from '../ports.ts';
import { cloudflareQueue } from '../queue/cloudflare.ts';
import { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import { resources } from '../registry/resources/index.ts';
import { hmacKeys } from '../server/keys.ts';
import { SqliteClusterStore } from '../storage/sqlite.ts';
import type { ClusterStore, Store } from '../storage/store.ts';
import { bootstrapCluster } from '../tenancy/bootstrap.ts';
import type { DurableObjectState } from '../types/cloudflare.ts';
import type { WorkerEnv } from './worker-env.ts';
import { serveStoreOps } from './store-ops.ts';

export const clusterHeader = 'x-apiserverless-cluster';
export const internalHeader = 'x-apiserverless-internal';

/** A Store that is exactly one cluster: the one this Durable Object owns. */
function singleClusterStore(store: ClusterStore, onDrop: () => Promise<void>): Store {
  return {
    cluster(name) {
      if (name !== store.cluster) throw new Error(`this Durable Object holds cluster "${store.cluster}", not "${name}"`);
      return store;
    },
    dropCluster: async () => onDrop(),
  };
}

/**
 * One cluster = one Durable Object (SQLite-backed): it serializes writes, owns
 * the revision counter and the change log, serves consistent reads and fans
 * out watches as streamed HTTP. It runs the same createApp pipeline as Node.
 */
export class ClusterObject {
  private store: SqliteClusterStore | undefined;
  private ports: Ports | undefined;
  private app: ReturnType<typeof createApp> | undefined;
  private readonly catalog = new Catalog(resources);

  constructor(private readonly state: DurableObjectState, private readonly env: WorkerEnv) {}

  private open(cluster: string): { store: SqliteClusterStore; ports: Ports; app: ReturnType<typeof createApp> } {
    if (!this.store || !this.ports || !this.app) {
      const store = new SqliteClusterStore(cluster, this.state.storage.sql, (fn) => this.state.storage.transactionSync(fn));
      const ports: Ports = {
        store: singleClusterStore(store, async () => store.drop()),
        queue: cloudflareQueue(this.env.EVENTS),
        clock: systemClock,
        keys: hmacKeys(this.env.JWT_SECRET),
      };
      this.store = store;
      this.ports = ports;
      this.app = createApp(ports, { catalog: this.catalog });
    }
    return { store: this.store, ports: this.ports, app: this.app };
  }

  private registry(cluster: string): Registry {
    return new Registry(this.catalog, this.open(cluster).ports, cluster);
  }

  async fetch(request: Request): Promise<Response> {
    const cluster = request.headers.get(clusterHeader);
    if (!cluster) return new Response('missing cluster', { status: 400 });
    const { store, app } = this.open(cluster);
    const url = new URL(request.url);
    if (request.headers.get(internalHeader) === '1' && url.pathname.startsWith('/__internal/')) {
      return this.internal(cluster, url, request);
    }
    // The default cluster needs no admin to create it: it exists from its first request.
    if (cluster === 'default' && (await store.currentRevision()) === 0) await bootstrapCluster(this.registry(cluster));
    return app.fetch(request);
  }

  private async internal(cluster: string, url: URL, request: Request): Promise<Response> {
    const op = url.pathname.slice('/__internal/'.length);
    const { store } = this.open(cluster);
    if (op === 'bootstrap') {
      await bootstrapCluster(this.registry(cluster), await request.json());
      return Response.json({ ok: true, revision: await store.currentRevision() });
    }
    if (op === 'queue') {
      const message = (await request.json()) as QueueMessage;
      await this.dispatch(cluster, message);
      return Response.json({ ok: true });
    }
    if (op === 'drop') {
      store.drop();
      await this.state.storage.deleteAll();
      this.store = undefined;
      this.ports = undefined;
      this.app = undefined;
      return Response.json({ ok: true });
    }
    if (op.startsWith('store/') && this.env.STORE_TEST_ROUTES === 'true') return serveStoreOps(store, op.slice('store/'.length), url, request);
    return new Response('not found', { status: 404 });
  }

  /** Queue work for this cluster (scheduler, kubelet) runs next to its data. */
  private async dispatch(cluster: string, message: QueueMessage): Promise<void> {
    void cluster;
    void message;
  }
}
