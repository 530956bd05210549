import { Hono, type Context } from 'hono';
import type { Ports } from './ports.ts';
import { authenticate } from './pipeline/authenticate.ts';
import { authorize, clusterAccess } from './pipeline/authorize.ts';
import { boundToken } from './pipeline/boundToken.ts';
import { impersonate } from './pipeline/impersonate.ts';
import { isPolicyChange, PolicyCache } from './registry/policyCache.ts';
import { ClusterCatalogs, isCatalogChange } from './registry/clusterCatalogs.ts';
import { clusterRecord } from './pipeline/clusterRecord.ts';
import type { PipelineEnv } from './pipeline/context.ts';
import { publicEndpoints } from './pipeline/publicEndpoints.ts';
import { rateLimit } from './pipeline/rateLimit.ts';
import { requestInfo } from './pipeline/requestInfo.ts';
import { route } from './pipeline/route.ts';
import { trace } from './pipeline/trace.ts';
import { seats } from './pipeline/seats.ts';
import { serveResource } from './pipeline/serveResource.ts';
import { Catalog } from './registry/catalog.ts';
import { resources } from './registry/resources/index.ts';
import { clusterGone } from './server/authn.ts';
import { ApiError, internalError, tooManyRequests } from './apimachinery/errors.ts';
import { builtinSubresources } from './server/subresources.ts';
import { negotiateOutput, writeObject } from './server/wire.ts';
import { tokenRequestHandler } from './server/serviceAccountTokens.ts';
import { podStreamHandlers } from './server/exec.ts';
import type { SubresourceHandlers } from './server/subresource.ts';
import { adminApp, type AdminOptions } from './tenancy/admin.ts';
import { ClusterBusyError, ClusterGoneError } from './storage/store.ts';
import { defaultLimits, Quotas, type Limits } from './tenancy/quotas.ts';
export { splitClusterPath } from './pipeline/requestInfo.ts';
export { versionInfo, type VersionInfo } from './pipeline/version.ts';

export interface AppOptions {
  catalog?: Catalog;
  /** The root admin API under /clusters (Node entry); the Worker serves it at its edge. */
  admin?: AdminOptions;
  limits?: Limits;
  /** Logs one line per server fault; never receives tokens or bodies. */
  log?: (message: string) => void;
  /** Subresources beyond `status`, by name (default: log, binding, eviction, scale). */
  subresources?: SubresourceHandlers;
}

/**
 * An error Status in what the request negotiated; before the route has negotiated (a 401, an
 * unknown path) in whatever Accept prefers, as kube-apiserver's ErrorNegotiated does. A 406 is
 * JSON, the one thing the client cannot be refusing.
 */
function writeStatus(c: Context<PipelineEnv>, error: ApiError): Response {
  if (error.code === 406) c.set('output', 'json');
  else if (!c.get('output')) c.set('output', negotiateOutput(c.req.header('accept'), true) ?? 'json');
  return writeObject(c, error.toStatus(), error.code);
}

/** A restore is rewriting the cluster (DynamoDB fences writers off meanwhile): kubectl and client-go retry a 429. */
const clusterBusy = (cluster: string) => tooManyRequests(`cluster "${cluster}" is being restored from a snapshot: try again in a moment`, 1);

/**
 * createApp(ports): kube-apiserver's request path, on web standards only. Each step is one
 * Hono middleware in its own module under pipeline/, in the order a request meets them;
 * each hands the next its findings as typed context variables (pipeline/context.ts).
 */
export function createApp(ports: Ports, options: AppOptions = {}) {
  const catalog = options.catalog ?? new Catalog(resources);
  const log = options.log ?? ((m: string) => console.error(m));
  const quotas = new Quotas(options.limits ?? defaultLimits, ports.clock);
  const app = new Hono<PipelineEnv>();
  // Each cluster's RBAC policy, compiled once; the change event of an RBAC write through this
  // app (its commit, as an informer would see it) forgets that cluster's copy at once.
  const policies = new PolicyCache(ports.clock);
  // Each cluster's catalog (its CRDs' kinds beside the built-in ones), forgotten likewise on a CRD write.
  const catalogs = new ClusterCatalogs(catalog, ports.clock);
  const observed: Ports = {
    ...ports,
    queue: {
      send(message, options) {
        if ('type' in message && isPolicyChange(message.group)) policies.invalidate(message.cluster);
        if ('type' in message && isCatalogChange(message.group)) catalogs.invalidate(message.cluster);
        return ports.queue.send(message, options);
      },
    },
  };

  app.onError((err, c) => {
    const apiError = err instanceof ApiError ? err : err instanceof ClusterGoneError ? clusterGone(err.cluster) : err instanceof ClusterBusyError ? clusterBusy(err.cluster) : internalError('an unexpected error occurred');
    // A client that hung up mid-body ("aborted") made no server fault: nothing to log.
    const clientLeft = c.req.raw.signal.aborted;
    if (!(err instanceof ApiError) && !(err instanceof ClusterGoneError) && !(err instanceof ClusterBusyError) && !clientLeft) log(`internal error on ${c.req.method} ${new URL(c.req.url).pathname}: ${(err as Error).stack ?? err}`);
    for (const [k, v] of Object.entries(apiError.headers)) c.header(k, v);
    return writeStatus(c, apiError);
  });
  app.notFound((c) => writeStatus(c, new ApiError(404, 'NotFound', 'the server could not find the requested resource')));

  // The server's own endpoints, outside any cluster.
  for (const path of ['/healthz', '/livez', '/readyz']) app.get(path, (c) => c.text('ok'));
  if (options.admin) {
    const admin = adminApp(options.admin);
    app.all('/clusters', (c) => admin.fetch(c.req.raw));
    app.all('/clusters/:name{[^/]+}', (c) => admin.fetch(c.req.raw));
    for (const sub of ['users', 'snapshot', 'history']) app.all(`/clusters/:name{[^/]+}/${sub}`, (c) => admin.fetch(c.req.raw));
  }

  // A cluster's API. Writes then pass the registry's own steps: mutating admission → the
  // kind's validation → validating admission → store → change event (registry/generic.ts).
  app.use('*',
    requestInfo(),
    trace(ports.traces, ports.clock),
    publicEndpoints(),
    authenticate(ports.keys, ports.clock, ports.store),
    rateLimit(quotas),
    clusterRecord(ports),
    boundToken(catalog, ports),
    clusterAccess(policies, catalog, ports),
    impersonate(),
    authorize(),
    route(catalog, catalogs, observed),
    seats(quotas),
  );
  app.all('*', serveResource(options.subresources ?? { ...builtinSubresources, ...podStreamHandlers(ports.keys), token: tokenRequestHandler(ports.keys, (c) => (c as Context<PipelineEnv>).get('record').uid) }));

  return app;
}
