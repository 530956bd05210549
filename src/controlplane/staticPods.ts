import { ApiError } from '../apimachinery/errors.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { Registry } from '../registry/generic.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import type { KubeObject } from '../registry/types.ts';
import { componentRefuses } from '../runtime/componentFlags.ts';
import { manifestFiles, nodeFiles, unitActive, type NodeHost, type NodeState } from '../runtime/nodeFiles.ts';
import { configHash, mirrorPod, readManifest, type StaticPodManifest } from '../runtime/staticPods.ts';
import type { NodeStates } from './nodeStates.ts';

/**
 * The kubelet's file source: each node's kubelet reads its static pod manifests
 * (/etc/kubernetes/manifests, from the node's files) and keeps one mirror pod per manifest in
 * the API, named `<pod>-<node>`. A manifest whose content changed (its config hash) gets a new
 * mirror pod, as the kubelet kills the old pod and starts the new one; a manifest removed takes
 * its pod with it. The containers then run as any pod's do, so a component that refuses its
 * flags crash-loops (runtime/componentFlags.ts) — and does not do its work: the pass asks
 * `componentsRunning` before it schedules or runs the controllers.
 */

interface Desired { name: string; namespace: string; hash: string; manifest: StaticPodManifest }
interface NodePlan { desired: Desired[]; refused: Set<string>; present: Set<string> }

/** Plans by node host and state revision: a pass over an unchanged node reads nothing again. */
const plans = new Map<string, NodePlan>();

function planFor(host: NodeHost, state: NodeState, revision: number, cluster: string): NodePlan {
  const key = `${cluster}/${host.name}@${revision}|${JSON.stringify(host)}`;
  let plan = plans.get(key);
  if (plan) return plan;
  plan = { desired: [], refused: new Set(), present: new Set() };
  for (const [path, text] of manifestFiles(nodeFiles(host, state))) {
    const read = readManifest(path, text);
    if ('error' in read) continue;
    const manifest = read.pod;
    const component = manifest.metadata.labels?.component ?? manifest.metadata.name;
    plan.present.add(component);
    const containers = (manifest.spec as { containers?: Array<{ command?: string[] }> }).containers ?? [];
    if (containers.some((c) => componentRefuses(c.command))) plan.refused.add(component);
    plan.desired.push({ name: `${manifest.metadata.name}-${host.name}`, namespace: manifest.metadata.namespace || 'default', hash: configHash(text), manifest });
  }
  if (plans.size > 500) plans.delete(plans.keys().next().value!);
  plans.set(key, plan);
  return plan;
}

const isMirror = (pod: Pod) => !!pod.metadata.annotations?.['kubernetes.io/config.mirror'];

/**
 * Whether the control plane's own components run: a component whose manifest is gone or refused
 * is down, and so is everything when kube-apiserver is (this server still answers kubectl: see
 * the README's Known differences).
 */
export interface ComponentsRunning { scheduler: boolean; controllers: boolean }

export async function syncStaticPods(registry: Registry, nodes: Node[], pods: Pod[], hosts: NodeStates): Promise<ComponentsRunning> {
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const running: ComponentsRunning = { scheduler: true, controllers: true };
  for (const node of nodes) {
    const name = node.metadata.name!;
    const stored = hosts.states.get(name);
    const host = hosts.host(node);
    // Only a control-plane node has manifests unless someone wrote one on another node.
    if (!host.controlPlane && !Object.keys(stored?.state.files ?? {}).some((p) => p.startsWith('/etc/kubernetes/manifests/'))) continue;
    const plan = planFor(host, stored?.state ?? { files: {}, units: {} }, stored?.revision ?? 0, registry.cluster);
    if (host.controlPlane) {
      // Without its API server (here: one that cannot reach etcd) no component gets anything done.
      const apiserver = plan.present.has('kube-apiserver') && !plan.refused.has('kube-apiserver');
      running.scheduler = apiserver && plan.present.has('kube-scheduler') && !plan.refused.has('kube-scheduler');
      running.controllers = apiserver && plan.present.has('kube-controller-manager') && !plan.refused.has('kube-controller-manager');
    }
    // A stopped kubelet reads no manifests: its pods stay as they were.
    if (!unitActive(stored?.state, 'kubelet')) continue;
    const mine = pods.filter((p) => isMirror(p) && p.spec?.nodeName === name);
    const wanted = new Map(plan.desired.map((d) => [`${d.namespace}/${d.name}`, d]));
    for (const pod of mine) {
      const want = wanted.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
      if (want && pod.metadata.annotations?.['kubernetes.io/config.hash'] === want.hash && !pod.metadata.deletionTimestamp) { wanted.delete(`${want.namespace}/${want.name}`); continue; }
      try {
        await registry.delete(podsDef, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (err) {
        if (!(err instanceof ApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
      }
    }
    for (const want of wanted.values()) {
      try {
        await registry.create(podsDef, want.namespace, mirrorPod(want.manifest, { name, uid: node.metadata.uid! }, want.hash, timestamp(registry.now())) as KubeObject);
      } catch (err) {
        // The old mirror pod is still going, or the manifest makes no valid pod (the kubelet logs it and goes on).
        if (!(err instanceof ApiError)) throw err;
      }
    }
  }
  return running;
}
