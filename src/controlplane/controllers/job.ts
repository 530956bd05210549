import type { Pod } from '../../registry/resources/pods.ts';
import type { ControllerPass } from './context.ts';
import { hasCondition, isActivePod, isDeleting, isPodReady, isTerminal, ms, setCondition, type Condition, type Job } from './objects.ts';
import { createPods, deletePods, deletionOrder } from './replicaset.ts';
import { timestamp } from '../../apimachinery/time.ts';

/**
 * The Job controller (pkg/controller/job), for NonIndexed jobs: runs pods until
 * `completions` succeed, `parallelism` at a time; failed pods are replaced after
 * an exponential back-off until more than backoffLimit failures (restarts count
 * for restartPolicy OnFailure), then the job fails. Terminal conditions come in
 * pairs as in v1.31+: SuccessCriteriaMet then Complete, FailureTarget then Failed
 * once no pod is left running. Counts are re-derived from the pods every pass and
 * never go down, so late or repeated events change nothing.
 */

const component = 'job-controller';
/** DefaultJobPodFailureBackOff doubling up to MaxJobPodFailureBackOff. */
const failureBackoffMs = (failures: number) => (failures <= 0 ? 0 : Math.min(10_000 * 2 ** (failures - 1), 360_000));

const finishedAt = (pod: Pod) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => ms(c.state?.terminated?.finishedAt) || 0));

interface Outcome { reason: string; message: string }
const backoffExceeded: Outcome = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
const deadlineExceeded: Outcome = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
const completionsReached: Outcome = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };

/** Deletes a finished job once ttlSecondsAfterFinished has passed (the TTL-after-finished controller). */
async function expire(pass: ControllerPass, job: Job): Promise<void> {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl == null) return;
  const done = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const due = (ms(done?.lastTransitionTime) || pass.now) + ttl * 1000;
  if (due > pass.now) { pass.wake(due); return; }
  await pass.remove('jobs', job, { propagationPolicy: 'Background' });
}

async function syncJob(pass: ControllerPass, job: Job): Promise<void> {
  let conditions = [...(job.status?.conditions ?? [])] as Condition[];
  if (hasCondition(conditions, 'Complete') || hasCondition(conditions, 'Failed')) return expire(pass, job);
  const spec = job.spec;
  const now = pass.now;
  const owned = pass.ownedBy('pods', job);
  const active = owned.filter(isActivePod);
  const condition = (type: string, o: Outcome, status = 'True') => {
    conditions = setCondition(conditions, { type, status, reason: o.reason, message: o.message, lastProbeTime: timestamp(now) }, now);
  };

  if (spec.suspend) {
    await deletePods(pass, job, active, component);
    condition('Suspended', { reason: 'JobSuspended', message: 'Job suspended' });
  } else if (job.status?.startTime && conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
    condition('Suspended', { reason: 'JobResumed', message: 'Job resumed' }, 'False');
  }
  const startTime = spec.suspend ? job.status?.startTime : job.status?.startTime ?? timestamp(now);
  const succeeded = Math.max(job.status?.succeeded ?? 0, owned.filter((p) => p.status?.phase === 'Succeeded').length);
  const failedPods = owned.filter((p) => p.status?.phase === 'Failed');
  const failed = Math.max(job.status?.failed ?? 0, failedPods.length);
  const restarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0) : 0;

  let failure = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True') as Outcome | undefined;
  if (!failure && !spec.suspend) {
    const deadline = spec.activeDeadlineSeconds != null && startTime ? ms(startTime) + spec.activeDeadlineSeconds * 1000 : undefined;
    if (failed + restarts > (spec.backoffLimit ?? 6)) failure = backoffExceeded;
    else if (deadline !== undefined && deadline <= now) failure = deadlineExceeded;
    else pass.wake(deadline);
  }
  const completions = spec.completions;
  const success = hasCondition(conditions, 'SuccessCriteriaMet')
    || (completions != null ? succeeded >= completions : succeeded > 0);
  let completionTime: string | undefined;

  if (failure || success) {
    const outcome = failure ?? completionsReached;
    condition(failure ? 'FailureTarget' : 'SuccessCriteriaMet', outcome);
    // A work queue (no completions) lets its other pods finish; otherwise they are no longer needed.
    if (failure || completions != null) await deletePods(pass, job, active, component);
    const left = pass.ownedBy('pods', job).some((p) => !isTerminal(p));
    if (!left) {
      condition(failure ? 'Failed' : 'Complete', outcome);
      if (!failure) {
        const last = Math.max(0, ...owned.filter((p) => p.status?.phase === 'Succeeded').map(finishedAt));
        completionTime = timestamp(Math.max(ms(startTime), last || now));
      }
      if (failure) await pass.event(job, 'Warning', outcome.reason, outcome.message, component);
      else await pass.event(job, 'Normal', 'Completed', 'Job completed', component);
    }
  } else if (!spec.suspend) {
    const parallelism = spec.parallelism ?? 1;
    const wanted = completions != null ? Math.min(parallelism, completions - succeeded) : parallelism;
    const diff = wanted - active.length;
    if (diff > 0) {
      const lastFailure = Math.max(0, ...failedPods.map(finishedAt));
      const due = lastFailure + failureBackoffMs(failed);
      if (failed && due > now) pass.wake(due);
      else await createPods(pass, job, diff, component);
    } else if (diff < 0) await deletePods(pass, job, deletionOrder(active).slice(0, -diff), component);
  }

  const pods = pass.ownedBy('pods', job);
  const status: Record<string, unknown> = {
    ...(conditions.length ? { conditions } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
  };
  const nowActive = pods.filter(isActivePod).length;
  if (nowActive) status.active = nowActive;
  if (succeeded) status.succeeded = succeeded;
  if (failed) status.failed = failed;
  status.terminating = pods.filter((p) => isDeleting(p) && !isTerminal(p)).length;
  status.uncountedTerminatedPods = {};
  status.ready = pods.filter((p) => isActivePod(p) && isPodReady(p)).length;
  await pass.writeStatus('jobs', job, status);
}

export async function syncJobs(pass: ControllerPass): Promise<void> {
  for (const job of [...pass.objects.jobs]) {
    if (isDeleting(job)) continue;
    await syncJob(pass, job);
  }
}
