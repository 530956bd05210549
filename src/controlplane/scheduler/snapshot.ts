import type { Node } from '../../registry/resources/nodes.ts';
import type { Pod, PodSpec } from '../../registry/resources/pods.ts';
import { addInto, nonZeroRequests, podRequests, toResources, type Resources } from './resources.ts';

/**
 * The scheduler's view of one cycle (its NodeInfo snapshot): per node, what is
 * allocatable and what bound pods already request, computed once per batch and
 * updated in place as the batch binds pods, so a batch of n pods on m nodes
 * costs O(n·m), never O(n²).
 */

export interface Taint { key: string; value?: string; effect: string }
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string }
export interface HostPort { ip: string; protocol: string; port: number }

export type SchedulingSpec = PodSpec & {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: NodeAffinity };
  tolerations?: Toleration[];
  priority?: number;
  preemptionPolicy?: string;
  schedulerName?: string;
  schedulingGates?: unknown[];
  hostNetwork?: boolean;
};

export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
}

/** A pod to place, with its requests worked out once. */
export interface PodInfo {
  pod: Pod;
  spec: SchedulingSpec;
  requests: Resources;
  nonZero: { cpu: number; memory: number };
  hostPorts: HostPort[];
}

export interface NodeInfo {
  name: string;
  node: Node;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: Resources;
  requested: Resources;
  nonZeroRequested: { cpu: number; memory: number };
  podCount: number;
  usedPorts: HostPort[];
}

/** Pods are treated as immutable by the control plane, so their scheduling view is computed once. */
const infos = new WeakMap<Pod, PodInfo>();

export function podInfo(pod: Pod): PodInfo {
  let info = infos.get(pod);
  if (!info) infos.set(pod, (info = computePodInfo(pod)));
  return info;
}

function computePodInfo(pod: Pod): PodInfo {
  const spec = (pod.spec ?? {}) as SchedulingSpec;
  const hostPorts: HostPort[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of (c.ports ?? []) as Array<{ hostPort?: number; hostIP?: string; protocol?: string }>) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return { pod, spec, requests: podRequests(spec), nonZero: nonZeroRequests(spec), hostPorts };
}

/** Does this pod hold node resources? Bound and not finished (terminating pods still do). */
const holdsResources = (pod: Pod) => !!pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

export function nodeInfo(node: Node): NodeInfo {
  const spec = (node.spec ?? {}) as { unschedulable?: boolean; taints?: Taint[] };
  return {
    name: node.metadata.name!, node, labels: node.metadata.labels ?? {}, taints: spec.taints ?? [], unschedulable: !!spec.unschedulable,
    allocatable: toResources(node.status?.allocatable), requested: {}, nonZeroRequested: { cpu: 0, memory: 0 }, podCount: 0, usedPorts: [],
  };
}

/** Accounts a bound pod on its node (AddPod). */
export function addPod(info: NodeInfo, pod: PodInfo): void {
  addInto(info.requested, pod.requests);
  info.nonZeroRequested.cpu += pod.nonZero.cpu;
  info.nonZeroRequested.memory += pod.nonZero.memory;
  info.podCount++;
  info.usedPorts.push(...pod.hostPorts);
}

export function buildSnapshot(nodes: Node[], pods: Pod[]): Map<string, NodeInfo> {
  const infos = new Map<string, NodeInfo>();
  for (const node of nodes) infos.set(node.metadata.name!, nodeInfo(node));
  for (const pod of pods) {
    if (!holdsResources(pod)) continue;
    const info = infos.get(pod.spec.nodeName!);
    if (info) addPod(info, podInfo(pod));
  }
  return infos;
}
