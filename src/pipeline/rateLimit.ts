import { createMiddleware } from 'hono/factory';
import { maxBodyBytes } from '../server/codec.ts';
import { requestCost, type Quotas } from '../tenancy/quotas.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Runs a quota check; a refusal is held a moment before it is sent. A client looping on 429s
 * would otherwise get thousands a second, each parsed and answered on the loop every cluster
 * shares; held, a connection brings a few a second, and kubectl waits out Retry-After anyway.
 */
export async function heldIfRefused<T>(quotas: Quotas, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    await new Promise((resolve) => setTimeout(resolve, quotas.rejectionDelayMs));
    throw err;
  }
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
  // A body of unknown length (chunked) is charged as the largest body the API accepts.
  const length = c.req.header('content-length');
  const bodyBytes = length !== undefined ? Number(length) || 0 : c.req.raw.body ? maxBodyBytes : 0;
  const cost = requestCost(c.get('url').search.length, bodyBytes);
  const charged = await heldIfRefused(quotas, () => quotas.admitRequest(cluster, incarnation, cost));
  c.set('chargedAtAdmission', charged);
  c.set('incarnation', incarnation);
  c.set('cost', cost);
  c.set('charge', (tokens) => quotas.charge(incarnation, tokens));
  await next();
});
