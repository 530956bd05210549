import { canonicalQuantity, milliValue } from '../../apimachinery/quantity.ts';
import { admissionForbidden, writes, type AdmissionPlugin, type AdmissionRequest } from '../admission.ts';
import type { ClusterObjects, KubeObject } from '../types.ts';
import type { Container, Pod } from './pods.ts';
import { limitranges, type LimitRange, type LimitRangeItem, type ResourceList } from './quotas.ts';

/**
 * The LimitRanger admission plugin (plugin/pkg/admission/limitranger). Mutating: a new
 * pod's containers get the `default` limits and `defaultRequest` requests of every
 * LimitRange in the namespace for what they leave unset, and the pod says so in its
 * `kubernetes.io/limit-ranger` annotation. Validating: containers (type Container), the
 * pod as a whole (type Pod) and claims (type PersistentVolumeClaim) stay within min, max
 * and maxLimitRequestRatio. Pod updates are not checked: their resources cannot change.
 */

const annotation = 'kubernetes.io/limit-ranger';

async function rangesIn(objects: ClusterObjects, namespace: string | undefined): Promise<LimitRange[]> {
  return (await objects.list(limitranges, namespace)).items as LimitRange[];
}

/** mergeContainerResources: fills what the container leaves unset; returns the annotation's phrases for it. */
function mergeDefaults(c: Container, item: LimitRangeItem, what: string): string[] {
  const resources = (c.resources ??= {});
  const fill = (target: Record<string, unknown>, from: ResourceList | undefined) =>
    Object.entries(from ?? {}).filter(([k]) => !(k in target)).map(([k, v]) => { target[k] = v; return k; });
  const limits = fill((resources.limits ??= {}), item.default);
  const requests = fill((resources.requests ??= {}), item.defaultRequest);
  const phrases: string[] = [];
  if (requests.length) phrases.push(`${requests.sort().join(', ')} request for ${what} ${c.name}`);
  if (limits.length) phrases.push(`${limits.sort().join(', ')} limit for ${what} ${c.name}`);
  return phrases;
}

function applyDefaults(pod: Pod, range: LimitRange): void {
  const phrases: string[] = [];
  for (const item of range.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    for (const c of pod.spec.containers ?? []) phrases.push(...mergeDefaults(c, item, 'container'));
    for (const c of pod.spec.initContainers ?? []) phrases.push(...mergeDefaults(c, item, 'init container'));
  }
  if (phrases.length) (pod.metadata.annotations ??= {})[annotation] = `LimitRanger plugin set: ${phrases.join('; ')}`;
}

type Constraint = (type: string, resource: string, enforced: unknown, requests: ResourceList, limits: ResourceList) => string | undefined;

const minimum: Constraint = (type, resource, enforced, requests, limits) => {
  const min = milliValue(enforced), shown = canonicalQuantity(enforced);
  if (!(resource in requests)) return `minimum ${resource} usage per ${type} is ${shown}.  No request is specified`;
  if (milliValue(requests[resource]) < min) return `minimum ${resource} usage per ${type} is ${shown}, but request is ${canonicalQuantity(requests[resource])}`;
  if (resource in limits && milliValue(limits[resource]) < min) return `minimum ${resource} usage per ${type} is ${shown}, but limit is ${canonicalQuantity(limits[resource])}`;
  return undefined;
};

const maximum: Constraint = (type, resource, enforced, requests, limits) => {
  const max = milliValue(enforced), shown = canonicalQuantity(enforced);
  if (!(resource in limits)) return `maximum ${resource} usage per ${type} is ${shown}.  No limit is specified`;
  if (milliValue(limits[resource]) > max) return `maximum ${resource} usage per ${type} is ${shown}, but limit is ${canonicalQuantity(limits[resource])}`;
  if (resource in requests && milliValue(requests[resource]) > max) return `maximum ${resource} usage per ${type} is ${shown}, but request is ${canonicalQuantity(requests[resource])}`;
  return undefined;
};

/** maxRequestConstraint: a claim's request against max (its limits are not the user's to give). */
const maximumRequest: Constraint = (type, resource, enforced, requests) => {
  const shown = canonicalQuantity(enforced);
  if (!(resource in requests)) return `maximum ${resource} usage per ${type} is ${shown}.  No request is specified`;
  if (milliValue(requests[resource]) > milliValue(enforced)) return `maximum ${resource} usage per ${type} is ${shown}, but request is ${canonicalQuantity(requests[resource])}`;
  return undefined;
};

const ratio: Constraint = (type, resource, enforced, requests, limits) => {
  const shown = canonicalQuantity(enforced);
  const request = resource in requests ? milliValue(requests[resource]) : 0;
  const limit = resource in limits ? milliValue(limits[resource]) : 0;
  if (!request) return `${resource} max limit to request ratio per ${type} is ${shown}, but no request is specified or request is 0`;
  if (!limit) return `${resource} max limit to request ratio per ${type} is ${shown}, but no limit is specified or limit is 0`;
  const observed = limit / request;
  // Go's %f: six decimals
  if (observed * 1000 > milliValue(enforced)) return `${resource} max limit to request ratio per ${type} is ${shown}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
};

/** Every failed constraint of one LimitRange item for one set of requests and limits. */
function check(item: LimitRangeItem, requests: ResourceList, limits: ResourceList, rules: Array<[keyof LimitRangeItem, Constraint]>): string[] {
  const errs: string[] = [];
  for (const [key, constraint] of rules) {
    for (const [resource, enforced] of Object.entries((item[key] as ResourceList | undefined) ?? {})) {
      const err = constraint(item.type!, resource, enforced, requests, limits);
      if (err) errs.push(err);
    }
  }
  return errs;
}

const podRules: Array<[keyof LimitRangeItem, Constraint]> = [['min', minimum], ['max', maximum], ['maxLimitRequestRatio', ratio]];
const claimRules: Array<[keyof LimitRangeItem, Constraint]> = [['min', minimum], ['max', maximumRequest]];

/** The pod's effective requests or limits: containers summed, each init container's taken where larger (podRequests). */
function podTotal(pod: Pod, of: 'requests' | 'limits'): ResourceList {
  const total: Record<string, number> = {};
  for (const c of pod.spec.containers ?? []) for (const [k, v] of Object.entries(c.resources?.[of] ?? {})) total[k] = (total[k] ?? 0) + milliValue(v);
  for (const c of pod.spec.initContainers ?? []) for (const [k, v] of Object.entries(c.resources?.[of] ?? {})) total[k] = Math.max(total[k] ?? 0, milliValue(v));
  return Object.fromEntries(Object.entries(total).map(([k, milli]) => [k, `${milli}m`]));
}

function podViolations(pod: Pod, range: LimitRange): string[] {
  const errs: string[] = [];
  for (const item of range.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of pod.spec.containers ?? []) errs.push(...check(item, (c.resources?.requests ?? {}) as ResourceList, (c.resources?.limits ?? {}) as ResourceList, podRules));
    } else if (item.type === 'Pod') {
      errs.push(...check(item, podTotal(pod, 'requests'), podTotal(pod, 'limits'), podRules));
    }
  }
  return errs;
}

type Claim = KubeObject & { spec?: { resources?: { requests?: ResourceList } } };

function claimViolations(claim: Claim, range: LimitRange): string[] {
  const requests = claim.spec?.resources?.requests ?? {};
  if (!Object.keys(requests).length) return [];
  return (range.spec?.limits ?? []).filter((item) => item.type === 'PersistentVolumeClaim').flatMap((item) => check(item, requests, {}, claimRules));
}

/** utilerrors.NewAggregate's text: one error as it is, several in brackets. */
const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);

const isClaimWrite = (request: AdmissionRequest) => writes(request, '', 'persistentvolumeclaims') || writes(request, '', 'persistentvolumeclaims', 'UPDATE');

export const limitRangerDefaults: AdmissionPlugin = {
  name: 'LimitRanger',
  phase: 'mutating',
  resources: ['pods'],
  async admit(request, objects) {
    if (!writes(request, '', 'pods')) return;
    for (const range of await rangesIn(objects, request.namespace)) applyDefaults(request.object as Pod, range);
  },
};

export const limitRangerValidation: AdmissionPlugin = {
  name: 'LimitRanger',
  phase: 'validating',
  async admit(request, objects) {
    const pod = writes(request, '', 'pods');
    if (!pod && !isClaimWrite(request)) return;
    for (const range of await rangesIn(objects, request.namespace)) {
      const errs = pod ? podViolations(request.object as Pod, range) : claimViolations(request.object as Claim, range);
      if (errs.length) throw admissionForbidden(request, aggregate(errs));
    }
  },
};
