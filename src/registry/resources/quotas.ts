import * as schema from '../../schema/coreExtras.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { isNegativeQuantity } from '../../apimachinery/quantity.ts';
import { isQualifiedName } from '../../apimachinery/validation.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** core/v1 ResourceQuota and LimitRange: how much a namespace may use. */

type Quantity = string | number;
export type ResourceList = Record<string, Quantity>;
export type ResourceQuota = KubeObject & { spec?: { hard?: ResourceList; scopes?: string[] }; status?: { hard?: ResourceList; used?: ResourceList } };
export interface LimitRangeItem { type?: string; max?: ResourceList; min?: ResourceList; default?: ResourceList; defaultRequest?: ResourceList; maxLimitRequestRatio?: ResourceList }
export type LimitRange = KubeObject & { spec?: { limits?: LimitRangeItem[] } };

const quotaScopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];

/** Resource names are qualified names; amounts may not be negative (ValidateResourceQuantityValue). */
function validateResourceList(list: ResourceList | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, amount] of Object.entries(list ?? {})) {
    for (const m of isQualifiedName(name)) errs.push({ field: `${path}[${name}]`, type: 'FieldValueInvalid', value: name, detail: m });
    if (isNegativeQuantity(amount)) errs.push({ field: `${path}[${name}]`, type: 'FieldValueInvalid', value: String(amount), detail: 'must be greater than or equal to 0' });
  }
  return errs;
}

/**
 * status.hard follows spec.hard; status.used keeps what was counted for names still
 * limited. A name not counted yet has no used amount until the quota controller counts it
 * (admission counts it itself meanwhile).
 */
function mirrorHard(quota: ResourceQuota, used: ResourceList = {}): void {
  const hard = quota.spec?.hard ?? {};
  const kept = Object.fromEntries(Object.keys(hard).filter((k) => used[k] !== undefined).map((k) => [k, used[k]]));
  quota.status = { hard: { ...hard }, ...(Object.keys(kept).length ? { used: kept } : {}) };
}

/** The REQUEST and LIMIT cells: `name: used/hard` per observed resource, `limits.*` in LIMIT (printResourceQuota). */
function quotaCells(quota: ResourceQuota): [string, string] {
  const request: string[] = [], limit: string[] = [];
  for (const name of Object.keys(quota.status?.hard ?? {}).sort()) {
    const cell = `${name}: ${quota.status?.used?.[name] ?? '0'}/${quota.status?.hard?.[name] ?? '0'}`;
    (name.split('.')[0] === 'limits' && name.includes('.') ? limit : request).push(cell);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourcequotas = defineResource<ResourceQuota>({
  group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota', namespaced: true,
  shortNames: ['quota'], verbs: allVerbs, subresources: ['status'], schema: schema.resourceQuota,
  columns: [
    nameColumn,
    ageColumn,
    { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.' },
    { name: 'Limit', type: 'string', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.' },
  ],
  row: (obj, { now }) => [obj.metadata.name, age(obj, now), ...quotaCells(obj)],
  strategy: {
    prepareForCreate: (obj) => mirrorHard(obj),
    prepareForUpdate: (obj, old) => mirrorHard(obj, old.status?.used),
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = validateResourceList(spec.hard, 'spec.hard');
      (spec.scopes ?? []).forEach((scope, i) => {
        if (!quotaScopes.includes(scope)) errs.push({ field: `spec.scopes[${i}]`, type: 'FieldValueNotSupported', value: scope, detail: `supported values: ${quotaScopes.map((s) => `"${s}"`).join(', ')}` });
      });
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});

const limitTypes = ['Container', 'PersistentVolumeClaim', 'Pod'];

/** SetDefaults_LimitRangeItem: container defaults fall back to max, requests to the default limit, then to min. */
function limitRangeDefaults(obj: LimitRange): void {
  for (const item of obj.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const fill = (target: 'default' | 'defaultRequest', from: ResourceList | undefined) => {
      for (const [k, v] of Object.entries(from ?? {})) if (!(k in (item[target] ?? {}))) (item[target] ??= {})[k] = v;
    };
    fill('default', item.max);
    fill('defaultRequest', item.default);
    fill('defaultRequest', item.min);
  }
}

export const limitranges = defineResource<LimitRange>({
  group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange', namespaced: true,
  shortNames: ['limits'], verbs: allVerbs, schema: schema.limitRange,
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  row: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
  strategy: {
    defaults: limitRangeDefaults,
    validate(obj) {
      const errs: FieldError[] = [];
      (obj.spec?.limits ?? []).forEach((item, i) => {
        const at = `spec.limits[${i}]`;
        if (!limitTypes.includes(item.type ?? '')) errs.push({ field: `${at}.type`, type: 'FieldValueNotSupported', value: item.type ?? '', detail: `supported values: ${limitTypes.map((t) => `"${t}"`).join(', ')}` });
        for (const key of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) errs.push(...validateResourceList(item[key], `${at}.${key}`));
        if (item.type === 'Pod' && (item.default || item.defaultRequest)) {
          errs.push({ field: `${at}.${item.default ? 'default' : 'defaultRequest'}`, type: 'FieldValueForbidden', detail: 'may not be specified when `type` is \'Pod\'' });
        }
      });
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
