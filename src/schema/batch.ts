import { bool, int, kubeObject, list, named, objectMeta, str, struct, time } from './base.ts';
import { kindCondition, labelSelector, objectReference, podTemplateSpec } from './common.ts';

/** batch/v1 wire types. */
const batch = (kind: string) => `io.k8s.api.batch.v1.${kind}`;

const podFailurePolicy = named(batch('PodFailurePolicy'), struct({
  rules: list(named(batch('PodFailurePolicyRule'), struct({
    action: str(),
    onExitCodes: named(batch('PodFailurePolicyOnExitCodesRequirement'), struct({ containerName: str(), operator: str(), values: list(int()) })),
    onPodConditions: list(named(batch('PodFailurePolicyOnPodConditionsPattern'), struct({ type: str(), status: str() }))),
  }))),
}));
const successPolicy = named(batch('SuccessPolicy'), struct({
  rules: list(named(batch('SuccessPolicyRule'), struct({ succeededIndexes: str(), succeededCount: int() }))),
}));

export const jobSpec = named(batch('JobSpec'), struct({
  parallelism: int(), completions: int(), activeDeadlineSeconds: int(), podFailurePolicy, successPolicy, backoffLimit: int(),
  backoffLimitPerIndex: int(), maxFailedIndexes: int(), selector: labelSelector, manualSelector: bool(), template: podTemplateSpec,
  ttlSecondsAfterFinished: int(), completionMode: str(), suspend: bool(), podReplacementPolicy: str(), managedBy: str(),
}));

export const job = named(batch('Job'), kubeObject({
  spec: jobSpec,
  status: named(batch('JobStatus'), struct({
    conditions: list(kindCondition(batch('JobCondition'))), startTime: time(), completionTime: time(), active: int(), succeeded: int(),
    failed: int(), terminating: int(), completedIndexes: str(), failedIndexes: str(),
    uncountedTerminatedPods: named(batch('UncountedTerminatedPods'), struct({ succeeded: list(str()), failed: list(str()) })), ready: int(),
  })),
}));

export const cronJob = named(batch('CronJob'), kubeObject({
  spec: named(batch('CronJobSpec'), struct({
    schedule: str(), timeZone: str(), startingDeadlineSeconds: int(), concurrencyPolicy: str(), suspend: bool(),
    jobTemplate: named(batch('JobTemplateSpec'), struct({ metadata: objectMeta, spec: jobSpec })),
    successfulJobsHistoryLimit: int(), failedJobsHistoryLimit: int(),
  })),
  status: named(batch('CronJobStatus'), struct({ active: list(objectReference), lastScheduleTime: time(), lastSuccessfulTime: time() })),
}));
