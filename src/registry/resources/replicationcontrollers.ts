import * as schema from '../../schema/coreExtras.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { goStringMap, invalidGo } from '../../apimachinery/goFormat.ts';
import { formatLabels } from '../../apimachinery/selectors.ts';
import { containerCells, nonNegative, podTemplateDefaults, validatePodTemplate, type PodTemplateSpec } from '../podTemplate.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** core/v1 ReplicationController: the ReplicaSet's ancestor, with an equality-only selector. */

type ReplicationController = KubeObject & {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: Record<string, string>; template?: PodTemplateSpec };
  status?: { replicas?: number; readyReplicas?: number };
};

/** ValidateReplicationControllerSpec with ValidatePodTemplateSpecForRC. */
function validate(obj: ReplicationController): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = spec.selector ?? {};
  if (!Object.keys(selector).length) errs.push({ field: 'spec.selector', type: 'FieldValueRequired' });
  if (!spec.template) {
    errs.push({ field: 'spec.template', type: 'FieldValueRequired' });
    return errs;
  }
  const labels = spec.template.metadata?.labels ?? {};
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalidGo('spec.template.metadata.labels', goStringMap(spec.template.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(spec.template, 'spec.template'));
  const restartPolicy = spec.template.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push({ field: 'spec.template.spec.restartPolicy', type: 'FieldValueNotSupported', value: restartPolicy, detail: 'supported values: "Always"' });
  return errs;
}

export const replicationcontrollers = defineResource<ReplicationController>({
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller', namespaced: true,
  shortNames: ['rc'], categories: ['all'], verbs: allVerbs, subresources: ['status', 'scale'], schema: schema.replicationController,
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.' },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.' },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replication controller.' },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
    { name: 'Selector', type: 'string', priority: 1, description: 'Selector is a label query over pods that should match the Replicas count.' },
  ],
  row(rc, { now }) {
    return [rc.metadata.name, rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(rc, now),
      ...containerCells(rc.spec?.template), formatLabels(rc.spec?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    /** SetDefaults_ReplicationController: selector and labels come from the template when absent. */
    defaults(rc) {
      const spec = (rc.spec ??= {});
      const labels = spec.template?.metadata?.labels;
      if (labels) {
        if (!Object.keys(spec.selector ?? {}).length) spec.selector = { ...labels };
        if (!Object.keys(rc.metadata.labels ?? {}).length) rc.metadata.labels = { ...labels };
      }
      spec.replicas ??= 1;
      podTemplateDefaults(spec.template);
    },
    prepareForCreate(obj) { obj.status = { replicas: 0 }; },
    validate,
    allowUnconditionalUpdate: true,
  },
});
