import { versionInfo, splitClusterPath } from '../app.ts';
import { withinDeadline } from '../apimachinery/deadline.ts';
import type { QueueMessage } from '../ports.ts';
import { readBody } from '../server/codec.ts';
import { authenticator, bearerToken } from '../server/authn.ts';
import { clientCertificatesNotAccepted } from '../server/clientCertificates.ts';
import { ApiError, methodNotAllowed } from '../apimachinery/errors.ts';
import { keysFromEnv } from '../server/keys.ts';
import type { ExecutionContext, MessageBatch, ScheduledController } from '../types/cloudflare.ts';
import { systemClock } from '../ports.ts';
import { sweepExpired } from '../tenancy/admin.ts';
import { isExpired } from '../tenancy/clusters.ts';
import { callCluster, clusterHeader, internalHeader } from './call-cluster.ts';
import { ClusterObject } from './cluster-object.ts';
import { dispatchBatch } from './queue-batch.ts';
import type { WorkerEnv } from './worker-env.ts';
import { workerAdmin, workerDirectory, workerProvisioner } from './worker-tenancy.ts';

export { ClusterObject };

/** One authenticator per isolate and key configuration, so its cache of verified tokens lasts across requests. */
let edge: { config: string; authenticate: ReturnType<typeof authenticator> } | undefined;
function edgeAuthenticator(env: WorkerEnv) {
  const config = JSON.stringify([env.JWT_SECRET, env.JWKS_URL, env.JWKS, env.JWT_ISSUER, env.JWT_AUDIENCE]);
  if (edge?.config !== config) edge = { config, authenticate: authenticator(keysFromEnv(env.JWT_SECRET, env as unknown as Record<string, string | undefined>), systemClock) };
  return edge.authenticate;
}

const status = (err: ApiError) => Response.json(err.toStatus(), { status: err.code, headers: err.headers });


/**
 * Forwards an API request, untouched but for our routing headers, to its cluster's object.
 * A body is read here first, within the API's cap: the object may answer before reading it
 * (a 401, a 404), and a body still streaming into it then fails the Worker ("Can't read from
 * request stream after response has been sent"), which restarts mid-request with a 503.
 */
async function forward(env: WorkerEnv, cluster: string, request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.delete(internalHeader);
  headers.set(clusterHeader, cluster);
  const stub = env.CLUSTERS.get(env.CLUSTERS.idFromName(cluster));
  if (request.method === 'GET' || request.method === 'HEAD') return stub.fetch(new Request(request, { headers }));
  const body = await readBody(request);
  // The object charges a request by its body's size: it gets the length read here, whatever the client sent.
  headers.set('content-length', String(body.byteLength));
  headers.delete('transfer-encoding');
  return stub.fetch(new Request(request.url, { method: request.method, headers, body: body.byteLength ? (body as Uint8Array<ArrayBuffer>) : null }));
}

/** Names of live clusters: the directory in Workers KV, plus the local default. */
async function liveClusters(env: WorkerEnv): Promise<string[]> {
  const records = await workerDirectory(env).list();
  return ['default', ...records.filter((r) => !isExpired(r, new Date())).map((r) => r.name)];
}

/**
 * Test-only (STORE_TEST_ROUTES=true): `/__test/<cluster>/<op>` reaches the
 * object's store operations so the conformance suite runs against real workerd.
 */
async function testRoute(env: WorkerEnv, url: URL, request: Request): Promise<Response> {
  const [cluster, ...op] = url.pathname.slice('/__test/'.length).split('/');
  const stub = env.CLUSTERS.get(env.CLUSTERS.idFromName(cluster));
  return stub.fetch(new Request(`https://cluster.internal/__internal/${op.join('/')}${url.search}`, {
    method: request.method, headers: { [clusterHeader]: cluster, [internalHeader]: '1', 'content-type': 'application/json' },
    body: request.method === 'GET' ? undefined : await request.text(),
  }));
}

const healthPaths: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz']);

/** The front door: health and version, the admin API, test routes, and each cluster's API, authenticated here. */
async function route(request: Request, env: WorkerEnv): Promise<Response> {
  const url = new URL(request.url);
  if (healthPaths.has(url.pathname)) return new Response('ok');
  if (url.pathname === '/version' && (request.method === 'GET' || request.method === 'HEAD')) return Response.json(versionInfo());
  if (url.pathname.startsWith('/__test/') && env.STORE_TEST_ROUTES === 'true') return testRoute(env, url, request);
  if (url.pathname === '/clusters' || /^\/clusters\/[^/]+(\/users|\/snapshot|\/history)?$/.test(url.pathname)) return workerAdmin(env).fetch(request);
  const split = splitClusterPath(url.pathname);
  if (!split || split.rest.startsWith('/__internal')) return status(new ApiError(404, 'NotFound', 'the server could not find the requested resource'));
  try {
    const authorization = request.headers.get('authorization');
    if (healthPaths.has(split.rest)) return new Response('ok');
    if ((split.rest === '/version' || split.rest === '/version/') && !bearerToken(authorization)) {
      return request.method === 'GET' || request.method === 'HEAD' ? Response.json(versionInfo()) : status(methodNotAllowed());
    }
    // Authenticated here, before a Durable Object is named: a request without a valid token
    // for this cluster creates no object (and no bill). The object checks that the cluster
    // still exists under the token's uid. A Worker cannot ask the client for a certificate:
    // one that brings none and no token is told so.
    if (!bearerToken(authorization)) throw clientCertificatesNotAccepted();
    await edgeAuthenticator(env)(authorization, split.cluster);
    return await forward(env, split.cluster, request);
  } catch (err) {
    if (err instanceof ApiError) return status(err);
    throw err;
  }
}

/**
 * Go's net/http server reads up to 256 KiB of a body its handler left unread, so that the
 * connection can carry the client's next request. workerd instead closes the connection after
 * the answer, without a `Connection: close`, and a client that sends its next request on it
 * (Node's keep-alive agent; Go's transport when it races the close) sees it reset. So what is
 * left of a refused request's body (a 401 before the body is read) is read here, within Go's
 * bound and kj's one-second grace, before the answer goes.
 */
async function drainUnread(request: Request, limit = 256 * 1024, graceMs = 1000): Promise<void> {
  const body = request.body;
  if (!body || body.locked || request.bodyUsed) return;
  const reader = body.getReader();
  const readUpToLimit = async () => {
    for (let read = 0; read <= limit; ) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  };
  // A read still waiting at the grace's end ends with the cancel (done, or an error: the client is gone).
  await withinDeadline(readUpToLimit().catch(() => {}), graceMs);
  await reader.cancel().catch(() => {});
}

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    const response = await route(request, env);
    await drainUnread(request);
    return response;
  },

  /** Change events and delayed wake-ups: each runs in the object that owns its cluster. */
  async queue(batch: MessageBatch<QueueMessage>, env: WorkerEnv): Promise<void> {
    // Each message has a deadline, so one cluster whose object never answers cannot hold the others' (queue-batch.ts).
    await dispatchBatch(batch.messages, (message) => callCluster(env, message.cluster, 'queue', message));
  },

  /** Periodic resync: repairs whatever a lost queue event left behind. */
  async scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(sweepExpired(workerDirectory(env), workerProvisioner(env), systemClock));
    const clusters = await liveClusters(env);
    ctx.waitUntil(Promise.all(clusters.map((cluster) => callCluster(env, cluster, 'queue', { kind: 'resync', cluster }))));
  },
};
