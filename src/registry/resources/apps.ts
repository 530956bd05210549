import * as schema from '../../schema/apps.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { invalidGo } from '../../apimachinery/goFormat.ts';
import { formatLabelSelector, formatLabels, goLabelSelector, isEmptySelector, selectorString, validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { containerCells, nonNegative, podTemplateDefaults, validateReplicatedTemplate, type PodTemplateSpec } from '../podTemplate.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type Column, type KubeObject } from '../types.ts';

/** apps/v1: the long-running workload controllers' objects. */

type IntOrString = number | string;
interface WorkloadSpec {
  replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec; minReadySeconds?: number; revisionHistoryLimit?: number;
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  progressDeadlineSeconds?: number; paused?: boolean; serviceName?: string; podManagementPolicy?: string;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  volumeClaimTemplates?: Array<KubeObject & { spec?: { volumeMode?: string }; status?: { phase?: string } }>;
  [k: string]: unknown;
}
type Counts = Record<string, number | undefined>;
export type Workload = KubeObject & { spec: WorkloadSpec; status?: Counts };

const supported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

/** The selector/template rules all replicated workloads share (ValidateDeploymentSpec and siblings). */
function validateSelectorAndTemplate(spec: WorkloadSpec, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.selector) errs.push({ field: 'spec.selector', type: 'FieldValueRequired' });
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (isEmptySelector(spec.selector)) errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), `empty selector is invalid for ${kind}`));
  }
  errs.push(...validateReplicatedTemplate(spec.template, spec.selector, 'spec.template'));
  return errs;
}

/** IntOrString that is a count or a percentage (ValidatePositiveIntOrPercent, IsNotMoreThan100Percent). */
function validateIntOrPercent(value: IntOrString | undefined, field: string): FieldError[] {
  if (value == null) return [];
  if (typeof value === 'number') return nonNegative(value, field);
  const m = /^(\d+)%$/.exec(value);
  if (!m) return [{ field, type: 'FieldValueInvalid', value, detail: "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')" }];
  if (Number(m[1]) > 100) return [{ field, type: 'FieldValueInvalid', value, detail: 'must not be greater than 100%' }];
  return [];
}
const isZero = (value: IntOrString | undefined) => value === 0 || value === '0%';

const selectorImmutable = (obj: Workload, old: Workload): FieldError[] => {
  const now = obj.spec?.selector, before = old.spec?.selector;
  return JSON.stringify(now ?? null) === JSON.stringify(before ?? null) ? [] : [invalidGo('spec.selector', goLabelSelector(now ?? {}), 'field is immutable')];
};

const desc = {
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
};
const wideColumns = (selectorDescription?: string): Column[] => [
  { name: 'Containers', type: 'string', priority: 1, description: desc.containers },
  { name: 'Images', type: 'string', priority: 1, description: desc.images },
  ...(selectorDescription ? [{ name: 'Selector', type: 'string', priority: 1, description: selectorDescription } satisfies Column] : []),
];

export const deployments = defineResource<Workload>({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true,
  shortNames: ['deploy'], categories: ['all'], verbs: allVerbs, subresources: ['status', 'scale'], schema: schema.deployment,
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
    { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.' },
    { name: 'Available', type: 'string', description: 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.' },
    ageColumn,
    ...wideColumns('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  row(d, { now }) {
    const status = d.status ?? {};
    return [d.metadata.name, `${status.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, status.updatedReplicas ?? 0, status.availableReplicas ?? 0, age(d, now),
      ...containerCells(d.spec?.template), selectorString(d.spec?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    /** SetDefaults_Deployment, and the pod defaults for its template. */
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.replicas ??= 1;
      const strategy = (spec.strategy ??= {});
      strategy.type ||= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate') {
        const rolling = (strategy.rollingUpdate ??= {});
        rolling.maxUnavailable ??= '25%';
        rolling.maxSurge ??= '25%';
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      podTemplateDefaults(spec.template);
    },
    prepareForCreate(obj) { obj.status = {}; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(spec, 'deployment')];
      const strategy = spec.strategy ?? {};
      if (!['Recreate', 'RollingUpdate'].includes(strategy.type ?? '')) errs.push(supported('spec.strategy.type', strategy.type ?? '', ['Recreate', 'RollingUpdate']));
      if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
        errs.push({ field: 'spec.strategy.rollingUpdate', type: 'FieldValueForbidden', detail: "may not be specified when strategy `type` is 'Recreate'" });
      }
      const rolling = strategy.rollingUpdate;
      if (strategy.type === 'RollingUpdate' && rolling) {
        errs.push(...validateIntOrPercent(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'), ...validateIntOrPercent(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
        if (isZero(rolling.maxUnavailable) && isZero(rolling.maxSurge)) {
          errs.push({ field: 'spec.strategy.rollingUpdate.maxUnavailable', type: 'FieldValueInvalid', value: rolling.maxUnavailable, detail: 'may not be 0 when `maxSurge` is 0' });
        }
      }
      errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
      if (spec.progressDeadlineSeconds != null) {
        errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
        if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
          errs.push({ field: 'spec.progressDeadlineSeconds', type: 'FieldValueInvalid', value: spec.progressDeadlineSeconds, detail: 'must be greater than minReadySeconds' });
        }
      }
      return errs;
    },
    validateUpdate: selectorImmutable,
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});

export const replicasets = defineResource<Workload>({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true,
  shortNames: ['rs'], categories: ['all'], verbs: allVerbs, subresources: ['status', 'scale'], schema: schema.replicaSet,
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.' },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of non-terminating pods.' },
    { name: 'Ready', type: 'integer', description: 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.' },
    ageColumn,
    ...wideColumns('Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.'),
  ],
  row(rs, { now }) {
    return [rs.metadata.name, rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, age(rs, now),
      ...containerCells(rs.spec?.template), formatLabelSelector(rs.spec?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.replicas ??= 1;
      podTemplateDefaults(spec.template);
    },
    prepareForCreate(obj) { obj.status = { replicas: 0 }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      return [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(spec, 'deployment')];
    },
    validateUpdate: selectorImmutable,
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});

/** The spec fields a StatefulSet update may change (ValidateStatefulSetUpdate). */
const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export const statefulsets = defineResource<Workload>({
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true,
  shortNames: ['sts'], categories: ['all'], verbs: allVerbs, subresources: ['status', 'scale'], schema: schema.statefulSet,
  columns: [nameColumn, { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' }, ageColumn, ...wideColumns()],
  row(sts, { now }) {
    return [sts.metadata.name, `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, age(sts, now), ...containerCells(sts.spec?.template)];
  },
  strategy: {
    tracksGeneration: true,
    /** SetDefaults_StatefulSet (StatefulSetAutoDeletePVC is on by default). */
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.podManagementPolicy ||= 'OrderedReady';
      const update = (spec.updateStrategy ??= {});
      if (!update.type) {
        update.type = 'RollingUpdate';
        update.rollingUpdate ??= {};
      }
      if (update.type === 'RollingUpdate' && update.rollingUpdate) update.rollingUpdate.partition ??= 0;
      const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
      retention.whenDeleted ||= 'Retain';
      retention.whenScaled ||= 'Retain';
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      podTemplateDefaults(spec.template);
      for (const claim of spec.volumeClaimTemplates ?? []) {
        (claim.spec ??= {}).volumeMode ??= 'Filesystem';
        claim.apiVersion ??= 'v1';
        claim.kind ??= 'PersistentVolumeClaim';
        claim.status ??= { phase: 'Pending' };
      }
    },
    prepareForCreate(obj) { obj.status = { replicas: 0, availableReplicas: 0 }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(spec, 'statefulset')];
      if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy ?? '')) errs.push(supported('spec.podManagementPolicy', spec.podManagementPolicy ?? '', ['OrderedReady', 'Parallel']));
      const type = spec.updateStrategy?.type ?? '';
      if (!['OnDelete', 'RollingUpdate'].includes(type)) errs.push(supported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
      errs.push(...nonNegative(spec.updateStrategy?.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      return errs;
    },
    validateUpdate(obj, old) {
      const frozen = (o: Workload) => JSON.stringify(Object.entries(o.spec ?? {}).filter(([k]) => !statefulSetMutable.includes(k)).sort());
      if (frozen(obj) === frozen(old)) return [];
      return [{ field: 'spec', type: 'FieldValueForbidden', detail: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" }];
    },
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});

export const daemonsets = defineResource<Workload>({
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset', namespaced: true,
  shortNames: ['ds'], categories: ['all'], verbs: allVerbs, subresources: ['status'], schema: schema.daemonSet,
  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).' },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.' },
    { name: 'Ready', type: 'integer', description: 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.' },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod' },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)' },
    { name: 'Node Selector', type: 'string', description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node." },
    ageColumn,
    ...wideColumns('A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels.'),
  ],
  row(ds, { now }) {
    const s = ds.status ?? {};
    return [ds.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector), age(ds, now), ...containerCells(ds.spec?.template), formatLabelSelector(ds.spec?.selector)];
  },
  strategy: {
    tracksGeneration: true,
    defaults(obj) {
      const spec = (obj.spec ??= {});
      const update = (spec.updateStrategy ??= {});
      update.type ||= 'RollingUpdate';
      if (update.type === 'RollingUpdate') {
        const rolling = (update.rollingUpdate ??= {});
        rolling.maxUnavailable ??= 1;
        rolling.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      podTemplateDefaults(spec.template);
    },
    prepareForCreate(obj) { obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = [...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...validateSelectorAndTemplate(spec, 'daemonset')];
      const type = spec.updateStrategy?.type ?? '';
      if (!['OnDelete', 'RollingUpdate'].includes(type)) errs.push(supported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
      const rolling = spec.updateStrategy?.rollingUpdate;
      if (type === 'RollingUpdate' && rolling) {
        errs.push(...validateIntOrPercent(rolling.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'), ...validateIntOrPercent(rolling.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'));
        if (isZero(rolling.maxUnavailable) && isZero(rolling.maxSurge)) {
          errs.push({ field: 'spec.updateStrategy.rollingUpdate.maxUnavailable', type: 'FieldValueInvalid', value: rolling.maxUnavailable, detail: 'may not be 0 when `maxSurge` is 0' });
        }
      }
      return errs;
    },
    validateUpdate: selectorImmutable,
    allowUnconditionalUpdate: true,
    ownsDependents: true,
  },
});

type Revision = KubeObject & { revision?: number; data?: unknown };

/** `daemonset.apps/fluentd`: the owner a ControllerRevision snapshots (formatResourceName). */
function controllerCell(obj: KubeObject): string {
  const owner = (obj.metadata.ownerReferences as Array<{ apiVersion?: string; kind?: string; name?: string; controller?: boolean }> | undefined)?.find((o) => o.controller);
  if (!owner) return '<none>';
  const group = owner.apiVersion?.includes('/') ? owner.apiVersion.split('/')[0] : '';
  return `${(owner.kind ?? '').toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`;
}

export const controllerrevisions = defineResource<Revision>({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision', namespaced: true,
  verbs: allVerbs, schema: schema.controllerRevision,
  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', description: 'Controller of the object' },
    { name: 'Revision', type: 'string', description: 'Revision indicates the revision of the state represented by Data.' },
    ageColumn,
  ],
  row: (obj, { now }) => [obj.metadata.name, controllerCell(obj), obj.revision ?? 0, age(obj, now)],
  strategy: {
    validate: (obj) => nonNegative(obj.revision, 'revision'),
    validateUpdate(obj, old) {
      const data = (o: Revision) => JSON.stringify(o.data ?? null);
      return data(obj) === data(old) ? [] : [{ field: 'data', type: 'FieldValueInvalid', detail: 'field is immutable' }];
    },
    allowUnconditionalUpdate: true,
  },
});
