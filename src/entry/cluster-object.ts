import { createApp } from '../app.ts';
import type { Ports, QueueMessage } from '../ports.ts';
import { systemClock } from '../ports.ts';
import { cloudflareQueue } from '../queue/cloudflare.ts';
import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import { keysFromEnv } from '../server/keys.ts';
import { SqliteClusterStore } from '../storage/sqlite.ts';
import type { ClusterStore, Store } from '../storage/store.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { readSnapshot } from '../tenancy/snapshot.ts';
import { clusterRecordKey, isExpired, readClusterRecord, type ClusterRecord } from '../tenancy/clusters.ts';
import { handleMessage } from '../controlplane/index.ts';
import { storeProvisioner, type NamespaceGrant } from '../tenancy/provision.ts';
import { budgetedStore } from '../tenancy/budgets.ts';
import { limitsFromEnv } from '../tenancy/quotas.ts';
import type { DurableObjectState } from '../types/cloudflare.ts';
import type { WorkerEnv } from './worker-env.ts';
import { serveStoreOps } from './store-ops.ts';
import { WorkerSockets } from './worker-websocket.ts';
import { resumeSession } from '../server/exec.ts';
import type { Loopback } from '../server/clientCertificates.ts';
import { Registry } from '../registry/generic.ts';
import type { WorkerWebSocket } from '../types/cloudflare.ts';

import { clusterHeader, internalHeader } from './call-cluster.ts';
import { TraceRing } from '../trace/ring.ts';
import { podNetwork } from '../server/clusterNetwork.ts';

/** A Store that is exactly one cluster: the one this Durable Object owns. */
function singleClusterStore(store: SqliteClusterStore, onDrop: () => Promise<void>): Store {
  const own = (name: string) => {
    if (name !== store.cluster) throw new Error(`this Durable Object holds cluster "${store.cluster}", not "${name}"`);
  };
  return {
    cluster(name): ClusterStore {
      own(name);
      return store;
    },
    async createCluster(name) {
      own(name);
      store.initialize();
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
  private readonly sockets: WorkerSockets;

  constructor(private readonly state: DurableObjectState, private readonly env: WorkerEnv) {
    this.sockets = new WorkerSockets(state);
  }

  private open(cluster: string): { store: SqliteClusterStore; ports: Ports; app: ReturnType<typeof createApp> } {
    if (!this.store || !this.ports || !this.app) {
      const store = new SqliteClusterStore(cluster, this.state.storage.sql, (fn) => this.state.storage.transactionSync(fn));
      const limits = limitsFromEnv(this.env as unknown as Record<string, string | undefined>);
      const ports: Ports = {
        store: budgetedStore(singleClusterStore(store, async () => this.drop()), limits, systemClock),
        queue: cloudflareQueue(this.env.EVENTS),
        clock: systemClock,
        keys: keysFromEnv(this.env.JWT_SECRET, this.env as unknown as Record<string, string | undefined>),
        // This cluster's traces, in the object's memory until it is evicted.
        traces: new TraceRing(),
      };
      this.store = store;
      this.ports = ports;
      this.app = createApp(ports, { catalog: this.catalog, limits });
    }
    return { store: this.store, ports: this.ports, app: this.app };
  }

  private provisioner(cluster: string) {
    return storeProvisioner(this.open(cluster).ports, this.catalog);
  }

  async fetch(request: Request): Promise<Response> {
    const cluster = request.headers.get(clusterHeader);
    if (!cluster) return new Response('missing cluster', { status: 400 });
    const { app } = this.open(cluster);
    const url = new URL(request.url);
    if (request.headers.get(internalHeader) === '1' && url.pathname.startsWith('/__internal/')) {
      return this.internal(cluster, url, request);
    }
    // A cluster that was never created (or was dropped) answers 401 from the pipeline and writes nothing.
    // Exec sessions' WebSockets end here, in the cluster's own object.
    return app.fetch(request, { upgrade: this.sockets.upgrade, loopback: this.loopback(cluster) });
  }

  /** A pod's process reaching its cluster's API server: a request to this object's own app, as the edge would route it. */
  private loopback(cluster: string): Loopback {
    return async (call) => {
      const headers = new Headers(call.headers);
      headers.set(clusterHeader, cluster);
      return this.open(cluster).app.fetch(new Request(call, { headers }), {});
    };
  }

  /** Internal calls answer a client's mistake found here (a snapshot over the budget) as its Status, for the edge to pass on. */
  private async internal(cluster: string, url: URL, request: Request): Promise<Response> {
    try {
      return await this.internalOp(cluster, url, request);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return Response.json(err.toStatus(), { status: err.code, headers: err.headers });
    }
  }

  private async internalOp(cluster: string, url: URL, request: Request): Promise<Response> {
    const op = url.pathname.slice('/__internal/'.length);
    const { store } = this.open(cluster);
    if (op === 'provision') {
      // The object is the authority on whether its cluster exists: a second create of the name is refused here.
      if (await store.get(clusterRecordKey(cluster))) return Response.json({ ok: false, reason: 'AlreadyExists' }, { status: 409 });
      // JSON: the record; JSON lines: the record's line, then a snapshot to create the cluster from.
      const text = await request.text();
      const split = request.headers.get('content-type') === 'application/x-ndjson' ? text.indexOf('\n') : -1;
      const record = JSON.parse(split < 0 ? text : text.slice(0, split)) as ClusterRecord;
      const snapshot = split < 0 ? undefined : await readSnapshot(new TextEncoder().encode(text.slice(split + 1)), Infinity);
      await this.provisioner(cluster).provision(record, snapshot);
      if (record.expiresAt) await this.state.storage.setAlarm(Date.parse(record.expiresAt));
      return Response.json({ ok: true });
    }
    if (op === 'snapshot') {
      const file = await this.provisioner(cluster).snapshot(cluster);
      return file ? new Response(file as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/gzip' } }) : new Response('not found', { status: 404 });
    }
    if (op === 'restore') {
      // Validated at the edge already; read again here, where it is restored, as any input crossing a boundary is.
      const snapshot = await readSnapshot(new Uint8Array(await request.arrayBuffer()), Infinity);
      return Response.json(await this.provisioner(cluster).restore(cluster, snapshot));
    }
    if (op === 'history') {
      const { since, events } = (await request.json()) as { since?: string; events?: boolean };
      return Response.json(await this.provisioner(cluster).history(cluster, { ...(since ? { since: new Date(since) } : {}), events: events === true }));
    }
    if (op === 'record') {
      const record = (await request.json()) as ClusterRecord;
      await this.provisioner(cluster).updateRecord(record);
      if (record.expiresAt) await this.state.storage.setAlarm(Date.parse(record.expiresAt));
      return Response.json({ ok: true });
    }
    if (op === 'grant') {
      await this.provisioner(cluster).grantNamespace(cluster, (await request.json()) as NamespaceGrant);
      return Response.json({ ok: true });
    }
    if (op === 'certificate-authority') return Response.json({ ca: await this.provisioner(cluster).certificateAuthority(cluster) });
    if (op === 'read-record') return Response.json({ record: await readClusterRecord(store) });
    if (op === 'count') return Response.json({ count: (await this.provisioner(cluster).objectCount(cluster)) ?? null });
    if (op === 'queue') {
      const message = (await request.json()) as QueueMessage;
      await this.dispatch(cluster, message);
      return Response.json({ ok: true });
    }
    if (op === 'drop') {
      await this.drop();
      return Response.json({ ok: true });
    }
    if (op.startsWith('store/') && this.env.STORE_TEST_ROUTES === 'true') return serveStoreOps(store, op.slice('store/'.length), url, request, { create: () => store.initialize(), incarnation: () => store.incarnation });
    return new Response('not found', { status: 404 });
  }

  /** Every key, log entry, revision and alarm of the cluster goes; the object is empty again. */
  private async drop(): Promise<void> {
    const cluster = this.store?.cluster;
    // The instance refuses everything from now on: a request that began before the drop writes nothing.
    this.store?.drop();
    await this.state.storage.deleteAlarm();
    await this.state.storage.deleteAll();
    this.store = undefined;
    this.ports = undefined;
    this.app = undefined;
    if (cluster) await this.env.REGISTRY.delete(`cluster/${cluster}`);
  }

  /** The cluster's time is up: it removes itself, whatever the directory says. */
  async alarm(): Promise<void> {
    const sql = this.state.storage.sql;
    const tables = sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'objects'`).toArray();
    if (!tables.length) return;
    const row = sql.exec<{ key: string }>(`SELECT key FROM objects WHERE key LIKE '/registry/%/apiserverless.dev/clusters/%' LIMIT 1`).toArray()[0];
    if (!row) return;
    const cluster = row.key.split('/')[2];
    const record = await readClusterRecord(this.open(cluster).store);
    if (record?.expiresAt && Date.parse(record.expiresAt) > Date.now()) {
      await this.state.storage.setAlarm(Date.parse(record.expiresAt));
      return;
    }
    await this.drop();
  }

  /** Hibernation API: a session's input, its end. The cluster is the one the session's token names. */
  async webSocketMessage(ws: WorkerWebSocket, message: ArrayBuffer | string): Promise<void> {
    await this.sockets.message(ws, message, async (token, socket) => {
      const cluster = (JSON.parse(token) as { cluster?: string }).cluster ?? '';
      const { ports } = this.open(cluster);
      return resumeSession(new Registry(this.catalog, ports, cluster), token, socket, { keys: ports.keys, loopback: this.loopback(cluster) });
    });
  }

  async webSocketClose(ws: WorkerWebSocket): Promise<void> { this.sockets.closed(ws); }

  async webSocketError(ws: WorkerWebSocket): Promise<void> { this.sockets.closed(ws); }

  /** Queue work for this cluster (scheduler, kubelet) runs next to its data. */
  private async dispatch(cluster: string, message: QueueMessage): Promise<void> {
    if (message.cluster !== cluster) return;
    const { ports } = this.open(cluster);
    // A cluster that was deleted or has expired has no work left, whatever is still queued for it.
    const record = await readClusterRecord(this.open(cluster).store);
    if (!record || isExpired(record, ports.clock.now())) return;
    await handleMessage({ ports, catalog: this.catalog, podNetwork }, message);
  }
}
