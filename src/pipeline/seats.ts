import { createMiddleware } from 'hono/factory';
import type { Quotas } from '../tenancy/quotas.ts';
import type { PipelineEnv } from './context.ts';
import { nextTurn } from '../apimachinery/nextTurn.ts';
import { queryBool } from '../apimachinery/queryParams.ts';
import { heldIfRefused } from './rateLimit.ts';
import type { Connection } from '../server/clientCertificates.ts';
import type { Upgrade } from '../server/upgrade.ts';

/** Subresources whose answer is a connection upgrade (kube-apiserver's "connect" verbs). */
export const connectSubresources: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);

/**
 * An upgrade that gives the stream slot back when its connection ends. Whether the entry takes
 * the upgrade is known once the handler asked for it; the slot is then the socket's to free.
 */
function releasedOnClose(upgrade: Upgrade, release: () => void, asked: () => void): Upgrade {
  return (request, protocol, open, resumeToken) => {
    asked();
    return upgrade(request, protocol, (socket) => {
      const listener = open(socket);
      return { message: (data) => listener.message(data), closed() { release(); listener.closed(); } };
    }, resumeToken);
  };
}

/** How long a stream may hold a chunk its client has not taken before it is closed as unresponsive. */
export const unresponsiveStreamMs = 60_000;

/**
 * Calls release once the response body has been sent or abandoned. A client that leaves
 * cancels the stream; one that is gone without a cancel (wrangler dev's proxy drops the
 * Durable Object's side of a watch without telling it) or stops reading is found out as
 * kube-apiserver's watch cache finds an unresponsive watcher: a chunk it has not taken for
 * `unresponsiveMs` ends the stream, and its slot is free again.
 */
export function releasing(response: Response, release: () => void, unresponsiveMs = unresponsiveStreamMs): Response {
  if (!response.body) { release(); return response; }
  const reader = response.body.getReader();
  // Once the stream is cancelled or given up, its controller is not touched again. On workerd
  // a read that settles after the cancel runs in the request whose write woke it, and touching the
  // ended request's stream there throws "Network connection lost", logged as an uncaught error.
  let abandoned = false;
  let untaken: ReturnType<typeof setTimeout> | undefined;
  const giveUp = () => {
    abandoned = true;
    release();
    reader.cancel(new Error('the client stopped reading')).catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      // The client took what was queued: it is reading.
      clearTimeout(untaken);
      untaken = undefined;
      try {
        const { done, value } = await reader.read();
        if (abandoned) return;
        if (done) { release(); controller.close(); return; }
        controller.enqueue(value);
        untaken = setTimeout(giveUp, unresponsiveMs);
        (untaken as { unref?: () => void }).unref?.();
      } catch (err) {
        release();
        if (!abandoned) controller.error(err);
      }
    },
    cancel(reason) { clearTimeout(untaken); abandoned = true; release(); return reader.cancel(reason); },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

const once = (fn: () => void) => { let done = false; return () => { if (!done) { done = true; fn(); } }; };

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
  if (info.subresource && connectSubresources.has(info.subresource)) {
    // An exec session holds a connection open like a watch: it takes a stream slot until it ends.
    const release = once(await heldIfRefused(quotas, () => quotas.admitStream(cluster, incarnation)));
    const connection = c.env as Connection | undefined;
    let upgrading = false;
    if (connection?.upgrade) c.env = { ...connection, upgrade: releasedOnClose(connection.upgrade, release, () => { upgrading = true; }) };
    try {
      await next();
    } finally {
      if (!upgrading || c.error) release();
    }
    return;
  }
  const streaming = info.verb === 'watch' || (info.subresource === 'log' && queryBool(c.get('url').searchParams.get('follow') ?? undefined));
  if (!streaming) {
    if (info.verb !== 'list' && c.get('cost') === 1) { await next(); return; }
    const release = await heldIfRefused(quotas, () => quotas.seat(cluster, incarnation, c.get('chargedAtAdmission')));
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
  // A watch's first answer may be the whole resource (its initial ADDED events): like a list, that
  // is built on one of the cluster's seats, on a fresh turn, so a flood of watch opens is served two
  // at a time between other clusters' requests instead of all at once. The seat is freed once the
  // stream is ready; the stream slot is held until it ends.
  let seat: (() => void) | undefined;
  try {
    if (info.verb === 'watch') {
      seat = await heldIfRefused(quotas, () => quotas.seat(cluster, incarnation, c.get('chargedAtAdmission')));
      await nextTurn();
    }
    await next();
  } catch (err) {
    release();
    throw err;
  } finally {
    seat?.();
  }
  // A request that failed (its Status is the response) has no stream to wait for.
  if (c.error) release();
  else c.res = releasing(c.res, release);
});
