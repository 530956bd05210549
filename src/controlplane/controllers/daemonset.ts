import type { Node } from '../../registry/resources/nodes.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import { matchesNodeSelectorAndAffinity, tolerates } from '../scheduler/plugins.ts';
import type { NodeInfo, NodeSelectorTerm, PodInfo, SchedulingSpec, Taint, Toleration } from '../scheduler/snapshot.ts';
import type { ControllerPass } from './context.ts';
import { syncHistory } from './history.ts';
import { byIdentity, generatedName, templateHash } from './names.ts';
import { availableAt, isActivePod, isDeleting, isPodReady, ms, scaledValue, withoutZeros, type Workload } from './objects.ts';
import { podFromTemplate } from './template.ts';

/**
 * The DaemonSet controller (pkg/controller/daemon): one pod on every node the
 * template may run on (nodeSelector, node affinity, taints it tolerates). As in
 * the real controller each pod is pinned with node affinity on metadata.name
 * and placed by the default scheduler. Template changes roll out node by node
 * within maxUnavailable; every pod carries the template's controller-revision-hash.
 */

const component = 'daemonset-controller';
export const revisionHashLabel = 'controller-revision-hash';
const generationLabel = 'pod-template-generation';

/** AddOrUpdateDaemonPodTolerations: daemons survive node trouble and cordons. */
function daemonTolerations(spec: SchedulingSpec): Toleration[] {
  const wanted: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(spec.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const out: Toleration[] = [...((spec.tolerations ?? []) as Toleration[])];
  for (const t of wanted) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

/** NodeShouldRunDaemonPod: selector, affinity and every NoSchedule/NoExecute taint tolerated. */
function eligible(ds: Workload, node: Node): boolean {
  const spec = (ds.spec.template?.spec ?? {}) as SchedulingSpec;
  const tolerations = daemonTolerations(spec);
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return false;
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []);
  const info = { name: node.metadata.name!, labels: node.metadata.labels ?? {}, taints } as NodeInfo;
  if (!matchesNodeSelectorAndAffinity({ spec } as PodInfo, info)) return false;
  return taints.every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerations.some((tol) => tolerates(tol, t)));
}

/** Eligibility per (DaemonSet, Node) object pair: both are reused across passes while unchanged. */
const eligibility = byIdentity((_ds: Workload) => new WeakMap<Node, boolean>());
function shouldRun(ds: Workload, node: Node): boolean {
  const known = eligibility(ds);
  let ok = known.get(node);
  if (ok === undefined) known.set(node, (ok = eligible(ds, node)));
  return ok;
}

/** util.ReplaceDaemonSetPodNodeNameNodeAffinity: the pod may only land on its node. */
function pinnedAffinity(spec: SchedulingSpec, node: string): SchedulingSpec['affinity'] {
  const field = { key: 'metadata.name', operator: 'In', values: [node] };
  const affinity = structuredClone(spec.affinity ?? {});
  const required = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: NodeSelectorTerm[] = required?.nodeSelectorTerms?.length
    ? required.nodeSelectorTerms.map((t) => ({ ...t, matchFields: [field] }))
    : [{ matchFields: [field] }];
  affinity.nodeAffinity = { ...(affinity.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } };
  return affinity;
}

/** util.GetTargetNodeName: the node a daemon pod is bound or pinned to. */
function targetNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec as SchedulingSpec).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.flatMap((t) => t.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In')?.values?.[0];
}

export const daemonSetHash = byIdentity((ds: Workload) => templateHash(ds.spec.template ?? {}, ds.status?.collisionCount));

/** The daemon pod for one node, as the controller creates it. */
export function daemonPod(ds: Workload, node: string, name: string): ReturnType<typeof podFromTemplate> {
  const spec = (ds.spec.template?.spec ?? {}) as SchedulingSpec;
  return podFromTemplate(ds.spec.template, ds, name, {
    labels: { [revisionHashLabel]: daemonSetHash(ds), [generationLabel]: String(ds.metadata.generation ?? 1) },
    spec: { affinity: pinnedAffinity(spec, node), tolerations: daemonTolerations(spec) },
  });
}

/** The DaemonSet's status over the nodes and its pods. */
export function daemonSetStatus(ds: Workload, nodes: Node[], pods: Pod[], now: number): { status: Record<string, unknown>; nextDue?: number } {
  const hash = daemonSetHash(ds);
  let desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  let nextDue: number | undefined;
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    if (!isActivePod(p)) continue;
    const name = targetNode(p) ?? '';
    (byNode.get(name) ?? byNode.set(name, []).get(name)!).push(p);
  }
  for (const node of nodes) {
    const mine = byNode.get(node.metadata.name!) ?? [];
    if (!shouldRun(ds, node)) { if (mine.length) misscheduled++; continue; }
    desired++;
    if (!mine.length) continue;
    current++;
    if (mine.some(isPodReady)) ready++;
    if (mine.some((p) => p.metadata.labels?.[revisionHashLabel] === hash)) updated++;
    const at = Math.min(...mine.map((p) => availableAt(p, ds.spec.minReadySeconds) ?? Infinity));
    if (at <= now) available++;
    else if (Number.isFinite(at)) nextDue = Math.min(nextDue ?? Infinity, at);
  }
  const status = withoutZeros({
    currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired, numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1, updatedNumberScheduled: updated, numberAvailable: available,
    numberUnavailable: desired - available, ...(ds.status?.collisionCount ? { collisionCount: ds.status.collisionCount } : {}),
  }, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady']);
  return { status, nextDue };
}

async function syncDaemonSet(pass: ControllerPass, ds: Workload): Promise<void> {
  const hash = daemonSetHash(ds);
  await syncHistory(pass, ds, hash, revisionHashLabel, new Set([hash]));
  const owned = await pass.claim('pods', ds, ds.spec.selector, isActivePod);
  const nodes = new Map(pass.objects.nodes.map((n) => [n.metadata.name!, n]));
  const seed = `${ds.metadata.uid}/${await pass.seed()}`;
  const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const desired = pass.objects.nodes.filter((n) => shouldRun(ds, n)).length;
  const maxUnavailable = rolling ? Math.max(1, scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true)) : 0;
  let unavailable = 0;
  const outdated: Pod[] = [];
  const kill = async (pod: Pod, reason?: string) => {
    if (reason) await pass.event(ds, 'Warning', 'FailedDaemonPod', reason, component);
    if (await pass.remove('pods', pod)) await pass.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, component);
  };
  const byNode = new Map<string, Pod[]>();
  for (const pod of owned) {
    const node = targetNode(pod) ?? '';
    (byNode.get(node) ?? byNode.set(node, []).get(node)!).push(pod);
  }
  for (const [name, pods] of byNode) {
    const node = nodes.get(name);
    // Pods on nodes that are gone or no longer eligible go.
    if (!node || !shouldRun(ds, node)) for (const pod of pods) if (!isDeleting(pod)) await kill(pod);
  }
  for (const node of pass.objects.nodes) {
    if (!shouldRun(ds, node)) continue;
    const name = node.metadata.name!;
    const pods = byNode.get(name) ?? [];
    for (const pod of pods.filter((p) => p.status?.phase === 'Failed' && !isDeleting(p))) {
      await kill(pod, `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${name}, will try to kill it`);
    }
    const live = pods.filter(isActivePod).sort((a, b) => (ms(a.metadata.creationTimestamp) || 0) - (ms(b.metadata.creationTimestamp) || 0));
    if (!live.length) {
      unavailable++;
      if (pods.some((p) => isDeleting(p) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) continue; // the old one is still stopping
      const podName = generatedName(`${ds.metadata.name}-`, `${seed}/${name}`);
      if (await pass.create('pods', ds.metadata.namespace, daemonPod(ds, name, podName))) {
        await pass.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`, component);
      }
      continue;
    }
    for (const extra of live.slice(1)) await kill(extra);
    const pod = live[0];
    const availableSince = availableAt(pod, ds.spec.minReadySeconds);
    if (availableSince === undefined || availableSince > pass.now) unavailable++;
    if (pod.metadata.labels?.[revisionHashLabel] !== hash) outdated.push(pod);
  }
  if (rolling) {
    // Unavailable old pods are replaced at once; available ones only within maxUnavailable.
    for (const pod of outdated.sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)))) {
      const down = !isPodReady(pod);
      if (!down && unavailable >= maxUnavailable) break;
      await kill(pod);
      if (!down) unavailable++;
    }
  }
  const current = pass.objects.daemonsets.find((d) => d.metadata.uid === ds.metadata.uid) ?? ds;
  const { status, nextDue } = daemonSetStatus(current, pass.objects.nodes, pass.ownedBy('pods', current), pass.now);
  pass.wake(nextDue);
  await pass.writeStatus('daemonsets', current, status);
}

export async function syncDaemonSets(pass: ControllerPass): Promise<void> {
  for (const ds of [...pass.objects.daemonsets]) {
    if (isDeleting(ds)) continue;
    await syncDaemonSet(pass, ds);
  }
}
