import { createMiddleware } from 'hono/factory';
import type { Quotas } from '../tenancy/quotas.ts';
import type { PipelineEnv } from './context.ts';
import { nextTurn } from './nextTurn.ts';
import { queryBool } from '../apimachinery/queryParams.ts';
import { heldIfRefused } from './rateLimit.ts';

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

/**
 * Step 8, the cluster's share of the server (kube-apiserver's priority and fairness, in
 * small). Cheap requests (a get, a small write) just run. Expensive ones (lists, large
 * queries or bodies) take one of the cluster's seats while they are worked on, so no
 * cluster's burst of them can queue ahead of another cluster's request. Watches and
 * followed logs hold a connection open: they share the cluster's stream budget until
 * their body ends.
 */
export const seats = (quotas: Quotas) => createMiddleware<PipelineEnv>(async (c, next) => {
  const info = c.get('resourceRequest');
  const cluster = c.get('cluster'), incarnation = c.get('incarnation');
  const streaming = info.verb === 'watch' || (info.subresource === 'log' && queryBool(c.get('url').searchParams.get('follow') ?? undefined));
  if (!streaming) {
    if (info.verb !== 'list' && c.get('cost') === 1) { await next(); return; }
    const release = await heldIfRefused(quotas, () => quotas.seat(cluster, incarnation));
    try {
      // Expensive work starts on a fresh turn of the loop: what other clusters sent meanwhile goes first.
      await nextTurn();
      await next();
    } finally {
      release();
    }
    return;
  }
  const release = await heldIfRefused(quotas, () => quotas.admitStream(cluster, incarnation));
  await next();
  // A request that failed (its Status is the response) has no stream to wait for.
  if (c.error) release();
  else c.res = releasing(c.res, release);
});
