import type { Registry } from '../registry/generic.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import type { KubeObject } from '../registry/types.ts';
import { bindPod } from '../registry/resources/podBinding.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { timestamp } from '../apimachinery/time.ts';
import { eventName, recordEvent } from './recorder.ts';
import { filterPlugins, normalize, scorePlugins, type FilterStatus } from './scheduler/plugins.ts';
import { addPod, buildSnapshot, podInfo, type NodeInfo, type PodInfo } from './scheduler/snapshot.ts';
import { podVolumes, type StorageView } from './scheduler/volumes.ts';
import { selectedNodeAnnotation } from './controllers/volumeBinding.ts';
import { recordDecision, type NodeVerdict } from './scheduler/trace.ts';
import type { TraceSink } from '../trace/types.ts';

/**
 * The default scheduler, level-triggered: one cycle takes every pending pod of
 * the cluster, filters and scores the nodes with the plugin lists, and binds
 * through pods/binding (compare-and-swap: a pod is bound at most once, however
 * often its events arrive).
 *
 * An unschedulable pod is tried again only when something that could help has
 * happened since its last attempt: a node change or a pod deletion whose
 * revision is newer than that attempt, or the 5-minute flush of
 * kube-scheduler's unschedulable queue (on resync). Duplicate or late events
 * carry old revisions, so they retry nothing and the FailedScheduling count
 * only grows on real retries.
 */

export const schedulerName = 'default-scheduler';
const source = { component: schedulerName };
/** podMaxInUnschedulablePodsDuration. */
const unschedulableFlushMs = 5 * 60_000;

export interface SchedulingTrigger {
  /** The newest revision of a node change or pod deletion that prompted this cycle (0: none). */
  retryRevision: number;
  /** Periodic resync: retry pods whose last attempt is older than the flush interval. */
  flush: boolean;
}

interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastProbeTime?: string | null }
const scheduledCondition = (pod: Pod) => (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'PodScheduled');

/** Pods still waiting for a node (a pass replaces the ones it bound in its list). */
export const anyPending = (pods: Pod[]): boolean => pods.some(isPending);

/**
 * Did a node change after the scheduler read the nodes it decided on? kube-scheduler's
 * moveRequestCycle: a pod found unschedulable on nodes that changed meanwhile is tried again at
 * once. The change's own event cannot do it here: it is older than the Unschedulable record the
 * pass wrote after it, and an attempt is retried only for changes newer than its record.
 */
export function nodesMoved(read: Node[], now: Node[]): boolean {
  if (read.length !== now.length) return true;
  const versions = new Map(read.map((n) => [n.metadata.name, n.metadata.resourceVersion]));
  return now.some((n) => versions.get(n.metadata.name) !== n.metadata.resourceVersion);
}

function isPending(pod: Pod): boolean {
  const spec = pod.spec as { schedulerName?: string; schedulingGates?: unknown[] } | undefined;
  return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && (spec?.schedulerName ?? schedulerName) === schedulerName
    && !spec?.schedulingGates?.length && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

const priorityOf = (pod: Pod) => Number((pod.spec as { priority?: number }).priority ?? 0);

const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);

/** The queue order: priority, then age (PrioritySort), then name for determinism. */
function byQueueOrder(a: Pod, b: Pod): number {
  return priorityOf(b) - priorityOf(a) || cmp(a.metadata.creationTimestamp, b.metadata.creationTimestamp)
    || cmp(a.metadata.namespace, b.metadata.namespace) || cmp(a.metadata.name, b.metadata.name);
}

/**
 * FitError.Error() plus the PostFilter messages of DynamicResources and DefaultPreemption.
 * A PreFilter refusal (VolumeBinding's) is the whole reason, for every node; DynamicResources,
 * whose PreFilter then never ran, adds nothing.
 */
function fitErrorMessage(pod: PodInfo, total: number, statuses: FilterStatus[], refused?: string): string {
  if (!total) return 'no nodes available to schedule pods';
  if (refused) return `0/${total} nodes are available: ${refused}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
  const histogram = (entries: string[]) => {
    const counts = new Map<string, number>();
    for (const r of entries) counts.set(r, (counts.get(r) ?? 0) + 1);
    return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
  };
  const filterMsg = histogram(statuses.flatMap((s) => s.reasons));
  let preemption: string;
  if (pod.spec.preemptionPolicy === 'Never') preemption = 'not eligible due to preemptionPolicy=Never.';
  else {
    // Nodes rejected for resources could be helped by evicting lower-priority pods; there are none to evict here.
    preemption = `0/${total} nodes are available: ${histogram(statuses.map((s) => (s.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod')))}.`;
  }
  return `0/${total} nodes are available: ${filterMsg}. no new claims to deallocate, preemption: ${preemption}`;
}

/** Filters (the pod's volume filter last, as VolumeBinding follows NodeResourcesFit), then the weighted, normalized scores; the best node (ties: by name). */
function selectNode(pod: PodInfo, nodes: NodeInfo[], volumeFilter: (node: NodeInfo) => FilterStatus | undefined): { node?: NodeInfo; statuses: FilterStatus[]; verdicts: NodeVerdict[] } {
  const feasible: NodeInfo[] = [];
  const statuses: FilterStatus[] = [];
  const verdicts: NodeVerdict[] = [];
  for (const node of nodes) {
    let failed: FilterStatus | undefined, by = 'VolumeBinding';
    for (const plugin of filterPlugins) if ((failed = plugin.filter(pod, node))) { by = plugin.name; break; }
    failed ??= volumeFilter(node);
    if (failed) statuses.push(failed); else feasible.push(node);
    verdicts.push(failed ? { node: node.name, rejectedBy: by, reasons: failed.reasons } : { node: node.name });
  }
  if (feasible.length <= 1) return { node: feasible[0], statuses, verdicts };
  const totals = feasible.map(() => 0);
  for (const plugin of scorePlugins) {
    const raw = feasible.map((n) => plugin.score(pod, n));
    const scores = plugin.normalize ? normalize(raw, plugin.normalize) : raw;
    scores.forEach((s, i) => (totals[i] += s * plugin.weight));
  }
  let best = 0;
  for (let i = 1; i < feasible.length; i++) if (totals[i] > totals[best] + 1e-9) best = i;
  feasible.forEach((n, i) => (verdicts.find((v) => v.node === n.name)!.score = totals[i]));
  return { node: feasible[best], statuses, verdicts };
}

/** Should this pod (unschedulable before) be tried again now? */
async function dueForRetry(registry: Registry, pod: Pod, condition: Condition, trigger: SchedulingTrigger, now: number): Promise<boolean> {
  let lastAttemptRevision = Number(pod.metadata.resourceVersion);
  // The pod's last FailedScheduling event can only move its last attempt later, so a pass that
  // no change could have helped (no newer trigger, no flush) answers no without reading it, as
  // kube-scheduler leaves its unschedulable queue alone on an event no plugin's hint cares for.
  // Otherwise every pass of a cluster with many pending pods read one event per pod.
  if (!trigger.flush && trigger.retryRevision <= lastAttemptRevision) return false;
  const eventsDef = registry.catalog.find('', 'v1', 'events')!;
  const name = eventName({ involved: pod, type: 'Warning', reason: 'FailedScheduling', message: condition.message ?? '', source, at: now });
  let lastAttemptAt = Date.parse(condition.lastTransitionTime ?? '') || 0;
  try {
    const event = await registry.get(eventsDef, pod.metadata.namespace, name) as KubeObject & { lastTimestamp?: string };
    lastAttemptRevision = Math.max(lastAttemptRevision, Number(event.metadata.resourceVersion));
    lastAttemptAt = Date.parse(event.lastTimestamp ?? '') || lastAttemptAt;
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
  }
  return trigger.retryRevision > lastAttemptRevision || (trigger.flush && now - lastAttemptAt >= unschedulableFlushMs);
}

/**
 * One scheduling cycle over the cluster's pending pods. Bound pods replace
 * their entries in `pods`, so the kubelets can start them in the same pass.
 */
export async function schedulePending(registry: Registry, nodes: Node[], pods: Pod[], trigger: SchedulingTrigger, storage?: StorageView, traces?: TraceSink): Promise<number> {
  const pending = pods.filter(isPending).sort(byQueueOrder);
  if (!pending.length) return 0;
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const snapshot = buildSnapshot(nodes, pods);
  const nodeInfos = [...snapshot.values()].sort((a, b) => cmp(a.name, b.name));
  const now = registry.now().getTime();
  let bound = 0;
  for (const pod of pending) {
    const condition = scheduledCondition(pod);
    const attempted = condition?.status === 'False' && condition.reason === 'Unschedulable';
    if (attempted && !(await dueForRetry(registry, pod, condition, trigger, now))) continue;
    const info = podInfo(pod);
    const volumes = podVolumes(pod, storage);
    if (volumes.binding) continue; // PreBind: the PV controller is binding its claims on the chosen node
    const { node, statuses, verdicts } = volumes.refused ? { node: undefined, statuses: [], verdicts: [] } : selectNode(info, nodeInfos, volumes.filter);
    const { namespace, name } = pod.metadata as { namespace: string; name: string };
    if (node && volumes.toSelect.length) {
      await selectNodeForClaims(registry, volumes.toSelect, node.name, storage!);
      continue;
    }
    if (node) {
      let result: KubeObject;
      try {
        result = await bindPod(registry, podsDef, namespace, name, { metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node.name } } as KubeObject);
      } catch (err) {
        if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound')) continue; // bound or deleted meanwhile
        throw err;
      }
      recordDecision(traces, registry.cluster, registry.now(), pod, verdicts, { node: node.name, revision: Number(result.metadata.resourceVersion) });
      addPod(node, info);
      pods[pods.indexOf(pod)] = result as Pod;
      bound++;
      await recordEvent(registry, { involved: result, type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${namespace}/${name} to ${node.name}`, source, at: now });
      continue;
    }
    const message = fitErrorMessage(info, nodeInfos.length, statuses, volumes.refused);
    recordDecision(traces, registry.cluster, registry.now(), pod, verdicts, { message });
    if (condition?.message !== message || condition.status !== 'False') {
      try {
        await registry.mutate(podsDef, namespace, name, (current) => {
          const status = ((current as Pod).status ??= {});
          const conditions = ((status.conditions ?? []) as Condition[]).filter((c) => c.type !== 'PodScheduled');
          conditions.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: condition?.status === 'False' ? condition.lastTransitionTime : timestamp(now), reason: 'Unschedulable', message });
          status.conditions = conditions as PodStatusConditions;
          return current;
        }, { subresource: 'status', expectedResourceVersion: pod.metadata.resourceVersion });
      } catch (err) {
        if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound')) continue; // changed meanwhile: its own event brings it back
        throw err;
      }
    }
    await recordEvent(registry, { involved: pod, type: 'Warning', reason: 'FailedScheduling', message, source, at: now });
  }
  return bound;
}

/** PreBind of VolumeBinding for claims that waited for this pod: the chosen node, for the PV controller to bind or provision on. */
async function selectNodeForClaims(registry: Registry, claims: StorageView['persistentvolumeclaims'], node: string, storage: StorageView): Promise<void> {
  const def = registry.catalog.find('', 'v1', 'persistentvolumeclaims')!;
  for (const claim of claims) {
    try {
      const written = await registry.mutate(def, claim.metadata.namespace, claim.metadata.name!, (current) => {
        (current.metadata.annotations ??= {})[selectedNodeAnnotation] = node;
        return current;
      }, { expectedResourceVersion: claim.metadata.resourceVersion });
      const list = storage.persistentvolumeclaims;
      list[list.indexOf(claim)] = written;
    } catch (err) {
      if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound')) continue; // changed meanwhile: its event brings another cycle
      throw err;
    }
  }
}

type PodStatusConditions = NonNullable<NonNullable<Pod['status']>['conditions']>;
