import { parseSchedule } from '../../registry/cron.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { controllerRef, hasCondition, isDeleting, ms, type CronJob, type Job, type ObjectReference } from './objects.ts';
import { dueTicks } from './schedule.ts';
import { timestamp } from '../../apimachinery/time.ts';

/**
 * The CronJob controller (pkg/controller/cronjob, v2): at each schedule tick it
 * creates the Job `<cronjob>-<scheduled time in minutes>` — a name fixed by the
 * tick, so a repeated pass finds its own Job (AlreadyExists) instead of making a
 * second one. It keeps status.active, lastScheduleTime and lastSuccessfulTime,
 * prunes finished Jobs beyond the history limits, and asks the queue to wake it
 * at the next tick: no timers of its own.
 */

const component = 'cronjob-controller';
const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const finished = (job: Job) => hasCondition(job.status?.conditions, 'Complete') ? 'Complete' : hasCondition(job.status?.conditions, 'Failed') ? 'Failed' : undefined;
const startOf = (job: Job) => ms(job.status?.startTime) || ms(job.metadata.creationTimestamp) || 0;

/** getJobFromTemplate2: the job template, owned by the CronJob, stamped with its tick. */
function jobForTick(cj: CronJob, scheduled: number): KubeObject {
  const template = cj.spec.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`, namespace: cj.metadata.namespace,
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      annotations: { ...(template.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: timestamp(scheduled) },
      ownerReferences: [controllerRef(cj)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

const reference = (job: KubeObject): ObjectReference => ({
  apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, namespace: job.metadata.namespace!, resourceVersion: job.metadata.resourceVersion, uid: job.metadata.uid!,
});

async function pruneHistory(pass: ControllerPass, cj: CronJob, jobs: Job[], outcome: string, limit: number | undefined): Promise<void> {
  if (limit == null) return;
  const done = jobs.filter((j) => finished(j) === outcome && !isDeleting(j)).sort((a, b) => startOf(a) - startOf(b));
  for (const job of done.slice(0, Math.max(0, done.length - limit))) {
    if (await pass.remove('jobs', job, { propagationPolicy: 'Background' })) await pass.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, component);
  }
}

async function syncCronJob(pass: ControllerPass, cj: CronJob): Promise<void> {
  const jobs = pass.ownedBy('jobs', cj);
  const previous = new Map((cj.status?.active ?? []).map((r) => [r.uid, r]));
  let lastSuccessful = ms(cj.status?.lastSuccessfulTime) || 0;
  for (const job of jobs) {
    const outcome = finished(job);
    if (outcome === 'Complete') lastSuccessful = Math.max(lastSuccessful, ms(job.status?.completionTime) || 0);
    if (outcome && previous.has(job.metadata.uid!)) await pass.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${outcome}`, component);
  }
  let active = jobs.filter((j) => !finished(j) && !isDeleting(j));
  let lastSchedule = ms(cj.status?.lastScheduleTime) || 0;

  const parsed = cj.spec.schedule ? parseSchedule(cj.spec.schedule) : undefined;
  if (!cj.spec.suspend && parsed && 'schedule' in parsed) {
    let earliest = lastSchedule || ms(cj.metadata.creationTimestamp) || pass.now;
    if (cj.spec.startingDeadlineSeconds != null) earliest = Math.max(earliest, pass.now - cj.spec.startingDeadlineSeconds * 1000);
    const { mostRecent, next } = dueTicks(parsed.schedule, earliest, pass.now, cj.spec.timeZone);
    pass.wake(next);
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    if (mostRecent !== undefined && !(policy === 'Forbid' && active.length)) {
      if (policy === 'Replace') {
        for (const job of active) {
          if (await pass.remove('jobs', job, { propagationPolicy: 'Background' })) await pass.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, component);
        }
        active = [];
      }
      const wanted = jobForTick(cj, mostRecent);
      let job = await pass.create('jobs', cj.metadata.namespace, wanted) as Job | undefined;
      if (job) await pass.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`, component);
      // Made by an earlier pass whose status write was lost: adopt the tick as done.
      else job = pass.ownedBy('jobs', cj).find((j) => j.metadata.name === wanted.metadata.name);
      if (job) {
        lastSchedule = Math.max(lastSchedule, mostRecent);
        if (!finished(job) && !active.includes(job)) active.push(job);
      }
    }
  }

  await pruneHistory(pass, cj, pass.ownedBy('jobs', cj), 'Complete', cj.spec.successfulJobsHistoryLimit);
  await pruneHistory(pass, cj, pass.ownedBy('jobs', cj), 'Failed', cj.spec.failedJobsHistoryLimit);
  const refs = active.sort((a, b) => startOf(a) - startOf(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))
    .map((j) => previous.get(j.metadata.uid!) ?? reference(j));
  const status = {
    ...(refs.length ? { active: refs } : {}),
    ...(lastSchedule ? { lastScheduleTime: timestamp(lastSchedule) } : {}),
    ...(lastSuccessful ? { lastSuccessfulTime: timestamp(lastSuccessful) } : {}),
  };
  await pass.writeStatus('cronjobs', cj, status);
}

export async function syncCronJobs(pass: ControllerPass): Promise<void> {
  for (const cj of [...pass.objects.cronjobs]) {
    if (isDeleting(cj)) continue;
    await syncCronJob(pass, cj);
  }
}
