import { formatQuantity, milliValue } from '../../apimachinery/quantity.ts';
import { selectorMatches } from '../../apimachinery/selectors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import type { HorizontalPodAutoscaler, HPACondition, MetricSpec, MetricStatus } from '../../registry/resources/autoscaling.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import { podUsage, serviceLoad } from '../../runtime/podUsage.ts';
import type { ControllerPass, Kind } from './context.ts';
import { isDeleting, ms, type Workload } from './objects.ts';

/**
 * The horizontal pod autoscaler (pkg/controller/podautoscaler): for each HPA, the target's
 * scale, its pods' resource metrics (the same figures metrics.k8s.io serves, from
 * runtime/podUsage.ts), the replica calculator's proposal (usage ratio, 10% tolerance, missing
 * and unready pods), then the limits (min/max, scale-up rate) and the target scaled through
 * its spec.replicas, as the scale subresource writes it. The status and events are written only
 * when they change, so a steady HPA writes nothing.
 *
 * Differences kept small and deliberate: the controller runs on the cluster's passes rather than
 * every 15 s (after a rescale it waits 15 s, as one sync period), and the 5-minute scale-down
 * stabilization counts from the last rescale (recommendations are not kept between passes).
 */

const component = 'horizontal-pod-autoscaler';
const tolerance = 0.1;
const syncPeriodMs = 15_000;
const downscaleStabilizationMs = 300_000;

/** The kinds a scaleTargetRef may name here (apps/v1), by the pass's lists. */
const targetKinds: Record<string, Kind> = { Deployment: 'deployments', ReplicaSet: 'replicasets', StatefulSet: 'statefulsets' };

interface Proposal { replicas: number; status: MetricStatus; name: string }
class MetricError extends Error {}

type Observed = { pods: Pod[]; load: Map<string, number>; now: Date };

/** What a metric is called in events and conditions (`cpu resource utilization (percentage of request)`). */
const metricName = (spec: MetricSpec) =>
  `${spec.resource?.name} resource${spec.resource?.target?.type === 'Utilization' ? ' utilization (percentage of request)' : ''}`;

/** groupPods: pods that count, those not ready yet (for cpu), those with no figures. */
function groupPods(pods: Pod[], figures: Map<string, number>, resource: string) {
  const ready = new Map<string, number>(), unready: Pod[] = [], missing: Pod[] = [];
  for (const pod of pods) {
    if (isDeleting(pod) || pod.status?.phase === 'Failed') continue;
    if (pod.status?.phase === 'Pending') { unready.push(pod); continue; }
    const value = figures.get(pod.metadata.name!);
    if (value === undefined) { missing.push(pod); continue; }
    const readyCondition = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (resource === 'cpu' && readyCondition?.status !== 'True') { unready.push(pod); continue; }
    ready.set(pod.metadata.name!, value);
  }
  return { ready, unready, missing };
}

/** Sum of the pod's containers' requests for the resource (calculatePodRequests), in thousandths. */
function podRequest(pod: Pod, resource: string): number {
  let sum = 0;
  for (const c of pod.spec.containers ?? []) {
    const request = c.resources?.requests?.[resource];
    if (request === undefined) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
    sum += milliValue(request);
  }
  return sum;
}

/** The replica calculator's GetResourceReplicas / GetRawResourceReplicas for one Resource metric. */
function resourceProposal(spec: MetricSpec, current: number, pods: Pod[], observed: Observed): Proposal {
  const resource = spec.resource?.name ?? '';
  const target = spec.resource?.target ?? {};
  const figures = new Map<string, number>();
  for (const pod of pods) {
    const usage = podUsage(pod, observed.now, observed.load);
    if (!usage.length) continue;
    const total = usage.reduce((sum, c) => sum + (resource === 'cpu' ? c.usage.cpuMillis : c.usage.memoryBytes * 1000), 0);
    figures.set(pod.metadata.name!, total);
  }
  if (!pods.length || !figures.size) throw new MetricError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  const utilization = target.type === 'Utilization' || target.averageValue === undefined;
  const requests = new Map<string, number>();
  if (utilization) for (const pod of pods) requests.set(pod.metadata.name!, podRequest(pod, resource));
  const { ready, unready, missing } = groupPods(pods, figures, resource);
  if (!ready.size) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const wanted = utilization ? target.averageUtilization ?? 80 : milliValue(target.averageValue);
  const ratioOf = (values: Map<string, number>) => {
    let used = 0, requested = 0;
    for (const [name, value] of values) { used += value; requested += requests.get(name) ?? 0; }
    const currentUtilization = utilization ? Math.trunc((used * 100) / requested) : 0;
    return { ratio: utilization ? currentUtilization / wanted : used / values.size / wanted, currentUtilization, average: used / values.size };
  };
  const first = ratioOf(ready);
  const status: MetricStatus = {
    type: 'Resource',
    resource: { name: resource, current: { averageValue: formatQuantity(Math.round(first.average)), ...(utilization ? { averageUtilization: first.currentUtilization } : {}) } },
  };
  const proposal = (replicas: number) => ({ replicas, status, name: metricName(spec) });
  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && !missing.length) {
    if (Math.abs(1 - first.ratio) <= tolerance) return proposal(current);
    return proposal(Math.ceil(first.ratio * ready.size));
  }
  // Missing pods count as at their request when scaling down, as idle when scaling up; unready ones as idle.
  const filled = new Map(ready);
  for (const pod of missing) filled.set(pod.metadata.name!, first.ratio < 1 ? (utilization ? requests.get(pod.metadata.name!) ?? 0 : wanted) : 0);
  if (scaleUpWithUnready) for (const pod of unready) filled.set(pod.metadata.name!, 0);
  const second = ratioOf(filled);
  if (Math.abs(1 - second.ratio) <= tolerance || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) return proposal(current);
  const replicas = Math.ceil(second.ratio * filled.size);
  if ((second.ratio < 1 && replicas > current) || (second.ratio > 1 && replicas < current)) return proposal(current);
  return proposal(replicas);
}

/** setCondition: the transition time moves only when the status does. */
function setCondition(conditions: HPACondition[], previous: HPACondition[] | undefined, type: string, status: string, reason: string, message: string, now: string): void {
  const before = previous?.find((c) => c.type === type);
  const condition = { type, status, lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now, reason, message };
  const at = conditions.findIndex((c) => c.type === type);
  if (at >= 0) conditions[at] = condition; else conditions.push(condition);
}

export async function syncHorizontalPodAutoscalers(pass: ControllerPass): Promise<void> {
  const hpas = pass.objects.horizontalpodautoscalers;
  if (!hpas.length) return;
  const now = new Date(pass.now);
  const observed: Observed = { pods: pass.objects.pods, load: serviceLoad(pass.objects.pods, pass.objects.services, now), now };
  for (const hpa of [...hpas]) if (!isDeleting(hpa)) await reconcile(pass, hpa, observed);
}

async function reconcile(pass: ControllerPass, hpa: HorizontalPodAutoscaler, observed: Observed): Promise<void> {
  const spec = hpa.spec ?? {};
  const previous = hpa.status?.conditions;
  const conditions: HPACondition[] = [];
  const at = timestamp(pass.now);
  const condition = (type: string, status: string, reason: string, message: string) => setCondition(conditions, previous, type, status, reason, message, at);
  const events: Array<[type: 'Normal' | 'Warning', reason: string, message: string]> = [];
  const kind = targetKinds[spec.scaleTargetRef?.kind ?? ''];
  const target = kind ? (pass.inNamespace(kind, hpa.metadata.namespace) as Workload[]).find((o) => o.metadata.name === spec.scaleTargetRef?.name) : undefined;
  const keep = { lastScaleTime: hpa.status?.lastScaleTime };
  if (!target) {
    const resource = kind ?? `${(spec.scaleTargetRef?.kind ?? '').toLowerCase()}s`;
    const message = `${resource}/scale.apps "${spec.scaleTargetRef?.name ?? ''}" not found`;
    condition('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`);
    events.push(['Warning', 'FailedGetScale', message]);
    await commit(pass, hpa, { ...keep, currentReplicas: hpa.status?.currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: hpa.status?.currentMetrics, conditions }, events);
    return;
  }
  const current = target.spec.replicas ?? 1;
  const min = spec.minReplicas ?? 1, max = spec.maxReplicas ?? 1;
  condition('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
  let desired = current, reason = '', metrics: MetricStatus[] | undefined = hpa.status?.currentMetrics ?? undefined;
  if (current === 0 && min !== 0) {
    desired = 0;
    condition('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
  } else if (current > max) {
    desired = max; reason = 'Current number of replicas above Spec.MaxReplicas';
  } else if (current < min) {
    desired = min; reason = 'Current number of replicas below Spec.MinReplicas';
  } else {
    const pods = observed.pods.filter((p) => p.metadata.namespace === hpa.metadata.namespace && selectorMatches(target.spec.selector, p.metadata.labels));
    const statuses: MetricStatus[] = [];
    let best: Proposal | undefined, invalid = 0, firstError = '';
    for (const metric of spec.metrics ?? []) {
      try {
        if (metric.type !== 'Resource') throw new MetricError(`the HPA controller here reads only Resource metrics, not ${metric.type}`);
        const proposal = resourceProposal(metric, current, pods, observed);
        statuses.push(proposal.status);
        if (!best || proposal.replicas > best.replicas) best = proposal;
      } catch (err) {
        if (!(err instanceof MetricError)) throw err;
        invalid++;
        statuses.push({ type: '' });
        const message = `failed to get ${metric.resource?.name ?? metric.type} utilization: ${err.message}`;
        if (!firstError) {
          firstError = `failed to get ${metric.resource?.name ?? metric.type} resource metric value: ${message}`;
          condition('ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${message}`);
        }
        events.push(['Warning', 'FailedGetResourceMetric', message]);
      }
    }
    metrics = statuses;
    if (!best || invalid >= (spec.metrics ?? []).length) {
      events.push(['Warning', 'FailedComputeMetricsReplicas', `invalid metrics (${invalid} invalid out of ${(spec.metrics ?? []).length}), first error is: ${firstError}`]);
      await commit(pass, hpa, { ...keep, currentReplicas: current, desiredReplicas: hpa.status?.desiredReplicas ?? 0, currentMetrics: metrics, conditions }, events);
      return;
    }
    condition('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${best.name}`);
    desired = best.replicas;
    reason = desired > current ? `${best.name} above target` : 'All metrics below target';
    // Scale-down stabilization, counted from the last rescale.
    const lastScale = ms(hpa.status?.lastScaleTime) || ms(hpa.metadata.creationTimestamp);
    if (desired < current && lastScale + downscaleStabilizationMs > pass.now) {
      desired = current;
      pass.wake(lastScale + downscaleStabilizationMs);
      condition('AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation');
    } else {
      condition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    // convertDesiredReplicasWithRules
    const scaleUpLimit = Math.max(2 * current, 4);
    if (desired < min) { desired = min; condition('ScalingLimited', 'True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'); }
    else if (desired > Math.min(max, scaleUpLimit)) {
      if (scaleUpLimit < max) condition('ScalingLimited', 'True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate');
      else condition('ScalingLimited', 'True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
      desired = Math.min(max, scaleUpLimit);
    } else condition('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
  }
  let lastScaleTime = keep.lastScaleTime;
  if (desired !== current) {
    // One sync period between rescales, as the controller's resync would space them.
    const lastScale = ms(hpa.status?.lastScaleTime);
    if (lastScale && lastScale + syncPeriodMs > pass.now) {
      pass.wake(lastScale + syncPeriodMs);
      desired = hpa.status?.desiredReplicas ?? current;
    } else {
      const scaled = await pass.update(kind!, target, (copy) => { (copy as Workload).spec.replicas = desired; });
      if (!scaled) return; // moved meanwhile: the next pass looks again
      condition('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      events.push(['Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`]);
      lastScaleTime = at;
    }
  }
  await commit(pass, hpa, { lastScaleTime, currentReplicas: current, desiredReplicas: desired, currentMetrics: metrics, conditions }, events);
}

/** Writes the status if it changed, and the events only then: a steady HPA costs no write. */
async function commit(pass: ControllerPass, hpa: HorizontalPodAutoscaler, status: NonNullable<HorizontalPodAutoscaler['status']>, events: Array<['Normal' | 'Warning', string, string]>): Promise<void> {
  const next = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined && v !== null));
  if (!next.currentReplicas) delete next.currentReplicas;
  const written = await pass.writeStatus('horizontalpodautoscalers', hpa, next);
  if (!written || written === hpa) return;
  for (const [type, reason, message] of events) await pass.event(hpa, type, reason, message, component);
}
