import { Hono, type Context } from 'hono';
import type { Ports, TokenClaims } from './ports.ts';
import { Catalog } from './registry/catalog.ts';
import { Registry } from './registry/generic.ts';
import { resources } from './registry/resources/index.ts';
import {
  aggregatedDiscovery, aggregatedMediaType, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated,
} from './server/discovery.ts';
import { authenticator, bearerToken, clusterGone } from './server/authn.ts';
import { ApiError, internalError, methodNotAllowed, notFound } from './server/errors.ts';
import { maxBodyBytes } from './server/codec.ts';
import { handleResource } from './server/handlers.ts';
import './server/logs.ts'; import './server/eviction.ts';
import { openApiResponse } from './server/openapi.ts';
import { parseRequestInfo } from './server/requestInfo.ts';
import './server/scale.ts';
import { adminApp, type AdminOptions } from './tenancy/admin.ts';
import { ClusterGoneError, type ClusterStore } from './storage/store.ts';
import { isExpired, readClusterRecord, type ClusterRecord } from './tenancy/clusters.ts';
import { defaultLimits, Quotas, requestCost, type Limits } from './tenancy/quotas.ts';
import { kubernetesVersion } from './version.ts';

export interface VersionInfo {
  major: string; minor: string; gitVersion: string; gitCommit: string; gitTreeState: string;
  buildDate: string; goVersion: string; compiler: string; platform: string;
}

export { kubernetesVersion };

export function versionInfo(gitVersion = kubernetesVersion): VersionInfo {
  const [major, minor] = gitVersion.replace(/^v/, '').split('.');
  return {
    major, minor, gitVersion, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean',
    buildDate: '2025-12-17T00:00:00Z', goVersion: 'go1.25.5', compiler: 'gc', platform: 'linux/amd64',
  };
}

export interface AppOptions {
  catalog?: Catalog;
  /** The root admin API under /clusters (Node entry); the Worker serves it at its edge. */
  admin?: AdminOptions;
  limits?: Limits;
  /** Logs one line per server fault; never receives tokens or bodies. */
  log?: (message: string) => void;
}

/** Version, discovery and OpenAPI documents are read-only: another method is a 405, as go-restful answers. */
function readOnly(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
}

const clusterNameRe = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `/clusters/<name>/rest` → cluster and rest; a bare path is the cluster `default`. */
export function splitClusterPath(path: string): { cluster: string; rest: string } | null {
  if (!path.startsWith('/clusters/')) return { cluster: 'default', rest: path };
  const after = path.slice('/clusters/'.length);
  const slash = after.indexOf('/');
  const cluster = slash < 0 ? after : after.slice(0, slash);
  if (!clusterNameRe.test(cluster)) return null;
  return { cluster, rest: slash < 0 ? '/' : after.slice(slash) };
}

/** Calls release once the response body has been sent or abandoned. */
function releasing(response: Response, release: () => void): Response {
  if (!response.body) { release(); return response; }
  const reader = response.body.getReader();
  // A client that leaves cancels the stream: from then on its controller is not touched. On workerd
  // a read that settles after the cancel runs in the request whose write woke it, and touching the
  // ended request's stream there throws "Network connection lost", logged as an uncaught error.
  let abandoned = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (abandoned) return;
        if (done) { release(); controller.close(); } else controller.enqueue(value);
      } catch (err) {
        release();
        if (!abandoned) controller.error(err);
      }
    },
    cancel(reason) { abandoned = true; release(); return reader.cancel(reason); },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/** createApp(ports): the request pipeline of kube-apiserver, on web standards only. */
export function createApp(ports: Ports, options: AppOptions = {}) {
  const catalog = options.catalog ?? new Catalog(resources);
  const log = options.log ?? ((m: string) => console.error(m));
  const quotas = new Quotas(options.limits ?? defaultLimits, ports.clock);
  const app = new Hono();

  const authenticate = authenticator(ports.keys, ports.clock);

  /**
   * The cluster's own record: it says whether the cluster exists, until when, and under
   * which uid. A token for an earlier cluster of the same name (another uid) is refused,
   * so no token outlives its cluster.
   */
  const records = new WeakMap<ClusterStore, { record: ClusterRecord | null; readAt: number }>();
  async function liveRecord(store: ClusterStore, claims: TokenClaims): Promise<ClusterRecord> {
    // Remembered for a second per store instance: memory and the Durable Object replace the
    // instance when the cluster is dropped (so nothing stale survives a delete there); on
    // DynamoDB another process may serve reads of a deleted cluster for up to that second,
    // while its writes are already refused by the incarnation check.
    // Only a record is remembered, never its absence: the instance may be the one the cluster is created in next.
    const now = ports.clock.now().getTime();
    let cached = records.get(store);
    if (!cached || now - cached.readAt >= 1000) {
      cached = { record: await readClusterRecord(store), readAt: now };
      if (cached.record) records.set(store, cached);
    }
    const record = cached.record;
    if (!record || isExpired(record, ports.clock.now()) || (claims.clusterUid !== undefined && claims.clusterUid !== record.uid)) {
      throw clusterGone(store.cluster);
    }
    return record;
  }

  app.onError((err, c) => {
    const apiError = err instanceof ApiError ? err : err instanceof ClusterGoneError ? clusterGone(err.cluster) : internalError('an unexpected error occurred');
    if (!(err instanceof ApiError) && !(err instanceof ClusterGoneError)) log(`internal error on ${c.req.method} ${new URL(c.req.url).pathname}: ${(err as Error).stack ?? err}`);
    for (const [k, v] of Object.entries(apiError.headers)) c.header(k, v);
    return c.json(apiError.toStatus(), apiError.code as 400);
  });
  app.notFound((c) => c.json(new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus(), 404));

  for (const path of ['/healthz', '/livez', '/readyz']) app.get(path, (c) => c.text('ok'));
  if (options.admin) {
    const admin = adminApp(options.admin);
    app.all('/clusters', (c) => admin.fetch(c.req.raw));
    app.all('/clusters/:name{[^/]+}', (c) => admin.fetch(c.req.raw));
  }

  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const split = splitClusterPath(url.pathname);
    if (!split) throw notFound({ group: '', resource: 'clusters' }, url.pathname.split('/')[2] ?? '');
    const { cluster, rest } = split;
    if (rest === '/healthz' || rest === '/livez' || rest === '/readyz') return c.text('ok');
    const authorization = c.req.header('authorization');
    if ((rest === '/version' || rest === '/version/') && !bearerToken(authorization)) {
      // Public, as system:public-info-viewer makes it; without a token no cluster is looked up.
      readOnly(c.req.method);
      return c.json(versionInfo());
    }

    // Authenticate before anything else: a request without a valid token for this cluster touches no state.
    const claims = await authenticate(authorization, cluster);
    // Quotas are per incarnation of the cluster (the token's uid): a re-created cluster starts fresh.
    // The rate is checked before anything is read, so a flood is refused at its cheapest.
    const incarnation = claims.clusterUid ?? `name:${cluster}`;
    // A body of unknown length (chunked) is charged as the largest body the API accepts.
    const length = c.req.header('content-length');
    const bodyBytes = length !== undefined ? Number(length) || 0 : c.req.raw.body ? maxBodyBytes : 0;
    const cost = requestCost(url.search.length, bodyBytes);
    quotas.admitRequest(cluster, incarnation, cost);
    const store = ports.store.cluster(cluster);
    const record = await liveRecord(store, claims);
    if (rest === '/version' || rest === '/version/') {
      readOnly(c.req.method);
      return c.json(versionInfo(record.kubernetesVersion));
    }

    // OpenAPI documents; the prefix (`/clusters/<name>`) goes into the index's URLs
    if (rest.startsWith('/openapi/')) {
      readOnly(c.req.method);
      return openApiResponse(c.req.raw, catalog, rest, url.pathname.slice(0, url.pathname.length - rest.length));
    }
    const info = parseRequestInfo(c.req.method, rest, url.searchParams);
    if (info.kind === 'discovery') {
      readOnly(c.req.method);
      return discovery(c, info.path, url);
    }
    if (info.kind === 'other') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const def = catalog.find(info.group, info.version, info.resource);
    if (!def) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const registry = new Registry(catalog, ports, cluster, { username: claims.sub, groups: claims.groups });
    // Watches and followed logs hold a connection open: they share the cluster's stream budget.
    const streaming = info.verb === 'watch' || (info.subresource === 'log' && url.searchParams.get('follow') === 'true');
    if (!streaming) {
      // Cheap requests (a get, a small write) just run. Expensive ones (lists, large queries or
      // bodies) take one of the cluster's seats while they are worked on, so no cluster's burst
      // of them can queue ahead of another cluster's request.
      if (info.verb !== 'list' && cost === 1) return handleResource(c, registry, def, info);
      const release = await quotas.seat(cluster, incarnation);
      try {
        return await handleResource(c, registry, def, info);
      } finally {
        release();
      }
    }
    const release = quotas.admitStream(cluster, incarnation);
    try {
      return releasing(await handleResource(c, registry, def, info), release);
    } catch (err) {
      release();
      throw err;
    }
  });

  function discovery(c: Context, path: string[], url: URL) {
    const accept = c.req.header('accept') ?? null;
    const aggregated = wantsAggregated(accept);
    const send = (body: unknown) => {
      if (aggregated && (path.length === 1)) {
        c.header('Content-Type', aggregatedMediaType);
        c.header('Vary', 'Accept');
        return c.body(JSON.stringify(body));
      }
      return c.json(body as object);
    };
    if (path.length === 1 && path[0] === 'api') {
      return send(aggregated ? aggregatedDiscovery(catalog, true) : apiVersions(`${url.hostname}:${url.port || 443}`));
    }
    if (path.length === 1 && path[0] === 'apis') return send(aggregated ? aggregatedDiscovery(catalog, false) : apiGroupList(catalog));
    if (path[0] === 'api' && path.length === 2) {
      const gv = catalog.groupVersions.find((g) => g.group === '' && g.version === path[1]);
      if (!gv) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return c.json(apiResourceList('', gv.version, gv.resources));
    }
    if (path[0] === 'apis' && path.length === 2) {
      const versions = catalog.groupVersions.filter((g) => g.group === path[1]).map((g) => g.version);
      if (!versions.length) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return c.json(apiGroup(path[1], versions));
    }
    if (path[0] === 'apis' && path.length === 3) {
      const gv = catalog.groupVersions.find((g) => g.group === path[1] && g.version === path[2]);
      if (!gv) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return c.json(apiResourceList(gv.group, gv.version, gv.resources));
    }
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  return app;
}
