import * as schema from '../../schema/batch.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { isTimeZone, parseSchedule } from '../cron.ts';
import { goStringMap, invalidGo } from '../../apimachinery/goFormat.ts';
import { formatLabelSelector, goLabelSelector, selectorMatches, validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { containerCells, nonNegative, podTemplateDefaults, validatePodTemplate, type PodTemplateSpec } from '../podTemplate.ts';
import { age, ageColumn, humanDuration, nameColumn, since } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** batch/v1: run-to-completion work. */

interface JobSpec {
  parallelism?: number; completions?: number; activeDeadlineSeconds?: number; backoffLimit?: number; backoffLimitPerIndex?: number;
  selector?: LabelSelector; manualSelector?: boolean; template?: PodTemplateSpec; ttlSecondsAfterFinished?: number;
  completionMode?: string; suspend?: boolean; podReplacementPolicy?: string;
  podFailurePolicy?: { rules?: Array<{ onPodConditions?: Array<{ status?: string }> }> };
  [k: string]: unknown;
}
interface JobStatus { conditions?: Array<{ type?: string; status?: string }>; startTime?: string; completionTime?: string; succeeded?: number; [k: string]: unknown }
type Job = KubeObject & { spec: JobSpec; status?: JobStatus };
type CronJob = KubeObject & {
  spec: {
    schedule?: string; timeZone?: string; startingDeadlineSeconds?: number; concurrencyPolicy?: string; suspend?: boolean;
    jobTemplate?: { metadata?: Record<string, unknown>; spec?: JobSpec }; successfulJobsHistoryLimit?: number; failedJobsHistoryLimit?: number;
  };
  status?: { active?: unknown[]; lastScheduleTime?: string };
};

/** Labels the Job API puts on the pods of a job with a generated selector (batch.kubernetes.io/... and their legacy names). */
export const jobLabels = {
  controllerUid: 'batch.kubernetes.io/controller-uid', jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid', legacyJobName: 'job-name',
};

const supported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

/** SetDefaults_Job. */
function jobSpecDefaults(spec: JobSpec): void {
  if (spec.completions == null && spec.parallelism == null) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const pattern of rule.onPodConditions ?? []) pattern.status ||= 'True';
}

/** A Job with no labels of its own shows its template's labels (defaulting runs again when read back). */
function inheritTemplateLabels(job: Job): void {
  const labels = job.spec?.template?.metadata?.labels;
  if (labels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
}

/**
 * generateSelector: unless the user manages the selector, the job's own uid
 * selects its pods, and the template carries the matching labels.
 */
function generateSelector(job: Job): void {
  const spec = job.spec;
  if (spec.manualSelector) return;
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  for (const key of [jobLabels.legacyJobName, jobLabels.jobName]) if (!(key in labels)) labels[key] = job.metadata.name!;
  for (const key of [jobLabels.legacyControllerUid, jobLabels.controllerUid]) if (!(key in labels)) labels[key] = job.metadata.uid!;
  const matchLabels = ((spec.selector ??= {}).matchLabels ??= {});
  if (!(jobLabels.controllerUid in matchLabels)) matchLabels[jobLabels.controllerUid] = job.metadata.uid!;
}

/** validateJobSpec: what both Jobs and CronJob job templates must satisfy. */
function validateJobSpec(spec: JobSpec, path: string): FieldError[] {
  const errs = [
    ...nonNegative(spec.parallelism, `${path}.parallelism`), ...nonNegative(spec.completions, `${path}.completions`),
    ...nonNegative(spec.backoffLimit, `${path}.backoffLimit`), ...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
    ...validatePodTemplate(spec.template, `${path}.template`),
  ];
  if (spec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds <= 0) {
    errs.push({ field: `${path}.activeDeadlineSeconds`, type: 'FieldValueInvalid', value: spec.activeDeadlineSeconds, detail: 'must be greater than 0' });
  }
  if (spec.completionMode != null && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) errs.push(supported(`${path}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
  if (spec.completionMode === 'Indexed' && spec.completions == null) errs.push({ field: `${path}.completions`, type: 'FieldValueRequired', detail: 'when completion mode is Indexed' });
  if (spec.podReplacementPolicy != null && !['Failed', 'TerminatingOrFailed'].includes(spec.podReplacementPolicy)) {
    errs.push(supported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
  }
  const restartPolicy = spec.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errs.push(supported(`${path}.template.spec.restartPolicy`, restartPolicy, ['OnFailure', 'Never']));
  return errs;
}

/** ValidateJob: the spec, the selector it must have, and the generated labels it must carry. */
function validateJob(job: Job): FieldError[] {
  const spec = job.spec ?? {};
  const errs = validateJobSpec(spec, 'spec');
  if (!spec.selector) errs.push({ field: 'spec.selector', type: 'FieldValueRequired' });
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const labels = spec.template?.metadata?.labels;
  if (spec.selector && (!labels || !selectorMatches(spec.selector, labels))) {
    errs.push(invalidGo('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  if (!spec.manualSelector && spec.selector) {
    const expected: Record<string, string> = {
      [jobLabels.controllerUid]: job.metadata.uid ?? '', [jobLabels.jobName]: job.metadata.name ?? '',
      [jobLabels.legacyControllerUid]: job.metadata.uid ?? '', [jobLabels.legacyJobName]: job.metadata.name ?? '',
    };
    for (const [key, value] of Object.entries(expected)) {
      const field = `spec.template.metadata.labels[${key}]`;
      if (labels?.[key] == null) errs.push({ field, type: 'FieldValueRequired', detail: value });
      else if (labels[key] !== value) errs.push(invalidGo(field, goStringMap(labels), value));
    }
    if (!selectorMatches(spec.selector, expected)) errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** ValidateJobUpdate: what a started job may no longer change. */
function validateJobUpdate(obj: Job, old: Job): FieldError[] {
  const spec = obj.spec ?? {}, before = old.spec ?? {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const errs: FieldError[] = [];
  if (!same(spec.selector, before.selector)) errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector ?? {}), 'field is immutable'));
  if (spec.completionMode !== before.completionMode) errs.push({ field: 'spec.completionMode', type: 'FieldValueInvalid', value: spec.completionMode, detail: 'field is immutable' });
  if (spec.completionMode !== 'Indexed' && spec.completions !== before.completions) errs.push({ field: 'spec.completions', type: 'FieldValueInvalid', value: spec.completions, detail: 'field is immutable' });
  // a suspended job that never started may still change where its pods go (AllowMutableSchedulingDirectives)
  const neverStarted = before.suspend === true && !old.status?.startTime;
  if (!neverStarted && !same(spec.template, before.template)) errs.push(invalidGo('spec.template', 'core.PodTemplateSpec{...}', 'field is immutable'));
  return errs;
}

const hasCondition = (job: Job, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** The STATUS cell (printJob). */
function jobStatusCell(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationCell(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime;
  return end ? humanDuration(Date.parse(end) - Date.parse(start)) : since(start, now);
}

const wide = [
  { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
  { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
  { name: 'Selector', type: 'string', priority: 1, description: 'A label query over pods that should match the pod count. Normally, the system sets this field for you.' },
] as const;

export const jobs = defineResource<Job>({
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', namespaced: true,
  categories: ['all'], verbs: allVerbs, subresources: ['status'], schema: schema.job,
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'Status of the job.' },
    { name: 'Completions', type: 'string', description: 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.' },
    { name: 'Duration', type: 'string', description: 'Time required to complete the job.' },
    ageColumn,
    ...wide,
  ],
  row(job, { now }) {
    return [job.metadata.name, jobStatusCell(job), completionsCell(job), durationCell(job, now), age(job, now), ...containerCells(job.spec?.template), formatLabelSelector(job.spec?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    defaults(job) {
      jobSpecDefaults((job.spec ??= {}));
      inheritTemplateLabels(job);
      podTemplateDefaults(job.spec.template);
    },
    prepareForCreate(job) {
      generateSelector(job);
      inheritTemplateLabels(job);
      job.status = {};
    },
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});

/** CronJob names leave room for the 11-character suffix of the jobs they create. */
const cronJobNameMax = 52;

function validateCronJob(cj: CronJob): FieldError[] {
  const spec = cj.spec ?? {};
  const errs: FieldError[] = [];
  const name = cj.metadata.name ?? '';
  if (name.length > cronJobNameMax) errs.push({ field: 'metadata.name', type: 'FieldValueInvalid', value: name, detail: `must be no more than ${cronJobNameMax} characters` });
  if (!spec.schedule) errs.push({ field: 'spec.schedule', type: 'FieldValueRequired' });
  else {
    const parsed = parseSchedule(spec.schedule);
    if ('error' in parsed) errs.push({ field: 'spec.schedule', type: 'FieldValueInvalid', value: spec.schedule, detail: parsed.error });
    if (spec.schedule.includes('TZ')) errs.push({ field: 'spec.schedule', type: 'FieldValueInvalid', value: spec.schedule, detail: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead' });
  }
  if (spec.timeZone != null && !isTimeZone(spec.timeZone)) {
    errs.push({ field: 'spec.timeZone', type: 'FieldValueInvalid', value: spec.timeZone, detail: `unknown time zone ${spec.timeZone}` });
  }
  if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy ?? '')) errs.push(supported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', ['Allow', 'Forbid', 'Replace']));
  errs.push(
    ...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'),
    ...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'),
    ...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'),
    ...validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec'),
  );
  return errs;
}

export const cronjobs = defineResource<CronJob>({
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob', namespaced: true,
  shortNames: ['cj'], categories: ['all'], verbs: allVerbs, subresources: ['status'], schema: schema.cronJob,
  columns: [
    nameColumn,
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.' },
    { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.' },
    { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.' },
    { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.' },
    { name: 'Last Schedule', type: 'string', description: 'Information when was the last time the job was successfully scheduled.' },
    ageColumn,
    ...wide,
  ],
  row(cj, { now }) {
    const spec = cj.spec ?? {};
    const suspend = spec.suspend == null ? '<unset>' : spec.suspend ? 'True' : 'False';
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const template = spec.jobTemplate?.spec;
    return [cj.metadata.name, spec.schedule ?? '', spec.timeZone ?? '<none>', suspend, cj.status?.active?.length ?? 0, last, age(cj, now),
      ...containerCells(template?.template), formatLabelSelector(template?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    /** SetDefaults_CronJob; the job template's pod spec gets the pod defaults (not the Job's own defaults). */
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.concurrencyPolicy ||= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      podTemplateDefaults(spec.jobTemplate?.spec?.template);
    },
    prepareForCreate(obj) { obj.status = {}; },
    validate: validateCronJob,
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});
