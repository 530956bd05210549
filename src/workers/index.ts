import type { ChangeEvent, Ports, QueueMessage } from '../ports.ts';
import { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import type { KubeObject } from '../registry/types.ts';
import { runKubelets } from './kubelet.ts';
import { schedulePending, type SchedulingTrigger } from './scheduler.ts';

/**
 * The one entry both runtimes call with queue messages (the Node entry's
 * in-process queue, the Cluster Durable Object's dispatch on Cloudflare).
 *
 * Workers are level-triggered: a message only says "look at cluster X again".
 * A pass reads the cluster's nodes and pods, runs the scheduler over pending
 * pods and the kubelets over bound ones, and acts through the registry with
 * compare-and-swap. Passes for one cluster never overlap in a process:
 * messages arriving during a pass are folded into one more pass, so a burst of
 * a thousand events costs a handful of passes, not a thousand.
 */
export interface WorkerContext {
  ports: Ports;
  catalog: Catalog;
}

interface ClusterWork {
  running: Promise<void> | null;
  pending: SchedulingTrigger | null;
  /** Due time of the wake-up this process last queued for the cluster. */
  wakeAt?: number;
  /** Decoded objects by key, reused while their revision is unchanged (workers never mutate them). */
  objects: Map<string, { revision: number; obj: KubeObject }>;
  passes: number;
}

/** Per store (one per process or Durable Object), per cluster. */
const work = new WeakMap<object, Map<string, ClusterWork>>();

function workFor(ctx: WorkerContext, cluster: string): ClusterWork {
  let clusters = work.get(ctx.ports.store);
  if (!clusters) work.set(ctx.ports.store, (clusters = new Map()));
  let state = clusters.get(cluster);
  if (!state) clusters.set(cluster, (state = { running: null, pending: null, objects: new Map(), passes: 0 }));
  return state;
}

const merge = (a: SchedulingTrigger | null, b: SchedulingTrigger): SchedulingTrigger =>
  a ? { retryRevision: Math.max(a.retryRevision, b.retryRevision), flush: a.flush || b.flush } : b;

/** Runs (or joins) the passes that cover this trigger. */
function reconcile(ctx: WorkerContext, cluster: string, trigger: SchedulingTrigger): Promise<void> {
  const state = workFor(ctx, cluster);
  state.pending = merge(state.pending, trigger);
  if (!state.running) {
    state.running = (async () => {
      try {
        while (state.pending) {
          const next = state.pending;
          state.pending = null;
          await pass(ctx, cluster, next);
        }
      } finally {
        state.running = null;
      }
    })();
  }
  return state.running;
}

/**
 * Every object of a resource at the current revision. A pass reads them all (that
 * is what makes it level-triggered), so only objects whose revision changed since
 * the last pass are decoded again; the same objects also key the kubelet's and
 * scheduler's per-pod caches. Read-time decorations (node heartbeats) are skipped:
 * workers do not need them.
 */
async function current<T extends KubeObject>(registry: Registry, state: ClusterWork, plural: string, seen: ClusterWork['objects']): Promise<T[]> {
  const def = registry.catalog.find('', 'v1', plural)!;
  const prefix = Catalog.prefix(registry.cluster, def);
  const out: T[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await registry.store.list(prefix, { startAfter, limit: 5000 });
    for (const kv of page.items) {
      let entry = state.objects.get(kv.key);
      if (!entry || entry.revision !== kv.modRevision) {
        const obj = JSON.parse(kv.value) as KubeObject;
        obj.metadata.resourceVersion = String(kv.modRevision);
        entry = { revision: kv.modRevision, obj };
      }
      seen.set(kv.key, entry);
      out.push(entry.obj as T);
    }
    if (!page.more || !page.items.length) return out;
    startAfter = page.items[page.items.length - 1].key;
  }
}

async function pass(ctx: WorkerContext, cluster: string, trigger: SchedulingTrigger): Promise<void> {
  const registry = new Registry(ctx.catalog, ctx.ports, cluster);
  const state = workFor(ctx, cluster);
  state.passes++;
  const seen: ClusterWork['objects'] = new Map();
  const nodes = await current<Node>(registry, state, 'nodes', seen);
  const pods = await current<Pod>(registry, state, 'pods', seen);
  state.objects = seen;
  // A dropped (or empty) cluster keeps nothing in this process's memory.
  if (!nodes.length && !pods.length) { work.get(ctx.ports.store)?.delete(cluster); return; }
  await schedulePending(registry, nodes, pods, trigger);
  const nextDue = await runKubelets(registry, nodes, pods);
  await scheduleWake(ctx, cluster, nextDue);
}

/** Queues one wake-up for the earliest due stage, unless an earlier one is already queued. */
async function scheduleWake(ctx: WorkerContext, cluster: string, due: number | undefined): Promise<void> {
  if (due === undefined) return;
  const state = workFor(ctx, cluster);
  const now = ctx.ports.clock.now().getTime();
  if (state.wakeAt !== undefined && state.wakeAt > now && state.wakeAt <= due) return;
  state.wakeAt = due;
  await ctx.ports.queue.send({ kind: 'wake', cluster, group: '', resource: 'pods', namespace: '', name: '' }, { delaySeconds: Math.max(0, due - now) / 1000 });
}

/** Periodic repair: re-examines every pending and bound pod, so a lost event or wake-up costs only time. */
export function resyncCluster(ctx: WorkerContext, cluster: string): Promise<void> {
  return reconcile(ctx, cluster, { retryRevision: 0, flush: true });
}

export async function handleMessage(ctx: WorkerContext, message: QueueMessage): Promise<void> {
  if ('kind' in message) {
    if (message.kind === 'resync') return resyncCluster(ctx, message.cluster);
    const state = workFor(ctx, message.cluster);
    if (state.wakeAt !== undefined && state.wakeAt <= ctx.ports.clock.now().getTime()) state.wakeAt = undefined;
    return reconcile(ctx, message.cluster, { retryRevision: 0, flush: false });
  }
  const event = message as ChangeEvent;
  if (event.group !== '' || (event.resource !== 'pods' && event.resource !== 'nodes')) return;
  // Node changes and pod deletions may make room for unschedulable pods (kube-scheduler's queueing hints).
  const helps = event.resource === 'nodes' || event.type === 'DELETED';
  return reconcile(ctx, event.cluster, { retryRevision: helps ? event.revision : 0, flush: false });
}

/** Passes run for a cluster in this process (benchmarks report it). */
export function passCount(ctx: WorkerContext, cluster: string): number {
  return workFor(ctx, cluster).passes;
}
