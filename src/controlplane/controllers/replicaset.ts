import type { PodTemplateSpec } from '../../registry/podTemplate.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { generatedName } from './names.ts';
import { availableAt, isActivePod, isDeleting, isPodReady, ms, withoutZeros, type Condition, type Workload } from './objects.ts';
import { podFromTemplate } from './template.ts';

/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas
 * active pods that match the selector, owned by the set. It re-counts what it
 * owns at every pass, so a duplicated or late event never makes an extra pod.
 */

const component = 'replicaset-controller';
/** At most this many creations or deletions per pass (the controller's burstReplicas). */
const burstReplicas = 500;

/** calculateStatus: counts over the active pods. */
export function replicaSetStatus(rs: Workload, pods: Pod[], now: number): { status: Record<string, unknown>; nextDue?: number } {
  const templateLabels = Object.entries(rs.spec.template?.metadata?.labels ?? {});
  let fullyLabeled = 0, ready = 0, available = 0;
  let nextDue: number | undefined;
  const active = pods.filter(isActivePod);
  for (const pod of active) {
    if (templateLabels.every(([k, v]) => pod.metadata.labels?.[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) ready++;
    const at = availableAt(pod, rs.spec.minReadySeconds);
    if (at === undefined) continue;
    if (at <= now) available++;
    else nextDue = Math.min(nextDue ?? Infinity, at);
  }
  const conditions = (rs.status?.conditions ?? []) as Condition[];
  const status = withoutZeros({
    replicas: active.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1, ...(conditions.length ? { conditions } : {}),
  }, ['replicas']);
  return { status, nextDue };
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const readySince = (pod: Pod) => ms((pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready')?.lastTransitionTime);
const restarts = (pod: Pod) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));

/**
 * getPodsToDelete's ranking: unscheduled before scheduled, pending before
 * running, not ready before ready, crowded nodes first, ready for less time,
 * more restarts, newer first — the cheapest pods to lose go first.
 */
export function deletionOrder(pods: Pod[]): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const key = (p: Pod) => [
    p.spec.nodeName ? 1 : 0,
    phaseRank[p.status?.phase ?? 'Pending'] ?? 0,
    isPodReady(p) ? 1 : 0,
    -(perNode.get(p.spec.nodeName ?? '') ?? 0),
    -(readySince(p) || 0),
    -restarts(p),
    -(ms(p.metadata.creationTimestamp) || 0),
  ];
  return [...pods].sort((a, b) => {
    const ka = key(a), kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1;
  });
}

/** Anything that stamps pods out of a template. */
export type TemplateOwner = KubeObject & { spec: { template?: PodTemplateSpec } };

/** Creates pods named `<owner>-xxxxx` until `count` exist; returns how many it made. */
export async function createPods(pass: ControllerPass, owner: TemplateOwner, count: number, component: string, extra: Parameters<typeof podFromTemplate>[3] = {}): Promise<number> {
  const namespace = owner.metadata.namespace!;
  const taken = new Set((pass.inNamespace('pods', namespace)).map((p) => p.metadata.name));
  const seed = `${owner.metadata.uid}/${await pass.seed()}`;
  let made = 0;
  for (let k = 0; made < Math.min(count, burstReplicas) && k < count + 20; k++) {
    const name = generatedName(`${owner.metadata.name}-`, `${seed}/${k}`);
    if (taken.has(name)) continue;
    taken.add(name);
    const pod = await pass.create('pods', namespace, podFromTemplate(owner.spec.template, owner, name, extra));
    if (!pod) {
      // A name taken by a racing pass is no failure; anything else is what `kubectl describe` should show.
      if (pass.refused && pass.refused.reason !== 'AlreadyExists') {
        await pass.event(owner, 'Warning', 'FailedCreate', `Error creating: ${pass.refused.message}`, component);
        return made;
      }
      continue;
    }
    made++;
    await pass.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, component);
  }
  return made;
}

export async function deletePods(pass: ControllerPass, owner: KubeObject, victims: Pod[], component: string): Promise<void> {
  for (const pod of victims.slice(0, burstReplicas)) {
    if (await pass.remove('pods', pod)) await pass.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, component);
  }
}

export async function syncReplicaSets(pass: ControllerPass): Promise<void> {
  for (const rs of [...pass.objects.replicasets]) {
    if (isDeleting(rs)) continue; // its pods go with it (garbage collection)
    const owned = await pass.claim('pods', rs, rs.spec.selector, isActivePod);
    const active = owned.filter(isActivePod);
    const diff = active.length - (rs.spec.replicas ?? 1);
    if (diff < 0) await createPods(pass, rs, -diff, component);
    else if (diff > 0) await deletePods(pass, rs, deletionOrder(active).slice(0, diff), component);
    const current = pass.objects.replicasets.find((r) => r.metadata.uid === rs.metadata.uid) ?? rs;
    const { status, nextDue } = replicaSetStatus(current, pass.ownedBy('pods', current), pass.now);
    pass.wake(nextDue);
    await pass.writeStatus('replicasets', current, status);
  }
}
