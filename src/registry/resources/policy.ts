import * as schema from '../../schema/policy.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { invalidGo } from '../../apimachinery/goFormat.ts';
import { validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** policy/v1 PodDisruptionBudget: how many pods voluntary disruptions may take down. */

type IntOrString = number | string;

/** metav1.Condition, as newer kinds (and the PDB) carry their conditions. */
export interface MetaCondition { type: string; status: string; observedGeneration?: number; lastTransitionTime: string; reason: string; message: string }

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pods an eviction let go that the controller should not count as healthy yet, with the eviction's time. */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number; currentHealthy: number; desiredHealthy: number; expectedPods: number;
  conditions?: MetaCondition[];
}
export type PodDisruptionBudget = KubeObject & {
  spec?: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector | null; unhealthyPodEvictionPolicy?: string };
  status?: PodDisruptionBudgetStatus;
};

/** apimeta.SetStatusCondition: the transition time moves only when the status does. */
export function setStatusCondition(conditions: MetaCondition[] | undefined, next: Omit<MetaCondition, 'lastTransitionTime'>, at: string): MetaCondition[] {
  const list = conditions ?? [];
  const current = list.find((c) => c.type === next.type);
  const lastTransitionTime = current && current.status === next.status ? current.lastTransitionTime : at;
  const updated: MetaCondition = { type: next.type, status: next.status, observedGeneration: next.observedGeneration, lastTransitionTime, reason: next.reason, message: next.message };
  return current ? list.map((c) => (c === current ? updated : c)) : [...list, updated];
}

/**
 * pdbhelper.UpdateDisruptionAllowedCondition: DisruptionAllowed is True (SufficientPods)
 * while an eviction may go ahead, False (InsufficientPods) otherwise.
 */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, at: string): PodDisruptionBudgetStatus {
  const allowed = status.disruptionsAllowed > 0;
  const condition = { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: status.observedGeneration };
  return { ...status, conditions: setStatusCondition(status.conditions, condition, at) };
}

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
function validateAmount(value: IntOrString | undefined, field: string): FieldError[] {
  if (value == null) return [];
  if (typeof value === 'number') return value < 0 ? [{ field, type: 'FieldValueInvalid', value, detail: 'must be greater than or equal to 0' }] : [];
  const m = /^(\d+)%$/.exec(value);
  if (!m) return [{ field, type: 'FieldValueInvalid', value, detail: "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')" }];
  return Number(m[1]) > 100 ? [{ field, type: 'FieldValueInvalid', value, detail: 'must not be greater than 100%' }] : [];
}

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];
const amountCell = (value: IntOrString | undefined) => (value == null ? 'N/A' : String(value));

export const poddisruptionbudgets = defineResource<PodDisruptionBudget>({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget', namespaced: true,
  shortNames: ['pdb'], verbs: allVerbs, subresources: ['status'], schema: schema.podDisruptionBudget,
  columns: [
    nameColumn,
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.' },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.' },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.' },
    ageColumn,
  ],
  row(pdb, { now }) {
    return [pdb.metadata.name, amountCell(pdb.spec?.minAvailable), amountCell(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)];
  },
  strategy: {
    tracksGeneration: true,
    // the disruption controller fills these in; until then they read as zero (fields without omitempty)
    prepareForCreate(obj) { obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs: FieldError[] = [];
      if (spec.minAvailable != null && spec.maxUnavailable != null) {
        errs.push(invalidGo('spec', 'policy.PodDisruptionBudgetSpec{...}', 'minAvailable and maxUnavailable cannot be both set'));
      }
      errs.push(...validateAmount(spec.minAvailable, 'spec.minAvailable'), ...validateAmount(spec.maxUnavailable, 'spec.maxUnavailable'));
      errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
      if (spec.unhealthyPodEvictionPolicy && !evictionPolicies.includes(spec.unhealthyPodEvictionPolicy)) {
        errs.push({ field: 'spec.unhealthyPodEvictionPolicy', type: 'FieldValueNotSupported', value: spec.unhealthyPodEvictionPolicy, detail: 'supported values: "AlwaysAllow", "IfHealthyBudget"' });
      }
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
