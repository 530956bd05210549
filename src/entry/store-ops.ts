import type { ClusterStore, StoreEvent } from '../storage/store.ts';
import { ClusterGoneError, CompactedError, FutureRevisionError } from '../storage/store.ts';

/**
 * The Store port over HTTP, for the conformance suite to drive a Durable
 * Object's store from outside workerd. Enabled only with STORE_TEST_ROUTES.
 */
export async function serveStoreOps(store: ClusterStore, op: string, url: URL, request: Request, life: { create(): void; incarnation(): number | undefined }): Promise<Response> {
  try {
    if (op === 'createCluster') { life.create(); return Response.json({ result: null }); }
    // A client that saw one life of the cluster acts like a store instance held across a drop:
    // in a later life of the cluster everything it asks fails, as the dropped instance would.
    const seen = url.searchParams.get('incarnation');
    if (seen && seen !== String(life.incarnation())) throw new ClusterGoneError(store.cluster);
    if (op === 'watch') {
      const watcher = store.watch(url.searchParams.get('prefix') ?? '', Number(url.searchParams.get('from') ?? '0'));
      const encoder = new TextEncoder();
      const iterator = watcher[Symbol.asyncIterator]();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          let next: IteratorResult<StoreEvent>;
          try {
            next = await iterator.next();
          } catch (err) {
            // A watch ended by the store (the cluster dropped, or compacted past it by a restore)
            // says why in a last line: an errored stream would reach the client as a plain close.
            if (err instanceof ClusterGoneError) controller.enqueue(encoder.encode(JSON.stringify({ gone: true }) + '\n'));
            else if (err instanceof CompactedError) controller.enqueue(encoder.encode(JSON.stringify({ compacted: { requested: err.requested, compacted: err.compacted } }) + '\n'));
            else throw err;
            controller.close();
            return;
          }
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(JSON.stringify(next.value satisfies StoreEvent) + '\n'));
        },
        cancel() { watcher.close(); },
      });
      return new Response(stream, { headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'identity' } });
    }
    const args = (await request.json()) as unknown[];
    const call = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op];
    if (!['get', 'list', 'count', 'create', 'update', 'delete', 'currentRevision', 'compact', 'usage', 'changes', 'restore'].includes(op) || typeof call !== 'function') {
      return new Response('unknown op', { status: 404 });
    }
    const result = (await call.apply(store, args)) ?? null;
    return Response.json({ result }, { headers: { 'x-store-incarnation': String(life.incarnation() ?? '') } });
  } catch (err) {
    if (err instanceof ClusterGoneError) return Response.json({ error: 'gone' }, { status: 404 });
    if (err instanceof CompactedError) return Response.json({ error: 'compacted', requested: err.requested, compacted: err.compacted }, { status: 410 });
    if (err instanceof FutureRevisionError) return Response.json({ error: 'future', requested: err.requested, current: err.current }, { status: 400 });
    throw err;
  }
}
