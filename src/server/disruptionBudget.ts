import { ApiError, forbidden, internalError } from '../apimachinery/errors.ts';
import { selectorMatches } from '../apimachinery/selectors.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { Registry } from '../registry/generic.ts';
import type { Pod } from '../registry/resources/pods.ts';
import { withDisruptionAllowedCondition, type PodDisruptionBudget, type PodDisruptionBudgetStatus } from '../registry/resources/policy.ts';

/**
 * What an eviction asks of the pod's PodDisruptionBudget before the pod may go
 * (pkg/registry/core/pod/storage/eviction.go): a finished, pending or terminating
 * pod goes regardless; an unready one goes while the budget is otherwise met;
 * anything else takes one of the budget's allowed disruptions — decremented with
 * compare-and-swap on the budget's status, so two evictions never both take the
 * last one — or is refused with 429, which `kubectl drain` retries.
 */

const refusal = "Cannot evict pod as it would violate the pod's disruption budget.";
/** How often a lost compare-and-swap is retried with the budget read again (EvictionsRetry's steps). */
const retries = 5;

const tooManyRequests = (cause: string, retryAfterSeconds = 0) => new ApiError(429, 'TooManyRequests', refusal, {
  causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
}, retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {});

const isReady = (pod: Pod) => !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** canIgnorePDB: the pod is done, never started, or already going. */
const canIgnoreBudget = (pod: Pod) => ['Succeeded', 'Failed', 'Pending'].includes(pod.status?.phase ?? '') || !!pod.metadata.deletionTimestamp;

/**
 * Checks (and, unless dryRun, consumes) the budget covering the pod. Resolves with the
 * delete preconditions to use: an unready pod let through is deleted only as it was read.
 */
export async function admitEviction(registry: Registry, pod: Pod, dryRun: boolean): Promise<{ resourceVersion?: string }> {
  if (canIgnoreBudget(pod)) return {};
  const def = registry.catalog.find('policy', 'v1', 'poddisruptionbudgets')!;
  const budgets = ((await registry.list(def, pod.metadata.namespace)).items as PodDisruptionBudget[])
    .filter((b) => selectorMatches(b.spec?.selector, pod.metadata.labels));
  if (budgets.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  if (!budgets.length) return {};
  let pdb = budgets[0];
  if (!isReady(pod)) {
    const status = pdb.status;
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { resourceVersion: pod.metadata.resourceVersion };
    if (status && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return { resourceVersion: pod.metadata.resourceVersion };
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await checkAndDecrement(registry, pdb, pod.metadata.name!, dryRun);
      return {};
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'Conflict') || attempt >= retries) throw err;
      pdb = await registry.get(def, pdb.metadata.namespace, pdb.metadata.name!) as PodDisruptionBudget;
    }
  }
}

async function checkAndDecrement(registry: Registry, pdb: PodDisruptionBudget, podName: string, dryRun: boolean): Promise<void> {
  const name = pdb.metadata.name!;
  const status = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);
  if (status.disruptionsAllowed < 0) throw forbidden(`poddisruptionbudget.policy "${name}" is forbidden: pdb disruptions allowed is negative`);
  if (status.disruptionsAllowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`);
  if (dryRun) return;
  const now = timestamp(registry.now());
  let next: PodDisruptionBudgetStatus = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: now } };
  if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next, now);
  const def = registry.catalog.find('policy', 'v1', 'poddisruptionbudgets')!;
  // Compare-and-swap on the budget as read: a concurrent eviction that took the same disruption makes this a Conflict.
  await registry.mutate(def, pdb.metadata.namespace, name, (current) => { current.status = next; return current; }, {
    subresource: 'status', expectedResourceVersion: pdb.metadata.resourceVersion,
  });
}
