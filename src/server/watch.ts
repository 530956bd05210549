import { fieldGetter, type Registry } from '../registry/generic.ts';
import { Catalog } from '../registry/catalog.ts';
import type { HookContext, KubeObject, ResourceDef } from '../registry/types.ts';
import { matches, type Selector } from '../apimachinery/selectors.ts';
import { ClusterGoneError, CompactedError, type KeyValue, type StoreEvent } from '../storage/store.ts';
import { expired } from '../apimachinery/errors.ts';
import { initialLine } from './initialLines.ts';
import { toTable } from './table.ts';
import { encodeJsonBytes, shapeObject } from './wire.ts';
import { encodeWatchFrame, protobufMessageOf } from './protobufEncode.ts';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  /** The revision to start after; undefined means "send the current state first". */
  resourceVersion?: number;
  sendInitialEvents: boolean;
  labels: Selector;
  fields: Selector;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  asTable: boolean;
  /** Frames of `application/vnd.kubernetes.protobuf;stream=watch` instead of JSON lines. */
  protobuf?: boolean;
  ctx: () => HookContext;
}

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** kube-apiserver's --min-request-timeout default. */
const minRequestTimeoutSeconds = 1800;

/**
 * How long a watch may stay open. Like kube-apiserver, a watch that names no timeout ends
 * after a random time in [min-request-timeout, 2 × min-request-timeout), so abandoned watches
 * end and reconnecting clients spread out; unlike it, a client's own timeout is capped there too,
 * so no watch holds one of its cluster's stream slots for longer than an hour.
 */
export function watchTimeoutSeconds(requested: number | undefined, random = Math.random): number {
  const max = 2 * minRequestTimeoutSeconds;
  if (requested && requested > 0) return Math.min(requested, max);
  // A negative timeout has already run out: kube-apiserver's watch timer fires at once.
  if (requested && requested < 0) return 0;
  return Math.floor(minRequestTimeoutSeconds * (1 + random()));
}

/** Encoded lines per store event, shared by all watches that see the same event object. */
const sharedLines = new WeakMap<StoreEvent, Map<string, Uint8Array>>();

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
  return out;
}

/**
 * A watch as newline-delimited JSON WatchEvents. Selector transitions follow
 * the cacher: an object that stops matching is DELETED, one that starts matching is ADDED.
 */
export async function watchStream(registry: Registry, req: WatchRequest, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const { def } = req;
  const prefix = Catalog.prefix(registry.cluster, def, req.namespace);
  const selected = (obj: KubeObject | undefined) => !!obj && matches(req.labels, (k) => obj.metadata.labels?.[k]) && matches(req.fields, fieldGetter(def, obj));

  let initial: KeyValue[] = [];
  let from = req.resourceVersion;
  if (from === undefined || req.sendInitialEvents) {
    const records = await registry.records(def, req.namespace, from ? String(from) : undefined);
    initial = records.items;
    from = records.revision;
  }
  let watcher;
  try {
    watcher = registry.store.watch(prefix, from);
  } catch (err) {
    if (err instanceof CompactedError) throw expired(`too old resource version: ${from} (${err.compacted + 1})`);
    throw err;
  }
  const encoder = new TextEncoder();
  let tableHeaderSent = false;
  const encode = (type: WatchType, obj: unknown) => {
    let object = type === 'BOOKMARK' ? obj : shapeObject(obj as KubeObject);
    if (req.asTable && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
      const table = toTable(def, [obj as KubeObject], req.ctx(), { resourceVersion: (obj as KubeObject).metadata.resourceVersion });
      if (tableHeaderSent) (table as { columnDefinitions: unknown }).columnDefinitions = [];
      tableHeaderSent = true;
      object = table;
    }
    return eventBytes(type, object);
  };
  /** One event in the watch's framing: a JSON line, or a length-prefixed protobuf WatchEvent. */
  const eventBytes = (type: WatchType, object: unknown): Uint8Array => {
    const message = req.protobuf ? protobufMessageOf(object) : undefined;
    if (message) return encodeWatchFrame(type, object as Record<string, unknown>, message);
    // A large object's event comes in pieces already encoded (wire.ts), not a rope to copy flat first.
    const json = encodeJsonBytes({ type, object }, false);
    return typeof json === 'string' ? encoder.encode(json) : json;
  };
  const bookmark = (rv: number, initialEnd: boolean) => ({
    kind: def.kind, apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
    metadata: { resourceVersion: String(rv), ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The client left (the stream was cancelled): nothing is sent or closed after that. */
  let cancelled = false;
  const stop = () => { watcher.close(); if (timer) clearTimeout(timer); };
  signal.addEventListener('abort', stop, { once: true });
  timer = setTimeout(stop, watchTimeoutSeconds(req.timeoutSeconds) * 1000);

  const iterator = watcher[Symbol.asyncIterator]();
  // The initial state: a JSON line depends only on the record and the resource (a Table row also on
  // the time, a decorated kind's fields on the time), so it is shared between watches; the selectors
  // are applied to each watch's own decoding.
  const ctx = req.ctx();
  const shareable = !req.asTable && !def.strategy?.decorate;
  const filtered = req.labels.length > 0 || req.fields.length > 0;
  const form = `${def.group}/${def.version}/${def.plural}${req.protobuf ? ':protobuf' : ''}`;
  let pendingInitial: Uint8Array[] = [];
  for (const kv of initial) {
    let obj: KubeObject | undefined;
    const decoded = () => (obj ??= registry.decode(def, kv, ctx));
    if (filtered && !selected(decoded())) continue;
    pendingInitial.push(shareable ? initialLine(kv, form, () => encode('ADDED', decoded())) : encode('ADDED', decoded()));
  }
  initial = [];
  if (req.sendInitialEvents && req.allowBookmarks) pendingInitial.push(eventBytes('BOOKMARK', bookmark(from, true)));
  // One chunk: one write, a few TLS records, not one per object.
  if (pendingInitial.length > 1) pendingInitial = [concat(pendingInitial)];

  /** The line for one store event, or null when this watch's selectors filter it out. */
  const lineFor = (event: StoreEvent): Uint8Array | null => {
    const ctx = req.ctx();
    let obj: KubeObject | undefined;
    let prev: KubeObject | undefined;
    const decodeObj = () => (obj ??= registry.decode(def, event.kv, ctx));
    const decodePrev = () => (event.prevKv ? (prev ??= registry.decode(def, event.prevKv, ctx)) : undefined);
    let type: WatchType;
    if (event.type === 'DELETE') {
      if (!selected(decodePrev() ?? decodeObj())) return null;
      type = 'DELETED';
    } else {
      const now = selected(decodeObj()), before = selected(decodePrev());
      if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) type = 'DELETED';
      else return null;
    }
    // Every watcher of a resource sends the same bytes for the same event: encode once, share.
    const cacheKey = `${def.group}/${def.plural}:${type}:${req.asTable ? (tableHeaderSent ? 'row' : 'table') : req.protobuf ? 'protobuf' : 'json'}`;
    let cache = sharedLines.get(event);
    const hit = cache?.get(cacheKey);
    if (hit) {
      if (req.asTable) tableHeaderSent = true;
      return hit;
    }
    const o = decodeObj();
    if (event.type === 'DELETE') o.metadata.resourceVersion = String(event.kv.modRevision);
    const line = encode(type, o);
    if (!cache) sharedLines.set(event, (cache = new Map()));
    cache.set(cacheKey, line);
    return line;
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pendingInitial.length) {
        for (const chunk of pendingInitial) controller.enqueue(chunk);
        pendingInitial = [];
        return;
      }
      for (;;) {
        let next: IteratorResult<StoreEvent>;
        try {
          next = await iterator.next();
          if (cancelled) return;
        } catch (err) {
          if (cancelled) return;
          // A remote store may learn of a compaction only on its first read: the stream is
          // already open, so it ends with an ERROR event, as kube-apiserver's watch cache sends.
          // The cluster was deleted: its watches simply end (a client that watches again gets 401).
          if (err instanceof ClusterGoneError) { stop(); controller.close(); return; }
          if (!(err instanceof CompactedError)) throw err;
          stop();
          const status = expired(`too old resource version: ${from} (${err.compacted + 1})`).toStatus();
          controller.enqueue(eventBytes('ERROR', status));
          controller.close();
          return;
        }
        if (next.done) { stop(); controller.close(); return; }
        // Take whatever else is already waiting too, and send it as one chunk (one TLS record, not hundreds).
        const lines: Uint8Array[] = [];
        for (const event of [next.value, ...(watcher.takeBuffered?.() ?? [])]) {
          const line = lineFor(event);
          if (line) lines.push(line);
        }
        if (!lines.length) continue;
        controller.enqueue(lines.length === 1 ? lines[0] : concat(lines));
        return;
      }
    },
    cancel() { cancelled = true; stop(); },
  });
}
