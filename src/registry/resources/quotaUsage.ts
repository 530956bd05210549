import { formatQuantity, milliValue, quantityFormat } from '../../apimachinery/quantity.ts';
import type { ClusterObjects, KubeObject, ResourceDef } from '../types.ts';
import { qosClass, type Pod } from './pods.ts';
import type { ResourceList, ResourceQuota } from './quotas.ts';

/**
 * What objects count against a ResourceQuota (k8s.io/apiserver's quota evaluators and
 * pkg/quota/v1/evaluator/core): object counts (`pods`, `services`, `count/deployments.apps`),
 * a pod's compute requests and limits, a claim's storage. Amounts are kept in thousandths
 * with the format of the first quantity that made them, so sums print as kube prints them
 * (`256Mi`, `750m`). The admission plugin and the quota controller both count with this.
 */

export interface Amount { milli: number; format: 'BinarySI' | 'DecimalSI' }
export type Usage = Map<string, Amount>;

/** The quota names of object counts that predate `count/…` (the core evaluators' own names). */
const legacyCounts: Record<string, string> = {
  pods: 'pods', services: 'services', configmaps: 'configmaps', secrets: 'secrets', persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
};

const countName = (def: Pick<ResourceDef, 'group' | 'plural'>) => `count/${def.group ? `${def.plural}.${def.group}` : def.plural}`;

function add(usage: Usage, name: string, value: unknown): void {
  const milli = milliValue(value);
  if (!Number.isFinite(milli)) return;
  const prior = usage.get(name);
  usage.set(name, prior ? { milli: prior.milli + milli, format: prior.format } : { milli, format: quantityFormat(value) });
}

/** QuotaV1Pod: a finished pod, or one past its deletion grace, holds nothing. */
function podCounts(pod: Pod, now: Date): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const deletion = pod.metadata.deletionTimestamp;
  return !deletion || Date.parse(deletion) + (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000 > now.getTime();
}

/** The pod's effective requests or limits (containers summed, init containers taken where larger). */
function podResources(pod: Pod, of: 'requests' | 'limits'): Map<string, unknown> {
  const total = new Map<string, { milli: number; first: unknown }>();
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[of] ?? {})) {
      const prior = total.get(k);
      total.set(k, { milli: (prior?.milli ?? 0) + milliValue(v), first: prior?.first ?? v });
    }
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[of] ?? {})) {
      const prior = total.get(k);
      if (!prior || milliValue(v) > prior.milli) total.set(k, { milli: milliValue(v), first: prior?.first ?? v });
    }
  }
  // Each total carries its first quantity's format, as quota.Add keeps it.
  return new Map([...total].map(([k, t]) => [k, formatQuantity(t.milli, quantityFormat(t.first))]));
}

/** podComputeUsageHelper: `requests.cpu` and bare `cpu` from requests, `limits.*` from limits. */
function podUsage(pod: Pod, usage: Usage): void {
  add(usage, 'pods', 1);
  for (const [k, v] of podResources(pod, 'requests')) {
    add(usage, `requests.${k}`, v);
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') add(usage, k, v);
  }
  for (const [k, v] of podResources(pod, 'limits')) add(usage, `limits.${k}`, v);
}

type Service = KubeObject & { spec?: { type?: string; ports?: unknown[] } };
type Claim = KubeObject & { spec?: { resources?: { requests?: ResourceList } } };

/** What one object counts for, by resource name (every name it could count for; a quota masks to its own). */
export function usageOf(def: ResourceDef, obj: KubeObject, now: Date): Usage {
  const usage: Usage = new Map();
  if (def.group === '' && def.plural === 'pods' && !podCounts(obj as Pod, now)) return usage;
  add(usage, countName(def), 1);
  if (def.group !== '') return usage;
  if (def.plural === 'pods') podUsage(obj as Pod, usage);
  else if (legacyCounts[def.plural]) add(usage, legacyCounts[def.plural], 1);
  if (def.plural === 'services') {
    const spec = (obj as Service).spec ?? {};
    if (spec.type === 'LoadBalancer') add(usage, 'services.loadbalancers', 1);
    if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') add(usage, 'services.nodeports', spec.ports?.length ?? 0);
  }
  if (def.plural === 'persistentvolumeclaims') {
    const storage = (obj as Claim).spec?.resources?.requests?.storage;
    if (storage !== undefined) add(usage, 'requests.storage', storage);
  }
  return usage;
}

/** Pod-only scopes (spec.scopes); a scoped quota counts pods alone. */
const scopeMatches: Record<string, (pod: Pod) => boolean> = {
  BestEffort: (pod) => qosClass(pod.spec ?? {}) === 'BestEffort',
  NotBestEffort: (pod) => qosClass(pod.spec ?? {}) !== 'BestEffort',
  Terminating: (pod) => pod.spec?.activeDeadlineSeconds !== undefined,
  NotTerminating: (pod) => pod.spec?.activeDeadlineSeconds === undefined,
};

type ScopedQuota = ResourceQuota & { spec?: { scopeSelector?: { matchExpressions?: Array<{ scopeName?: string; operator?: string; values?: string[] }> } } };

/** Does the quota look at this object (its scopes and scope selector)? */
export function quotaMatches(quota: ResourceQuota, def: ResourceDef, obj: KubeObject): boolean {
  const scopes = quota.spec?.scopes ?? [];
  const selector = (quota as ScopedQuota).spec?.scopeSelector?.matchExpressions ?? [];
  if (!scopes.length && !selector.length) return true;
  if (def.group !== '' || def.plural !== 'pods') return false;
  const pod = obj as Pod;
  if (!scopes.every((s) => scopeMatches[s]?.(pod) ?? false)) return false;
  return selector.every((e) => {
    if (e.scopeName === 'PriorityClass') {
      const name = pod.spec?.priorityClassName ?? '';
      if (e.operator === 'In') return (e.values ?? []).includes(name);
      if (e.operator === 'NotIn') return !(e.values ?? []).includes(name);
      if (e.operator === 'Exists') return name !== '';
      return name === '';
    }
    return e.operator === 'DoesNotExist' ? false : scopeMatches[e.scopeName ?? '']?.(pod) ?? false;
  });
}

/** The kinds whose objects a quota's hard names count. */
function countedKinds(objects: ClusterObjects, hard: string[]): ResourceDef[] {
  const core = (plural: string) => objects.catalog.resources.find((d) => d.group === '' && d.plural === plural);
  const kinds = new Set<ResourceDef | undefined>();
  for (const name of hard) {
    if (name.startsWith('count/')) {
      const [plural, ...group] = name.slice('count/'.length).split('.');
      kinds.add(objects.catalog.resources.find((d) => d.namespaced && d.plural === plural && d.group === group.join('.')));
    } else if (name.startsWith('services')) kinds.add(core('services'));
    else if (name === 'requests.storage' || name === 'persistentvolumeclaims') kinds.add(core('persistentvolumeclaims'));
    else if (legacyCounts[name]) kinds.add(core(legacyCounts[name]));
    else kinds.add(core('pods'));
  }
  return [...kinds].filter((d): d is ResourceDef => !!d);
}

/** The quota's usage as its namespace holds it now (the controller's recount), for its hard names. */
export async function namespaceUsage(objects: ClusterObjects, quota: ResourceQuota, now: Date): Promise<Usage> {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const usage: Usage = new Map(hard.map((name) => [name, { milli: 0, format: quantityFormat(quota.spec!.hard![name]) }]));
  for (const def of countedKinds(objects, hard)) {
    for (const obj of (await objects.list(def, quota.metadata.namespace)).items) {
      if (!quotaMatches(quota, def, obj)) continue;
      for (const [name, amount] of usageOf(def, obj, now)) {
        const total = usage.get(name);
        if (total) usage.set(name, { milli: total.milli + amount.milli, format: total.milli ? total.format : amount.format });
      }
    }
  }
  return usage;
}

/** status.used as stored: each amount as Quantity.String() writes it. */
export const usedList = (usage: Usage): ResourceList => Object.fromEntries([...usage].map(([name, a]) => [name, formatQuantity(a.milli, a.format)]));

/** An amount as written in a quota (hard or used), in thousandths with its format. */
export const amountOf = (value: unknown): Amount => ({ milli: milliValue(value), format: quantityFormat(value) });
