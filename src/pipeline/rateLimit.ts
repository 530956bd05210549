import { createMiddleware } from 'hono/factory';
import { maxBodyBytes, maxUnreadBodyBytes } from '../server/codec.ts';
import { requestCost, type Quotas } from '../tenancy/quotas.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Runs a quota check; a refusal is held a moment before it is sent. A client looping on 429s
 * would otherwise get thousands a second, each parsed and answered on the loop every cluster
 * shares; held, a connection brings a few a second, and kubectl waits out Retry-After anyway.
 * `closing`: the refusal leaves a large body unread, so its connection is closed after it and
 * the client's next request costs a new TLS handshake on that loop (~2 ms, measured with 3 MiB
 * writes refused ~40 times a second): held 4× as long (1 s by default, the Retry-After a
 * well-behaved client waits anyway), each connection brings a quarter of the handshakes.
 */
export async function heldIfRefused<T>(quotas: Quotas, check: () => T | Promise<T>, closing = false): Promise<T> {
  try {
    return await check();
  } catch (err) {
    await new Promise((resolve) => setTimeout(resolve, quotas.rejectionDelayMs * (closing ? 4 : 1)));
    throw err;
  }
}

/**
 * The body a request says it carries, before any of it is read: its Content-Length, or for a body
 * of unknown length (chunked) the largest body the API accepts. A GET or HEAD with neither header
 * has none, and is known so from its headers: asking the request for its body stream would, on
 * Node (@hono/node-server), build a whole fetch Request (an AbortSignal, a finalizer) for each of
 * them, the most common requests there are.
 */
export function declaredBodyBytes(request: Request): number {
  const length = request.headers.get('content-length');
  if (length !== null) return Number(length) || 0;
  if ((request.method === 'GET' || request.method === 'HEAD') && !request.headers.has('transfer-encoding')) return 0;
  return request.body ? maxBodyBytes : 0;
}

/**
 * Step 5, the cluster's request rate: the request pays its cost from the cluster's token
 * bucket (429 when it is empty). It is checked before anything is read, so a flood is
 * refused at its cheapest.
 */
export const rateLimit = (quotas: Quotas) => createMiddleware<PipelineEnv>(async (c, next) => {
  const cluster = c.get('cluster');
  // Quotas are per incarnation of the cluster (the token's uid): a re-created cluster starts fresh.
  const incarnation = c.get('claims').clusterUid ?? `name:${cluster}`;
  const bodyBytes = declaredBodyBytes(c.req.raw);
  const cost = requestCost(c.get('url').search.length, bodyBytes);
  const charged = await heldIfRefused(quotas, () => quotas.admitRequest(cluster, incarnation, cost), bodyBytes > maxUnreadBodyBytes);
  c.set('chargedAtAdmission', charged);
  c.set('incarnation', incarnation);
  c.set('cost', cost);
  c.set('charge', (tokens) => quotas.charge(incarnation, tokens));
  await next();
});
