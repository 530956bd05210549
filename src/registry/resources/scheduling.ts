import * as schema from '../../schema/cluster.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** scheduling.k8s.io/v1 PriorityClass: how pods rank against each other. */

export type PriorityClass = KubeObject & { value?: number; globalDefault?: boolean; description?: string; preemptionPolicy?: string };

/** The classes the system reserves, with the values they must have. */
export const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
/** As kube-apiserver creates them when it starts (scheduling's post-start hook). */
export const systemPriorityClassDescriptions: Record<string, string> = {
  'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
  'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
};
const systemPrefix = 'system-';
const highestUserDefinable = 1000000000;
const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

function validate(pc: PriorityClass): FieldError[] {
  const name = pc.metadata.name ?? '';
  const value = pc.value ?? 0;
  const errs: FieldError[] = [];
  if (name.startsWith(systemPrefix)) {
    const expected = systemPriorityClasses[name];
    const why = expected === undefined ? `${name} is not a known system priority class` : value !== expected ? `value of ${name} PriorityClass must be ${expected}` : undefined;
    if (why) errs.push({ field: 'metadata.name', type: 'FieldValueForbidden', detail: `priority class names with '${systemPrefix}' prefix are reserved for system use only. error: ${why}` });
  } else if (value > highestUserDefinable) {
    errs.push({ field: 'value', type: 'FieldValueForbidden', detail: `maximum allowed value of a user defined priority is ${highestUserDefinable}` });
  }
  if (pc.preemptionPolicy && !preemptionPolicies.includes(pc.preemptionPolicy)) {
    errs.push({ field: 'preemptionPolicy', type: 'FieldValueNotSupported', value: pc.preemptionPolicy, detail: 'supported values: "Never", "PreemptLowerPriority"' });
  }
  return errs;
}

export const priorityclasses = defineResource<PriorityClass>({
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass', namespaced: false,
  shortNames: ['pc'], verbs: allVerbs, schema: schema.priorityClass,
  columns: [
    nameColumn,
    { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.' },
    { name: 'Global-Default', type: 'boolean', description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.' },
    ageColumn,
    { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.' },
  ],
  row(pc, { now }) {
    return [pc.metadata.name, pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''];
  },
  strategy: {
    defaults(obj) { obj.preemptionPolicy ??= 'PreemptLowerPriority'; },
    validate,
    validateUpdate(now, before) {
      const errs: FieldError[] = [];
      if ((now.value ?? 0) !== (before.value ?? 0)) errs.push({ field: 'value', type: 'FieldValueForbidden', detail: 'may not be changed in an update.' });
      if (now.preemptionPolicy !== before.preemptionPolicy) errs.push({ field: 'preemptionPolicy', type: 'FieldValueInvalid', value: now.preemptionPolicy ?? '', detail: 'field is immutable' });
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
