import { changedPaths } from '../trace/diff.ts';
import { clusterPrefix, type ClusterStore, type StoreEvent } from '../storage/store.ts';

/**
 * `apiserverless cluster history alice --since 10m`: what changed in a cluster, in revision
 * order, read from the change log every backend keeps for watches (so it reaches back as far
 * as the log does: 10,000 changes or 32 MiB). Nothing is recorded for it: who made a change
 * is read off the object's managedFields (the field manager whose entry the write added or
 * moved: `kubectl-create`, `kube-scheduler`, `kubelet`…) and when, off that entry's time. A
 * deletion records neither, so it shows no manager; its time is that of its
 * deletionTimestamp when the delete was graceful.
 */

export interface Change {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** `pods`, `deployments.apps`: the resource as kubectl names it. */
  resource: string;
  namespace?: string;
  name: string;
  /** The field manager that made the change, when the object says. */
  manager?: string;
  operation?: string;
  subresource?: string;
  /** When, to the second, when the object says. */
  time?: string;
  /** What a modification changed: the paths two levels deep (`spec.replicas`, `metadata.labels`). */
  fields?: string[];
}

export interface ClusterHistory {
  apiVersion: 'apiserverless.dev/v1';
  kind: 'ClusterHistory';
  cluster: string;
  /** The cluster's revision when the history was read. */
  revision: number;
  /** Changes at or before this revision are no longer kept (a restore, or the log's bounds). */
  compactedRevision: number;
  items: Change[];
}

export interface HistoryOptions {
  /** Only changes at or after this time (a change whose time is unknown is kept unless a later known one is older). */
  since?: Date;
  /** Events (core and events.k8s.io) too: they are most of a busy cluster's changes. */
  events?: boolean;
}

interface ManagedEntry { manager?: unknown; operation?: unknown; subresource?: unknown; time?: unknown }
interface Stored { metadata?: { managedFields?: ManagedEntry[]; deletionTimestamp?: unknown; uid?: string } }

const page = 1000;
/** Listed per change at most; more are summed up as "…". */
const maxFields = 6;
const ignoredFields = new Set(['metadata.managedFields', 'metadata.resourceVersion', 'metadata.generation']);

export const parseStored = (value: string): Stored => {
  try {
    const v = JSON.parse(value) as unknown;
    return typeof v === 'object' && v !== null ? (v as Stored) : {};
  } catch {
    return {};
  }
};

/**
 * The managedFields entry a write added or changed (its fields or time): the writer. Of several
 * (a forced apply takes fields from others), the one with the latest time.
 */
function writer(before: Stored | undefined, after: Stored): ManagedEntry | undefined {
  const old = new Set((before?.metadata?.managedFields ?? []).map((e) => JSON.stringify(e)));
  let best: ManagedEntry | undefined;
  for (const entry of after.metadata?.managedFields ?? []) {
    if (old.has(JSON.stringify(entry)) || typeof entry.manager !== 'string') continue;
    if (!best || String(entry.time ?? '') > String(best.time ?? '')) best = entry;
  }
  return best;
}

/** A change-log entry as history shows it: what, who (the field manager), when, which fields. */
export function changeOf(prefix: string, event: StoreEvent): Change | undefined {
  const [group, plural, ...rest] = event.kv.key.slice(prefix.length).split('/');
  if (rest.length < 1) return undefined;
  const base: Change = {
    revision: event.kv.modRevision,
    type: event.type === 'DELETE' ? 'DELETED' : event.prevKv ? 'MODIFIED' : 'ADDED',
    resource: group === 'core' ? plural : `${plural}.${group}`,
    ...(rest.length === 2 ? { namespace: rest[0] } : {}),
    name: rest[rest.length - 1],
  };
  const after = parseStored(event.kv.value);
  if (event.type === 'DELETE') {
    const at = after.metadata?.deletionTimestamp;
    return typeof at === 'string' ? { ...base, time: at } : base;
  }
  const before = event.prevKv ? parseStored(event.prevKv.value) : undefined;
  const entry = writer(before, after);
  const fields = before ? changedPaths(before, after, 2, ignoredFields) : [];
  return {
    ...base,
    ...(entry ? { manager: String(entry.manager) } : {}),
    ...(typeof entry?.operation === 'string' ? { operation: entry.operation } : {}),
    ...(typeof entry?.subresource === 'string' ? { subresource: entry.subresource } : {}),
    ...(typeof entry?.time === 'string' ? { time: entry.time } : {}),
    ...(fields.length ? { fields: fields.length > maxFields ? [...fields.slice(0, maxFields), '…'] : fields } : {}),
  };
}

/** The kinds a history leaves out unless asked: events, and the cluster's own identity keys. */
const skipped = (relative: string, events: boolean) =>
  relative.startsWith('apiserverless.dev/') || (!events && (relative.startsWith('core/events/') || relative.startsWith('events.k8s.io/events/')));

export async function readHistory(store: ClusterStore, options: HistoryOptions = {}): Promise<ClusterHistory> {
  const prefix = clusterPrefix(store.cluster);
  const items: Change[] = [];
  let after = 0, revision = 0, compacted = 0;
  for (;;) {
    const log = await store.changes(after, page);
    compacted = Math.max(compacted, log.compacted);
    for (const event of log.events) {
      if (event.kv.modRevision <= compacted || skipped(event.kv.key.slice(prefix.length), options.events ?? false)) continue;
      const c = changeOf(prefix, event);
      if (c) items.push(c);
    }
    revision = log.revision;
    if (!log.more) break;
    after = log.revision;
  }
  return { apiVersion: 'apiserverless.dev/v1', kind: 'ClusterHistory', cluster: store.cluster, revision, compactedRevision: compacted, items: since(items, options.since) };
}

/**
 * Changes at or after `at`. A change whose time is unknown happened before the next change
 * whose time is known (revisions are commit order), so it is kept unless that one is older.
 */
function since(items: Change[], at: Date | undefined): Change[] {
  if (!at) return items;
  const keep = new Array<boolean>(items.length);
  let nextKnown: number | undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const own = items[i].time ? Date.parse(items[i].time!) : undefined;
    // Times are kept to the second: a change in the second of `at` counts.
    const t = own ?? nextKnown;
    keep[i] = t === undefined || Number.isNaN(t) || t >= Math.floor(at.getTime() / 1000) * 1000;
    if (own !== undefined && !Number.isNaN(own)) nextKnown = own;
  }
  return items.filter((_, i) => keep[i]);
}
