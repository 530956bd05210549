import { selectorMatches, selectorString } from '../../apimachinery/selectors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import { setStatusCondition, withDisruptionAllowedCondition, type PodDisruptionBudgetStatus } from '../../registry/resources/policy.ts';
import type { ControllerPass } from './context.ts';
import { controllerOf, isDeleting, isPodReady, ms, scaledValue, type OwnerReference } from './objects.ts';
import type { DisruptionBudget } from './serviceObjects.ts';

/**
 * The disruption controller (pkg/controller/disruption): keeps each
 * PodDisruptionBudget's status — how many selected pods are healthy, how many
 * must be, and so how many disruptions (evictions) are allowed now. The
 * eviction subresource decrements disruptionsAllowed with compare-and-swap and
 * names the pod in disruptedPods; such a pod does not count as healthy until it
 * is gone, or for two minutes if it never goes.
 */

const component = 'controllermanager';
/** DeletionTimeout: how long an evicted pod is expected to take to go. */
const deletionTimeoutMs = 2 * 60 * 1000;

/** The replicas of the workload behind a pod (the finders: ReplicaSet or its Deployment, StatefulSet). */
function controllerScale(pass: ControllerPass, namespace: string | undefined, ref: OwnerReference): number | undefined {
  const find = <T extends { metadata: { uid?: string } }>(list: T[]) => list.find((o) => o.metadata.uid === ref.uid);
  if (ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1') {
    const rs = find(pass.inNamespace('replicasets', namespace));
    if (!rs) return undefined;
    const owner = controllerOf(rs);
    if (owner?.kind !== 'Deployment') return rs.spec.replicas ?? 1;
    const deployment = pass.inNamespace('deployments', namespace).find((d) => d.metadata.uid === owner.uid);
    return deployment ? deployment.spec.replicas ?? 1 : undefined;
  }
  if (ref.kind === 'StatefulSet' && ref.apiVersion === 'apps/v1') {
    const sts = find(pass.inNamespace('statefulsets', namespace));
    return sts ? sts.spec.replicas ?? 1 : undefined;
  }
  return undefined;
}

/** getExpectedScale: the summed scale of the pods' controllers; pods with none are reported, not counted. */
function expectedScale(pass: ControllerPass, pdb: DisruptionBudget, pods: Pod[]): { expected: number; unmanaged: string[] } | { error: string } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) { unmanaged.push(pod.metadata.name!); continue; }
    if (scales.has(ref.uid)) continue;
    const scale = controllerScale(pass, pdb.metadata.namespace, ref);
    if (scale === undefined) return { error: `found no controllers for pod "${pod.metadata.name}"` };
    scales.set(ref.uid, scale);
  }
  return { expected: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
}

/** getExpectedPodCount: an integer minAvailable counts the pods; a percentage or maxUnavailable asks their controllers. */
function expectedPodCount(pass: ControllerPass, pdb: DisruptionBudget, pods: Pod[]): { expected: number; desired: number; unmanaged: string[] } | { error: string } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable != null) {
    const scale = expectedScale(pass, pdb, pods);
    if ('error' in scale) return scale;
    const desired = Math.max(0, scale.expected - scaledValue(spec.maxUnavailable, scale.expected, true));
    return { ...scale, desired };
  }
  if (typeof spec.minAvailable === 'number') return { expected: pods.length, desired: spec.minAvailable, unmanaged: [] };
  if (typeof spec.minAvailable === 'string') {
    const scale = expectedScale(pass, pdb, pods);
    if ('error' in scale) return scale;
    return { ...scale, desired: scaledValue(spec.minAvailable, scale.expected, true) };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

/** buildDisruptedPodMap: evictions still expected to complete; the earliest expiry is when to look again. */
function pendingDisruptions(pdb: DisruptionBudget, pods: Pod[], now: number): { disrupted: Record<string, string>; recheck?: number } {
  const disrupted: Record<string, string> = {};
  let recheck: number | undefined;
  const recorded = pdb.status?.disruptedPods ?? {};
  for (const pod of pods) {
    const at = recorded[pod.metadata.name!];
    if (at === undefined || isDeleting(pod)) continue;
    const expires = ms(at) + deletionTimeoutMs;
    if (expires < now) continue;
    disrupted[pod.metadata.name!] = at;
    recheck = Math.min(recheck ?? Infinity, expires);
  }
  return { disrupted, recheck };
}

/** countHealthyPods: Ready, not terminating, not just evicted. */
const countHealthy = (pods: Pod[], disrupted: Record<string, string>) =>
  pods.filter((p) => !isDeleting(p) && !(p.metadata.name! in disrupted) && isPodReady(p)).length;

export async function syncDisruptionBudgets(pass: ControllerPass): Promise<void> {
  for (const pdb of [...pass.objects.poddisruptionbudgets]) {
    if (isDeleting(pdb)) continue;
    const pods = pass.inNamespace('pods', pdb.metadata.namespace).filter((p) => selectorMatches(pdb.spec?.selector, p.metadata.labels));
    const at = timestamp(pass.now);
    const generation = pdb.metadata.generation ?? 1;
    const count = expectedPodCount(pass, pdb, pods);
    if ('error' in count) {
      // failSafe: nothing may be disrupted while the budget cannot be computed.
      const status: PodDisruptionBudgetStatus = {
        ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), disruptionsAllowed: 0,
        conditions: setStatusCondition(pdb.status?.conditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: count.error, observedGeneration: pdb.status?.observedGeneration }, at),
      };
      if (await written(pass, pdb, status)) await pass.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${count.error}`, component);
      continue;
    }
    const { disrupted, recheck } = pendingDisruptions(pdb, pods, pass.now);
    pass.wake(recheck);
    const currentHealthy = countHealthy(pods, disrupted);
    const allowed = currentHealthy - count.desired;
    const status = withDisruptionAllowedCondition({
      ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: count.expected <= 0 || allowed <= 0 ? 0 : allowed,
      currentHealthy, desiredHealthy: count.desired, expectedPods: count.expected, observedGeneration: generation,
      conditions: pdb.status?.conditions,
    }, at);
    // Events go with a status change only: a steady budget writes nothing.
    if (!(await written(pass, pdb, status))) continue;
    if (!pods.length) await pass.event(pdb, 'Normal', 'NoPods', 'No matching pods found', component);
    if (count.unmanaged.length) {
      await pass.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selectorString(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`, component);
    }
  }
}

/** Writes the status if it changed; true when it did. */
async function written(pass: ControllerPass, pdb: DisruptionBudget, status: PodDisruptionBudgetStatus): Promise<boolean> {
  const result = await pass.writeStatus('poddisruptionbudgets', pdb, status);
  return !!result && result !== pdb;
}
