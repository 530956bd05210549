import { ApiError } from '../apimachinery/errors.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { Registry } from '../registry/generic.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import { unitActive } from '../runtime/nodeFiles.ts';
import type { NodeStates } from './nodeStates.ts';
import { recordEvent } from './recorder.ts';

/**
 * A node whose kubelet stopped (`systemctl stop kubelet` on it), as the node lifecycle
 * controller and the taint-eviction controller see it: heartbeats are virtual while the
 * kubelet runs, so a stopped one is read from the node's state. After the node-monitor grace
 * period its conditions go Unknown (`Kubelet stopped posting node status.`), it is tainted
 * `node.kubernetes.io/unreachable` (NoSchedule and NoExecute), its pods are marked not ready,
 * and each pod that does not tolerate the NoExecute taint for longer is deleted when its
 * toleration runs out (300 s for most: the DefaultTolerationSeconds admission adds them). The
 * deleted pods stay Terminating while no kubelet confirms it. A kubelet started again posts
 * Ready at once; the taints go and its pods are ready again.
 */

/** kube-controller-manager's --node-monitor-grace-period (50 s since 1.32). */
export const nodeMonitorGraceMs = 50_000;

/** The conditions a kubelet posts for a healthy node (also a new cluster's, tenancy/bootstrap.ts). */
export const kubeletConditions: Array<[type: string, status: string, reason: string, message: string]> = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

const unreachable = 'node.kubernetes.io/unreachable';
type Taint = { key: string; value?: string; effect: string; timeAdded?: string };
type Toleration = { key?: string; operator?: string; effect?: string; tolerationSeconds?: number };
interface Condition { type: string; status: string; reason?: string; message?: string; lastHeartbeatTime?: string; lastTransitionTime?: string; lastProbeTime?: string | null }

const benign = (err: unknown) => err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound');

/** How long a pod stays on an unreachable node: undefined for ever, else seconds from the taint (0: at once). */
function toleratedSeconds(pod: Pod): number | undefined {
  const tolerations = ((pod.spec as { tolerations?: Toleration[] }).tolerations ?? []).filter((t) =>
    (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute') && (t.operator === 'Exists' ? (!t.key || t.key === unreachable) : t.key === unreachable));
  if (!tolerations.length) return 0;
  if (tolerations.some((t) => t.tolerationSeconds === undefined)) return undefined;
  return Math.max(0, Math.min(...tolerations.map((t) => t.tolerationSeconds!)));
}

/** One pass over the nodes; returns when something next falls due (a grace period, a toleration). */
export async function syncNodeLifecycle(registry: Registry, nodes: Node[], pods: Pod[], hosts: NodeStates): Promise<number | undefined> {
  const now = registry.now().getTime();
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  let next: number | undefined;
  const later = (t: number) => { next = Math.min(next ?? Infinity, t); };
  for (const node of nodes) {
    const name = node.metadata.name!;
    const state = hosts.states.get(name)?.state;
    const ready = (node.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
    const onNode = pods.filter((p) => p.spec?.nodeName === name);
    if (unitActive(state, 'kubelet')) {
      if (ready?.status === 'Unknown') await kubeletBack(registry, node, onNode, now);
      continue;
    }
    const since = Date.parse(state?.units.kubelet?.since ?? '') || now;
    const due = since + nodeMonitorGraceMs;
    if (due > now) { later(due); continue; }
    let tainted = node;
    if (ready?.status !== 'Unknown') tainted = await markUnknown(registry, node, onNode, since, due);
    const taintedAt = Date.parse((tainted.spec?.taints as Taint[] | undefined)?.find((t) => t.key === unreachable && t.effect === 'NoExecute')?.timeAdded ?? '') || due;
    for (const pod of onNode) {
      if (pod.metadata.deletionTimestamp) continue;
      const seconds = toleratedSeconds(pod);
      if (seconds === undefined) continue;
      const evictAt = taintedAt + seconds * 1000;
      if (evictAt > now) { later(evictAt); continue; }
      try {
        await registry.delete(podsDef, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
        await recordEvent(registry, { involved: pod, type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, source: { component: 'taint-eviction-controller' }, at: evictAt });
      } catch (err) {
        if (!benign(err)) throw err;
      }
    }
  }
  return next;
}

/** The node lifecycle controller's verdict on a silent node: conditions Unknown, unreachable taints, pods not ready. */
async function markUnknown(registry: Registry, node: Node, pods: Pod[], since: number, at: number): Promise<Node> {
  const nodesDef = registry.catalog.find('', 'v1', 'nodes')!;
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const name = node.metadata.name!;
  let written = node;
  try {
    await registry.mutate(nodesDef, undefined, name, (current) => {
      for (const c of ((current.status as { conditions?: Condition[] }).conditions ?? [])) {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: timestamp(since), lastTransitionTime: timestamp(at) });
      }
      return current;
    }, { subresource: 'status' });
    written = await registry.mutate(nodesDef, undefined, name, (current) => {
      const spec = (current.spec ?? {}) as { taints?: Taint[] };
      const taints = (spec.taints ?? []).filter((t) => t.key !== unreachable && t.key !== 'node.kubernetes.io/not-ready');
      spec.taints = [...taints, { key: unreachable, effect: 'NoSchedule', timeAdded: timestamp(at) }, { key: unreachable, effect: 'NoExecute', timeAdded: timestamp(at) }];
      current.spec = spec;
      return current;
    }) as Node;
  } catch (err) {
    if (!benign(err)) throw err;
    return node;
  }
  await recordEvent(registry, { involved: { ...node, kind: 'Node', apiVersion: 'v1' }, type: 'Normal', reason: 'NodeNotReady', message: `Node ${name} status is now: NodeNotReady`, source: { component: 'node-controller' }, at });
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || !['Running', 'Pending'].includes(pod.status?.phase ?? '')) continue;
    try {
      await registry.mutate(podsDef, pod.metadata.namespace, pod.metadata.name!, (current) => {
        const ready = ((current.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready');
        if (ready && ready.status !== 'False') Object.assign(ready, { status: 'False', lastTransitionTime: timestamp(at) });
        return current;
      }, { subresource: 'status' });
    } catch (err) {
      if (!benign(err)) throw err;
    }
    await recordEvent(registry, { involved: pod, type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready', source: { component: 'node-controller' }, at });
  }
  return written;
}

/** A kubelet started again: it posts Ready (and its pods' readiness) at once; the controller lifts the taints. */
async function kubeletBack(registry: Registry, node: Node, pods: Pod[], now: number): Promise<void> {
  const nodesDef = registry.catalog.find('', 'v1', 'nodes')!;
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const name = node.metadata.name!;
  const at = timestamp(now);
  try {
    await registry.as('kubelet').mutate(nodesDef, undefined, name, (current) => {
      const status = current.status as { conditions?: Condition[] };
      status.conditions = kubeletConditions.map(([type, value, reason, message]) => ({ type, status: value, lastHeartbeatTime: at, lastTransitionTime: at, reason, message }));
      return current;
    }, { subresource: 'status' });
    await registry.mutate(nodesDef, undefined, name, (current) => {
      const spec = (current.spec ?? {}) as { taints?: Taint[] };
      spec.taints = (spec.taints ?? []).filter((t) => t.key !== unreachable);
      if (!spec.taints.length) delete spec.taints;
      current.spec = spec;
      return current;
    });
  } catch (err) {
    if (!benign(err)) throw err;
    return;
  }
  const source = { component: 'kubelet', host: name };
  // The kubelet names its node by name, as its uid too (kubectl describe node asks for both).
  const involved = { ...node, kind: 'Node', apiVersion: 'v1', metadata: { ...node.metadata, uid: name } };
  await recordEvent(registry, { involved, type: 'Normal', reason: 'Starting', message: 'Starting kubelet.', source, at: now });
  await recordEvent(registry, { involved, type: 'Normal', reason: 'NodeReady', message: `Node ${name} status is now: NodeReady`, source, at: now });
  for (const pod of pods) {
    const statuses = (pod.status?.containerStatuses ?? []) as Array<{ ready?: boolean }>;
    const ready = (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
    if (pod.metadata.deletionTimestamp || ready?.status !== 'False' || !statuses.length || !statuses.every((s) => s.ready)) continue;
    try {
      await registry.as('kubelet').mutate(podsDef, pod.metadata.namespace, pod.metadata.name!, (current) => {
        const c = ((current.status as { conditions?: Condition[] }).conditions ?? []).find((x) => x.type === 'Ready');
        if (c) Object.assign(c, { status: 'True', lastTransitionTime: at });
        return current;
      }, { subresource: 'status' });
    } catch (err) {
      if (!benign(err)) throw err;
    }
  }
}
