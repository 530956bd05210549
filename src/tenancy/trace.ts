import { Catalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';
import { clusterPrefix, type ClusterStore, type StoreEvent } from '../storage/store.ts';
import type { ObjectRef, Span, Trace, TraceEntry, TraceRecord, TraceSink } from '../trace/types.ts';
import { changeOf, parseStored, type Change } from './history.ts';

/**
 * `apiserverless trace pod/web`: the steps that made and ran an object, read when asked.
 *
 * The spine is durable and the same on every backend: the change log every store keeps for
 * watches (each store write: key, revision, who wrote it, what changed) and the Events about
 * the object (the scheduler's and the kubelet's stages). Onto it go the records this process
 * kept in memory (trace/ring.ts): each request's authentication, authorization, admission,
 * validation and timings, and the scheduler's per-node verdicts. Nothing is written for a trace.
 */

/** `pod`, `pods`, `po`, `deployment.apps`, `deploy`: a resource as kubectl names it (core first). */
export function resolveResource(catalog: Catalog, name: string): ResourceDef | undefined {
  const [word, ...rest] = name.toLowerCase().split('.');
  const group = rest.length ? rest.join('.') : undefined;
  const all = catalog.groupVersions.flatMap((gv) => gv.resources).filter((def) => group === undefined || def.group === group);
  const named = (def: ResourceDef) => def.plural === word || def.singular === word || def.kind.toLowerCase() === word || !!def.shortNames?.includes(word);
  return all.find((def) => def.group === '' && named(def)) ?? all.find(named);
}

/**
 * Writes and Events go in revision (`order`) order; `second` (the stored times' precision) places the
 * records that have no write of their own among them.
 */
interface Item { second: number; order: number; entry: TraceEntry }

const secondOf = (time: string | undefined) => (time ? Math.floor(Date.parse(time) / 1000) : Number.NaN);

interface PodStatusView {
  phase?: string;
  podIP?: string;
  containerStatuses?: Array<{ name: string; ready?: boolean; restartCount?: number; state?: Record<string, { reason?: string; exitCode?: number }> }>;
}

/** A status write in words: the phase, the pod IP and each container's state. */
function statusWords(value: string): string | undefined {
  const status = (JSON.parse(value) as { status?: PodStatusView }).status;
  if (!status?.containerStatuses && !status?.phase) return undefined;
  const containers = (status.containerStatuses ?? []).map((c) => {
    const [state, info] = Object.entries(c.state ?? {})[0] ?? ['unknown', {}];
    const why = info.reason ? ` (${info.reason}${info.exitCode !== undefined ? `, exit code ${info.exitCode}` : ''})` : '';
    return `${c.name} ${state}${why}${c.ready ? ', ready' : ''}${c.restartCount ? `, ${c.restartCount} restarts` : ''}`;
  });
  return [`phase ${status.phase ?? '?'}`, ...(status.podIP ? [`IP ${status.podIP}`] : []), ...containers].join('; ');
}

/** Who wrote a change that names no field manager: a bind records none (the scheduler's own write). */
const writer = (c: Change) => c.manager ? `${c.manager}${c.subresource ? ` (${c.subresource})` : ''}` : c.fields?.includes('spec.nodeName') ? 'kube-scheduler (binding)' : '-';

const stepOf = (component: string): Span['step'] => (component === 'kubelet' ? 'kubelet' : component === 'default-scheduler' ? 'scheduler' : 'event');

function writeEntry(key: string, event: StoreEvent, change: Change, records: TraceRecord[]): TraceEntry {
  const request = records.find((r) => r.source === 'request');
  const scheduling = records.find((r) => r.source === 'scheduling');
  const revision = change.revision;
  const fields = change.fields?.length ? `: ${change.fields.join(', ')}` : '';
  const store: Span = { step: 'store', detail: `${change.type} ${key} at revision ${revision}${fields}`, at: 0, revision };
  const queue: Span = { step: 'queue', detail: `change event ${change.type} at revision ${revision} → the scheduler, kubelets and controllers`, at: 0 };
  if (request) {
    const [first, ...spans] = request.spans;
    return { revision, time: request.time, by: writer(change), summary: `${first?.detail ?? 'request'}${first?.ms !== undefined ? ` in ${first.ms} ms` : ''}`, spans };
  }
  const status = event.type === 'PUT' && change.subresource === 'status' ? statusWords(event.kv.value) : undefined;
  const kubelet: Span[] = status && change.manager === 'kubelet' ? [{ step: 'kubelet', detail: `status write: ${status}`, at: 0 }] : [];
  const decided = scheduling?.spans ?? [];
  const time = scheduling?.time ?? change.time;
  return { revision, ...(time ? { time } : {}), by: writer(change), summary: `${change.type}${change.subresource ? ` through ${change.subresource}` : ''}`, spans: [...decided, ...kubelet, store, queue] };
}

interface EventView { type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string; source?: { component?: string; host?: string }; involvedObject?: { uid?: string; resourceVersion?: string } }

function eventEntry(value: EventView): TraceEntry {
  const component = value.source?.component ?? '-';
  const count = (value.count ?? 1) > 1 ? ` (×${value.count})` : '';
  return {
    ...(value.lastTimestamp ? { time: value.lastTimestamp } : {}), by: `${component}${value.source?.host ? ` on ${value.source.host}` : ''}`,
    summary: `event ${value.type ?? ''} ${value.reason ?? ''}`.trim(),
    spans: [{ step: stepOf(component), name: value.reason, detail: `${value.message ?? ''}${count}`, at: 0 }],
  };
}

/** A record with no store write of its own (refused, unchanged, an unbound scheduling attempt). */
function recordEntry(record: TraceRecord): TraceEntry {
  if (record.source === 'scheduling') return { time: record.time, by: 'kube-scheduler', summary: 'scheduling attempt', spans: record.spans };
  const [first, ...spans] = record.spans;
  return { time: record.time, by: '-', summary: first?.detail ?? 'request', spans };
}

export interface TraceTarget { def: ResourceDef; namespace: string; name: string }

/** `recording`: was the cluster's tracing on before this read (which turns it on)? */
export async function readTrace(store: ClusterStore, sink: TraceSink | undefined, clusterCreatedAt: string, target: TraceTarget, recording: boolean): Promise<Trace> {
  const { def, name } = target;
  const namespace = def.namespaced ? target.namespace : '';
  const cluster = store.cluster;
  const key = Catalog.key(cluster, def, def.namespaced ? namespace : undefined, name);
  const prefix = clusterPrefix(cluster);
  const kv = await store.get(key);
  const notes: string[] = [];

  // The object's writes and the Events about it, from the change log (from its creation, when it exists).
  const writes: Array<{ event: StoreEvent; change: Change }> = [];
  const events: Array<{ revision: number; value: EventView }> = [];
  const eventPrefix = `${prefix}core/events/${namespace || 'default'}/${name}.`;
  let after = kv ? kv.createRevision - 1 : 0, compacted = 0, revision = 0;
  for (;;) {
    const page = await store.changes(after, 1000);
    compacted = Math.max(compacted, page.compacted);
    for (const event of page.events) {
      if (event.kv.key === key) {
        // Of a deleted and re-created object, the last incarnation only.
        if (event.type === 'PUT' && !event.prevKv) writes.length = 0;
        const change = changeOf(prefix, event);
        if (change) writes.push({ event, change });
      } else if (event.type === 'PUT' && event.kv.key.startsWith(eventPrefix)) {
        events.push({ revision: event.kv.modRevision, value: JSON.parse(event.kv.value) as EventView });
      }
    }
    revision = page.revision;
    if (!page.more) break;
    after = page.revision;
  }
  const uid = (kv ? parseStored(kv.value) : writes.length ? parseStored(writes[writes.length - 1].event.kv.value) : undefined)?.metadata?.uid;
  if (kv && compacted >= kv.createRevision) notes.push(`the change log no longer keeps changes up to revision ${compacted} (it keeps 10,000 changes or 32 MiB, and none from before a restore): the first writes are missing`);

  const ref: ObjectRef = { group: def.group, resource: def.plural, namespace, name, ...(uid ? { uid } : {}) };
  // As instants, not as strings: the cluster's creation is to the second (`…:26Z`), a record's time to the
  // millisecond (`…:26.950Z`), and '.' sorts before 'Z', so a write in the second the cluster was made
  // (a fresh cluster's first `kubectl run` on the real-time entries) would compare as before it.
  const since = Date.parse(clusterCreatedAt);
  const records = (sink?.find(cluster, ref) ?? []).filter((r) => Date.parse(r.time) >= since && (!r.object.uid || !uid || r.object.uid === uid));
  const byRevision = new Map<number, TraceRecord[]>();
  const used = new Set<TraceRecord>();
  for (const r of records) for (const rev of r.revisions) byRevision.set(rev, [...(byRevision.get(rev) ?? []), r]);

  const items: Item[] = [];
  for (const { event, change } of writes) {
    const attached = (byRevision.get(change.revision) ?? []).filter((r) => !used.has(r));
    attached.forEach((r) => used.add(r));
    const entry = writeEntry(key, event, change, attached);
    items.push({ second: secondOf(entry.time), order: change.revision, entry });
  }
  const written = new Set(writes.map((w) => w.change.revision));
  for (const e of events) {
    if (uid && e.value.involvedObject?.uid && e.value.involvedObject.uid !== uid) continue;
    const entry = eventEntry(e.value);
    // The kubelet records a pass's events (Pulling, Started…) just after the status write they led to, about
    // that write: they happened before it. Other Events follow what they report (Scheduled, after the binding).
    const about = Number(e.value.involvedObject?.resourceVersion);
    const order = e.value.source?.component === 'kubelet' && written.has(about) ? about - 0.5 : e.revision;
    items.push({ second: secondOf(entry.time), order, entry });
  }
  // Revision order is the order things happened in (timestamps come from different clocks, Events' to the second).
  // A change without a time (a deletion) takes the time of the change before it.
  items.sort((a, b) => a.order - b.order);
  items.forEach((item, i) => { if (Number.isNaN(item.second)) item.second = i ? items[i - 1].second : 0; });
  // Records without a write of their own (refused, unchanged, unbound) go after the last item of their second or before.
  for (const r of records) {
    if (used.has(r)) continue;
    const second = secondOf(r.time);
    let at = items.length;
    while (at > 0 && items[at - 1].second > second) at--;
    items.splice(at, 0, { second, order: Number.MAX_SAFE_INTEGER, entry: recordEntry(r) });
  }

  const created = writes.find((w) => w.change.type === 'ADDED');
  if (sink && !recording) {
    notes.push(`this cluster's tracing was off, so requests' own steps (authentication, authorization, admission, validation, timings) and the scheduler's verdicts were not recorded: it is on now, for an hour — write again (or run apiserverless trace start before an exercise) and read the trace again`);
  } else if (created && !byRevision.has(created.change.revision)) {
    notes.push(`the steps of the request that created it (authentication, authorization, admission, validation, timings) are kept only in the memory of the process that served it, for an hour at most: this one has none for revision ${created.change.revision} (tracing was off then, another instance served it, a restart since, or newer requests pushed it out)`);
  }
  if (!sink) notes.push('this server keeps no request traces: only the change log and Events are shown');
  return {
    apiVersion: 'apiserverless.dev/v1', kind: 'Trace', cluster, object: { ...ref, kind: def.kind }, exists: !!kv, revision,
    entries: items.map((i) => i.entry), notes,
  };
}
