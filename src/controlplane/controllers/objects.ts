import type { LabelSelector } from '../../apimachinery/selectors.ts';
import type { PodTemplateSpec } from '../../registry/podTemplate.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import type { KubeObject } from '../../registry/types.ts';
import { timestamp } from '../../apimachinery/time.ts';

/**
 * Typed views of the workload objects the controllers read, and the small
 * predicates every controller shares (ownership, pod readiness, availability).
 * Objects read in a pass are shared with the pass cache: never mutate them.
 */

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean;
}

export type IntOrString = number | string;

export interface Condition {
  type: string; status: string; reason?: string; message?: string;
  lastTransitionTime?: string; lastUpdateTime?: string; lastProbeTime?: string | null;
}

export interface WorkloadSpec {
  replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec; minReadySeconds?: number; revisionHistoryLimit?: number; paused?: boolean;
  progressDeadlineSeconds?: number; serviceName?: string; podManagementPolicy?: string;
  volumeClaimTemplates?: KubeObject[]; persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
}

export type WorkloadStatus = Record<string, unknown> & { observedGeneration?: number; conditions?: Condition[]; collisionCount?: number };
export type Workload = KubeObject & { spec: WorkloadSpec; status?: WorkloadStatus };

export interface JobSpec {
  parallelism?: number; completions?: number; backoffLimit?: number; activeDeadlineSeconds?: number; ttlSecondsAfterFinished?: number;
  suspend?: boolean; selector?: LabelSelector; template?: PodTemplateSpec; completionMode?: string;
}
export interface JobStatus {
  conditions?: Condition[]; startTime?: string; completionTime?: string; active?: number; succeeded?: number; failed?: number;
  ready?: number; terminating?: number; uncountedTerminatedPods?: Record<string, unknown>;
}
export type Job = KubeObject & { spec: JobSpec; status?: JobStatus };

export interface ObjectReference { apiVersion: string; kind: string; name: string; namespace: string; uid: string; resourceVersion?: string }
export type CronJob = KubeObject & {
  spec: {
    schedule?: string; timeZone?: string; startingDeadlineSeconds?: number; concurrencyPolicy?: string; suspend?: boolean;
    successfulJobsHistoryLimit?: number; failedJobsHistoryLimit?: number;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: JobSpec };
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
};

export type ControllerRevision = KubeObject & { revision?: number; data?: unknown };

export const ms = (t: string | undefined | null): number => (t ? Date.parse(t) : NaN);

export const ownerReferences = (obj: KubeObject): OwnerReference[] => (obj.metadata.ownerReferences ?? []) as OwnerReference[];
export const controllerOf = (obj: KubeObject): OwnerReference | undefined => ownerReferences(obj).find((r) => r.controller);
export const isDeleting = (obj: KubeObject): boolean => !!obj.metadata.deletionTimestamp;

/** The reference a controller puts on what it creates (NewControllerRef). */
export function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
/** controller.IsPodActive: neither finished nor on its way out. */
export const isActivePod = (pod: Pod): boolean => !isTerminal(pod) && !isDeleting(pod);

const readyCondition = (pod: Pod) => (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
export const isPodReady = (pod: Pod): boolean => readyCondition(pod)?.status === 'True';

/**
 * When a ready pod counts as available (ready for minReadySeconds), in ms;
 * undefined while it is not ready. A time in the future means "wake up then".
 */
export function availableAt(pod: Pod, minReadySeconds = 0): number | undefined {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return undefined;
  if (!minReadySeconds) return -Infinity;
  return (ms(ready.lastTransitionTime) || 0) + minReadySeconds * 1000;
}

/** The only fields a status may omit when zero (Go's omitempty on int32 counters). */
export function withoutZeros<T extends Record<string, unknown>>(status: T, keep: string[] = []): T {
  for (const [k, v] of Object.entries(status)) if ((v === 0 && !keep.includes(k)) || v === undefined) delete status[k];
  return status;
}

/**
 * Sets a condition as the controllers' SetCondition helpers do: an unchanged
 * status keeps its lastTransitionTime; an unchanged status and reason keeps the
 * condition as it is (so a steady object is written nothing), unless `refresh`
 * asks for a new lastUpdateTime (a Deployment that made progress).
 */
export function setCondition(conditions: Condition[], next: Condition, at: number, refresh = false): Condition[] {
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason && !refresh) return conditions;
  const stamped: Condition = { ...next };
  const now = timestamp(at);
  if ('lastUpdateTime' in next) stamped.lastUpdateTime = now;
  stamped.lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : now;
  const index = conditions.indexOf(current!);
  return index >= 0 ? conditions.map((c, i) => (i === index ? stamped : c)) : [...conditions, stamped];
}

export const hasCondition = (conditions: Condition[] | undefined, type: string): boolean =>
  (conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** IntOrString against a total (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number(value) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
