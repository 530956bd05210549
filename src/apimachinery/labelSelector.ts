import { isLabelValue, isQualifiedName, validateLabels } from './validation.ts';
import type { FieldError } from './errors.ts';
import { goQuote, goStringMap, goStrings } from './goFormat.ts';

/** metav1.LabelSelector as workloads, policies and quotas carry it. */
export interface LabelSelectorRequirement { key?: string; operator?: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

type Labels = Record<string, string> | undefined;

/** One requirement of the converted selector (labels.Requirement). */
interface Requirement { key: string; op: 'eq' | 'in' | 'notin' | 'exists' | '!'; values: string[] }

function requirements(selector: LabelSelector): Requirement[] {
  const out: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'eq', values: [value] }));
  for (const e of selector.matchExpressions ?? []) {
    const key = e.key ?? '';
    switch (e.operator) {
      case 'In': out.push({ key, op: 'in', values: [...(e.values ?? [])] }); break;
      case 'NotIn': out.push({ key, op: 'notin', values: [...(e.values ?? [])] }); break;
      case 'Exists': out.push({ key, op: 'exists', values: [] }); break;
      case 'DoesNotExist': out.push({ key, op: '!', values: [] }); break;
    }
  }
  // labels.Selector keeps requirements sorted by key
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** An empty selector (not nil) selects everything. */
export const isEmptySelector = (s: LabelSelector) => !Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length;

/**
 * metav1.LabelSelectorAsSelector(s).Matches(labels): nil selects nothing,
 * an empty selector everything.
 */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  const set = labels ?? {};
  return requirements(selector).every((r) => {
    const has = Object.hasOwn(set, r.key);
    switch (r.op) {
      case 'eq': case 'in': return has && r.values.includes(set[r.key]);
      case 'notin': return !has || !r.values.includes(set[r.key]);
      case 'exists': return has;
      case '!': return !has;
    }
  });
}

/** labels.Selector.String() of the converted selector: `app=web,tier in (a,b)`; "" when empty or nil. */
export function selectorString(selector: LabelSelector | undefined | null): string {
  if (!selector) return '';
  return requirements(selector).map((r) => {
    const values = r.values.length > 1 ? [...r.values].sort().join(',') : r.values[0] ?? '';
    switch (r.op) {
      case 'eq': return `${r.key}=${values}`;
      case 'in': return `${r.key} in (${values})`;
      case 'notin': return `${r.key} notin (${values})`;
      case 'exists': return r.key;
      case '!': return `!${r.key}`;
    }
  }).join(',');
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when it selects by nothing. */
export const formatLabelSelector = (selector: LabelSelector | undefined | null) => selectorString(selector) || '<none>';

/** labels.FormatLabels: `k=v,...` sorted by key, `<none>` for an empty map. */
export function formatLabels(map: Record<string, string> | undefined | null): string {
  const keys = Object.keys(map ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${map![k]}`).join(',') : '<none>';
}

/** `%#v` of a metav1.LabelSelector, as a bad selector prints in a field error. */
export function goLabelSelector(s: LabelSelector): string {
  const exprs = s.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions.map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStrings(e.values)}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(selector: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!selector) return [];
  const errs: FieldError[] = [...validateLabels(selector.matchLabels, `${path}.matchLabels`)];
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (!values.length) errs.push({ field: `${at}.values`, type: 'FieldValueRequired', detail: "must be specified when `operator` is 'In' or 'NotIn'" });
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length) errs.push({ field: `${at}.values`, type: 'FieldValueForbidden', detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
    } else {
      errs.push({ field: `${at}.operator`, type: 'FieldValueInvalid', value: e.operator ?? '', detail: 'not a valid selector operator' });
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push({ field: `${at}.key`, type: 'FieldValueInvalid', value: e.key ?? '', detail: m });
    values.forEach((value, j) => {
      for (const m of isLabelValue(value)) errs.push({ field: `${at}.values[${j}]`, type: 'FieldValueInvalid', value, detail: m });
    });
  });
  return errs;
}
