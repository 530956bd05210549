import type { HostPort, NodeInfo, NodeSelectorRequirement, NodeSelectorTerm, PodInfo, Taint, Toleration } from './snapshot.ts';

/**
 * The default scheduler profile as data: filter plugins in kube-scheduler's
 * order (a node fails on the first one that rejects it) and weighted score
 * plugins. Reasons are worded as pkg/scheduler words them in v1.35, because
 * they end up in `0/N nodes are available: ...`.
 */

export interface FilterStatus {
  reasons: string[];
  /** UnschedulableAndUnresolvable: preemption cannot help on this node. */
  unresolvable: boolean;
}

export interface FilterPlugin {
  name: string;
  filter(pod: PodInfo, node: NodeInfo): FilterStatus | undefined;
}

export interface ScorePlugin {
  name: string;
  weight: number;
  score(pod: PodInfo, node: NodeInfo): number;
  /** DefaultNormalizeScore to 0..100 across the feasible nodes; `reverse` when lower is better. */
  normalize?: 'max' | 'reverse';
}

const unresolvable = (reason: string): FilterStatus => ({ reasons: [reason], unresolvable: true });

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator || 'Equal') {
    case 'Exists': return true;
    case 'Equal': return !!t.key && (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

const untolerated = (tolerations: Toleration[] | undefined, taint: Taint) => !(tolerations ?? []).some((t) => tolerates(t, taint));

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      return r.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default: return false;
  }
}

/** A NodeSelectorTerm: all its requirements (an empty term matches nothing). */
export function termMatches(term: NodeSelectorTerm, node: Pick<NodeInfo, 'name' | 'labels'>): boolean {
  const expressions = term.matchExpressions ?? [], fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return false;
  return expressions.every((r) => requirementMatches(r, node.labels[r.key]))
    && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.name));
}

export function matchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeInfo): boolean {
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (node.labels[k] !== v) return false;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.some((t) => termMatches(t, node));
}

const portsConflict = (a: HostPort, b: HostPort) =>
  a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');

/** The fixed resources checked first, in the order fitsRequest checks them. */
const ordered = ['cpu', 'memory', 'ephemeral-storage'];

export const filterPlugins: FilterPlugin[] = [
  {
    name: 'NodeUnschedulable',
    filter(pod, node) {
      if (!node.unschedulable) return undefined;
      const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
      return untolerated(pod.spec.tolerations, taint) ? unresolvable('node(s) were unschedulable') : undefined;
    },
  },
  {
    name: 'NodeName',
    filter: (pod, node) => (pod.spec.nodeName && pod.spec.nodeName !== node.name ? unresolvable("node(s) didn't match the requested node name") : undefined),
  },
  {
    name: 'TaintToleration',
    filter(pod, node) {
      const blocking = node.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && untolerated(pod.spec.tolerations, t));
      return blocking ? unresolvable('node(s) had untolerated taint(s)') : undefined;
    },
  },
  {
    name: 'NodeAffinity',
    filter: (pod, node) => (matchesNodeSelectorAndAffinity(pod, node) ? undefined : unresolvable("node(s) didn't match Pod's node affinity/selector")),
  },
  {
    name: 'NodePorts',
    filter: (pod, node) => (pod.hostPorts.some((p) => node.usedPorts.some((u) => portsConflict(p, u)))
      ? { reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false } : undefined),
  },
  {
    name: 'NodeResourcesFit',
    filter(pod, node) {
      const reasons: string[] = [];
      if (node.podCount + 1 > (node.allocatable.pods ?? 110)) reasons.push('Too many pods');
      const names = [...ordered, ...Object.keys(pod.requests).filter((n) => !ordered.includes(n) && n !== 'pods').sort()];
      for (const name of names) {
        const want = pod.requests[name] ?? 0;
        if (want > 0 && want > (node.allocatable[name] ?? 0) - (node.requested[name] ?? 0)) reasons.push(`Insufficient ${name}`);
      }
      return reasons.length ? { reasons, unresolvable: false } : undefined;
    },
  },
];

/** LeastAllocated over cpu and memory (weights 1, 1), with the non-zero request defaults. */
function leastAllocated(pod: PodInfo, node: NodeInfo): number {
  const part = (alloc: number, used: number) => (alloc <= 0 || used > alloc ? 0 : ((alloc - used) * 100) / alloc);
  return (part(node.allocatable.cpu ?? 0, node.nonZeroRequested.cpu + pod.nonZero.cpu)
    + part(node.allocatable.memory ?? 0, node.nonZeroRequested.memory + pod.nonZero.memory)) / 2;
}

/** BalancedAllocation: nodes whose cpu and memory fill up evenly score higher. */
function balanced(pod: PodInfo, node: NodeInfo): number {
  const fraction = (alloc: number, used: number) => (alloc <= 0 ? 1 : Math.min(1, used / alloc));
  const cpu = fraction(node.allocatable.cpu ?? 0, (node.requested.cpu ?? 0) + (pod.requests.cpu ?? 0));
  const memory = fraction(node.allocatable.memory ?? 0, (node.requested.memory ?? 0) + (pod.requests.memory ?? 0));
  return (1 - Math.abs(cpu - memory) / 2) * 100;
}

export const scorePlugins: ScorePlugin[] = [
  {
    name: 'TaintToleration', weight: 3, normalize: 'reverse',
    score: (pod, node) => node.taints.filter((t) => t.effect === 'PreferNoSchedule' && untolerated(pod.spec.tolerations?.filter((x) => !x.effect || x.effect === 'PreferNoSchedule'), t)).length,
  },
  {
    name: 'NodeAffinity', weight: 2, normalize: 'max',
    score: (pod, node) => (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .reduce((sum, p) => sum + (p.weight && termMatches(p.preference ?? {}, node) ? p.weight : 0), 0),
  },
  { name: 'NodeResourcesFit', weight: 1, score: leastAllocated },
  { name: 'NodeResourcesBalancedAllocation', weight: 1, score: balanced },
];

/** DefaultNormalizeScore(MaxNodeScore, reverse, scores). */
export function normalize(scores: number[], mode: 'max' | 'reverse'): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (mode === 'reverse' ? 100 : 0));
  return scores.map((s) => {
    const n = Math.floor((100 * s) / max);
    return mode === 'reverse' ? 100 - n : n;
  });
}
