import type { ClusterStore, StoreEvent } from '../storage/store.ts';
import { CompactedError, FutureRevisionError } from '../storage/store.ts';

/**
 * The Store port over HTTP, for the conformance suite to drive a Durable
 * Object's store from outside workerd. Enabled only with STORE_TEST_ROUTES.
 */
export async function serveStoreOps(store: ClusterStore, op: string, url: URL, request: Request): Promise<Response> {
  try {
    if (op === 'watch') {
      const watcher = store.watch(url.searchParams.get('prefix') ?? '', Number(url.searchParams.get('from') ?? '0'));
      const encoder = new TextEncoder();
      const iterator = watcher[Symbol.asyncIterator]();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(JSON.stringify(next.value satisfies StoreEvent) + '\n'));
        },
        cancel() { watcher.close(); },
      });
      return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'identity' } });
    }
    const args = (await request.json()) as unknown[];
    const call = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op];
    if (!['get', 'list', 'count', 'create', 'update', 'delete', 'currentRevision', 'compact'].includes(op) || typeof call !== 'function') {
      return new Response('unknown op', { status: 404 });
    }
    return Response.json({ result: (await call.apply(store, args)) ?? null });
  } catch (err) {
    if (err instanceof CompactedError) return Response.json({ error: 'compacted', requested: err.requested, compacted: err.compacted }, { status: 410 });
    if (err instanceof FutureRevisionError) return Response.json({ error: 'future', requested: err.requested, current: err.current }, { status: 400 });
    throw err;
  }
}
