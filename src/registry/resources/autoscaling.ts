import type { FieldError } from '../../apimachinery/errors.ts';
import * as schema from '../../schema/autoscaling.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * autoscaling/v2 HorizontalPodAutoscaler (stored, preferred) and autoscaling/v1 (the same
 * objects converted both ways, as kube-apiserver's conversion functions do: the v1 CPU target is
 * v2's cpu Utilization metric; whatever else v2 holds rides in v1's alpha annotations). The HPA
 * controller (controlplane/controllers/hpa.ts) writes the status.
 */
export interface MetricTarget { type?: string; value?: string; averageValue?: string; averageUtilization?: number }
export interface MetricValueStatus { value?: string; averageValue?: string; averageUtilization?: number }
export interface MetricSpec { type?: string; resource?: { name?: string; target?: MetricTarget }; [source: string]: unknown }
export interface MetricStatus { type?: string; resource?: { name?: string; current?: MetricValueStatus }; [source: string]: unknown }
export interface HPACondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }
export interface ScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: string; policies?: Array<{ type?: string; value?: number; periodSeconds?: number }>; tolerance?: string }
export interface CrossVersionObjectReference { kind?: string; name?: string; apiVersion?: string }
export type HorizontalPodAutoscaler = KubeObject & {
  spec?: { scaleTargetRef?: CrossVersionObjectReference; minReplicas?: number; maxReplicas?: number; metrics?: MetricSpec[]; behavior?: { scaleUp?: ScalingRules; scaleDown?: ScalingRules } };
  status?: { observedGeneration?: number; lastScaleTime?: string; currentReplicas?: number; desiredReplicas?: number; currentMetrics?: MetricStatus[] | null; conditions?: HPACondition[] };
};
type HorizontalPodAutoscalerV1 = KubeObject & {
  spec?: { scaleTargetRef?: CrossVersionObjectReference; minReplicas?: number; maxReplicas?: number; targetCPUUtilizationPercentage?: number };
  status?: { observedGeneration?: number; lastScaleTime?: string; currentReplicas?: number; desiredReplicas?: number; currentCPUUtilizationPercentage?: number };
};

/** autoscaling.DefaultCPUUtilization: the target when no metric is given. */
const defaultCPUUtilization = 80;
const cpuUtilization = (averageUtilization: number): MetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

/** GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: a behavior that is given is completed with the defaults. */
const defaultRules = {
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
};

function defaults(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= {});
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) spec.metrics = [cpuUtilization(defaultCPUUtilization)];
  if (spec.behavior) {
    for (const direction of ['scaleUp', 'scaleDown'] as const) {
      const given = spec.behavior[direction];
      const fallback = defaultRules[direction];
      spec.behavior[direction] = {
        ...given,
        stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? fallback.stabilizationWindowSeconds,
        selectPolicy: given?.selectPolicy ?? fallback.selectPolicy,
        policies: given?.policies ?? structuredClone(fallback.policies),
      };
    }
  }
}

/** ValidateHorizontalPodAutoscalerSpec, the parts a student meets. */
function validate(hpa: HorizontalPodAutoscaler): FieldError[] {
  const errors: FieldError[] = [];
  const spec = hpa.spec ?? {};
  const ref = spec.scaleTargetRef ?? {};
  if (!ref.kind) errors.push({ field: 'spec.scaleTargetRef.kind', type: 'FieldValueRequired', detail: '' });
  if (!ref.name) errors.push({ field: 'spec.scaleTargetRef.name', type: 'FieldValueRequired', detail: '' });
  const min = spec.minReplicas, max = spec.maxReplicas ?? 0;
  if (min !== undefined && min < 1) errors.push({ field: 'spec.minReplicas', type: 'FieldValueInvalid', value: min, detail: 'must be greater than or equal to 1' });
  if (max < 1) errors.push({ field: 'spec.maxReplicas', type: 'FieldValueInvalid', value: max, detail: 'must be greater than 0' });
  if (min !== undefined && max < min) errors.push({ field: 'spec.maxReplicas', type: 'FieldValueInvalid', value: max, detail: 'must be greater than or equal to `minReplicas`' });
  (spec.metrics ?? []).forEach((m, i) => {
    const utilization = m.resource?.target?.averageUtilization;
    if (m.type === 'Resource' && utilization !== undefined && utilization < 1) {
      errors.push({ field: `spec.metrics[${i}].resource.target.averageUtilization`, type: 'FieldValueInvalid', value: utilization, detail: 'must be greater than 0' });
    }
  });
  return errors;
}

/** kube printers' formatHPAMetrics: `cpu: 45%/50%`, `cpu: <unknown>/50%`, at most two, then `+ N more...`. */
export function formatHPAMetrics(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? [];
  if (!specs.length) return '<none>';
  const statuses = hpa.status?.currentMetrics ?? [];
  const list = specs.map((spec, i) => {
    const status = statuses[i];
    if (spec.type !== 'Resource' || !spec.resource) return spec.type === 'Resource' ? '<unknown type>' : `${spec.type ?? '<unknown type>'}`;
    const { name = '', target = {} } = spec.resource;
    if (target.averageValue !== undefined) return `${name}: ${status?.resource?.current?.averageValue ?? '<unknown>'}/${target.averageValue}`;
    const current = status?.resource?.current?.averageUtilization;
    const wanted = target.averageUtilization === undefined ? '<auto>' : `${target.averageUtilization}%`;
    return `${name}: ${current === undefined ? '<unknown>' : `${current}%`}/${wanted}`;
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

const columns = [
  nameColumn,
  { name: 'Reference', type: 'string' as const, description: 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.' },
  { name: 'Targets', type: 'string' as const, description: 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.' },
  { name: 'MinPods', type: 'string' as const, description: 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.' },
  { name: 'MaxPods', type: 'integer' as const, description: 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.' },
  { name: 'Replicas', type: 'integer' as const, description: 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.' },
  ageColumn,
];

const row = (hpa: HorizontalPodAutoscaler, now: Date) => [
  hpa.metadata.name, `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`, formatHPAMetrics(hpa),
  hpa.spec?.minReplicas === undefined ? '<unset>' : String(hpa.spec.minReplicas), hpa.spec?.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, age(hpa, now),
];

export const horizontalpodautoscalers = defineResource<HorizontalPodAutoscaler>({
  group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  namespaced: true, shortNames: ['hpa'], categories: ['all'], verbs: allVerbs, subresources: ['status'], schema: schema.horizontalPodAutoscaler,
  columns, row: (hpa, { now }) => row(hpa, now),
  strategy: {
    defaults,
    // The strategy's PrepareForCreate: the status is the controller's (desiredReplicas has no omitempty).
    prepareForCreate: (hpa) => { hpa.status = { desiredReplicas: 0 }; },
    validate,
    validateUpdate: (hpa) => validate(hpa),
    allowUnconditionalUpdate: true,
  },
});

/** The annotations autoscaling/v1 keeps v2's other fields in (pkg/apis/autoscaling: MetricSpecsAnnotation and kin). */
const annotations = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
};

const isCpuUtilization = (m: MetricSpec | MetricStatus) => m.type === 'Resource' && m.resource?.name === 'cpu';

function parsed<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try { return JSON.parse(text) as T; } catch { return undefined; }
}

/** What is absent stays absent, so a converted object carries exactly the fields its source had. */
const present = <T extends object>(obj: T): T => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;

function toV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const spec = hpa.spec ?? {}, status = hpa.status ?? {};
  const cpu = spec.metrics?.find((m) => isCpuUtilization(m) && m.resource?.target?.type === 'Utilization');
  const others = (spec.metrics ?? []).filter((m) => m !== cpu);
  const currentCpu = status.currentMetrics?.find(isCpuUtilization);
  const extra = present<Record<string, string | undefined>>({
    [annotations.metrics]: others.length ? JSON.stringify(others) : undefined,
    [annotations.currentMetrics]: status.currentMetrics?.some((m) => m !== currentCpu) ? JSON.stringify(status.currentMetrics.filter((m) => m !== currentCpu)) : undefined,
    [annotations.conditions]: status.conditions?.length ? JSON.stringify(status.conditions) : undefined,
    [annotations.behavior]: spec.behavior ? JSON.stringify(spec.behavior) : undefined,
  });
  const metaAnnotations = { ...hpa.metadata.annotations, ...extra } as Record<string, string>;
  return {
    kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1',
    metadata: { ...hpa.metadata, ...(Object.keys(metaAnnotations).length ? { annotations: metaAnnotations } : {}) },
    spec: present({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization }),
    status: present({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0, currentCPUUtilizationPercentage: currentCpu?.resource?.current?.averageUtilization,
    }),
  };
}

function fromV1(hpa: HorizontalPodAutoscalerV1): HorizontalPodAutoscaler {
  const spec = hpa.spec ?? {}, status = hpa.status ?? {};
  const kept = { ...hpa.metadata.annotations };
  const take = <T>(key: string) => { const value = parsed<T>(kept[key]); delete kept[key]; return value; };
  const others = take<MetricSpec[]>(annotations.metrics) ?? [];
  const otherCurrent = take<MetricStatus[]>(annotations.currentMetrics) ?? [];
  const conditions = take<HPACondition[]>(annotations.conditions);
  const behavior = take<NonNullable<HorizontalPodAutoscaler['spec']>['behavior']>(annotations.behavior);
  const metrics = [...(spec.targetCPUUtilizationPercentage !== undefined ? [cpuUtilization(spec.targetCPUUtilizationPercentage)] : []), ...others];
  const cpuNow = status.currentCPUUtilizationPercentage;
  const currentMetrics = [...(cpuNow !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpuNow } } }] : []), ...otherCurrent];
  const { annotations: _dropped, ...metadata } = hpa.metadata;
  return {
    kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2',
    metadata: { ...metadata, ...(Object.keys(kept).length ? { annotations: kept } : {}) },
    spec: present({
      scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas,
      // As v2's defaulting: no metric at all is 80% CPU.
      metrics: metrics.length ? metrics : [cpuUtilization(defaultCPUUtilization)], behavior,
    }),
    status: present({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0, currentMetrics: currentMetrics.length ? currentMetrics : undefined, conditions,
    }),
  };
}

export const horizontalpodautoscalersV1 = defineResource<HorizontalPodAutoscalerV1>({
  group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler',
  namespaced: true, shortNames: ['hpa'], categories: ['all'], verbs: allVerbs, subresources: ['status'], schema: schema.horizontalPodAutoscalerV1,
  storedAs: { group: 'autoscaling', plural: 'horizontalpodautoscalers', toStorage: fromV1, fromStorage: toV1 },
  columns, row: (hpa, { now }) => row(fromV1(hpa), now),
  strategy: {
    defaults: (hpa) => { (hpa.spec ??= {}).minReplicas ??= 1; },
    prepareForCreate: (hpa) => { hpa.status = { desiredReplicas: 0 }; },
    validate: (hpa) => validate(fromV1(hpa)),
    validateUpdate: (hpa) => validate(fromV1(hpa)),
    allowUnconditionalUpdate: true,
  },
});
