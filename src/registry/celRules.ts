import { celValue, compileCel, firstLine, type CompiledExpression } from './cel.ts';
import type { FieldError, FieldErrorType } from '../apimachinery/errors.ts';
import type { JSONSchemaProps, ValidationRule } from './structural.ts';

/**
 * A CRD's `x-kubernetes-validations`: CEL rules evaluated against custom resources as
 * apiextensions-apiserver's schema/cel validator does. Each rule sees the value at its
 * schema node as `self` (and, for a transition rule, the stored value as `oldSelf`); a
 * rule that is false is a 422 naming that node, with the rule's message (or
 * `failed rule: <rule>`), its messageExpression, reason and fieldPath. CEL itself is
 * @marcbachmann/cel-js, not an interpreter of our own.
 */

interface CompiledRule extends Partial<CompiledExpression> {
  usesOldSelf: boolean;
}

/**
 * The most elements a loop in a rule at this node can visit: the node's own maxItems for a
 * list, else the largest of its child lists' (unbounded when one has none). kube estimates
 * a rule's cost from these bounds; nested loops are allowed only where it stays small.
 */
function listBound(schema: JSONSchemaProps | undefined): number {
  if (!schema) return Infinity;
  if (schema.type === 'array') return schema.maxItems ?? Infinity;
  const lists = Object.values(schema.properties ?? {}).filter((p) => p.type === 'array');
  return lists.length ? Math.max(...lists.map((p) => p.maxItems ?? Infinity)) : Infinity;
}

/** kube's static cost limit, in loop iterations of a rule's nested macros (its StaticEstimatedCostLimit is in cost units). */
const maxNestedIterations = 1_000_000;

/** A rule compiled, or why it cannot be: syntax or type errors, or nested loops over unbounded lists at `schema`. */
function compile(text: string, schema?: JSONSchemaProps): CompiledRule {
  const compiled = compileCel(text, 'bool');
  const rule = { ...compiled, usesOldSelf: compiled.variables.has('oldSelf') };
  return !compiled.program || !schema || costFits(rule, schema) ? rule : { error: costError, usesOldSelf: false };
}

const costError = 'estimated rule cost exceeds budget: loops nested over lists without maxItems (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
function costFits(compiled: CompiledRule, schema: JSONSchemaProps): boolean {
  const depth = compiled.loopDepth ?? 0;
  return depth < 2 || listBound(schema) ** depth <= maxNestedIterations;
}

const reasonTypes: Record<string, FieldErrorType> = {
  FieldValueInvalid: 'FieldValueInvalid', FieldValueForbidden: 'FieldValueForbidden',
  FieldValueRequired: 'FieldValueRequired', FieldValueDuplicate: 'FieldValueDuplicate',
};

const reasonType = (reason: unknown): FieldErrorType | undefined => (Object.hasOwn(reasonTypes, String(reason)) ? reasonTypes[String(reason)] : undefined);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
/** A rule's fieldPath (`.spec.x` or `['x']`) appended to the node's path, as kube prints it. */
const withFieldPath = (path: string, fieldPath: string) => {
  const tail = fieldPath.replace(/^\./, '').replace(/\['([^']*)'\]/g, '[$1]');
  return path ? `${path}.${tail}` : tail;
};

/** At most this many rule evaluations per object, a bound on the work one write can cost (kube bounds it by an estimated cost). */
const maxEvaluations = 10_000;

/**
 * Every rule in `schema` evaluated against `value` (and `old`, the stored value, for an
 * update). `onlyTransitions`: evaluate only the rules that name oldSelf (the others were
 * evaluated by the create-time pass).
 */
export function celErrors(value: unknown, schema: JSONSchemaProps, old?: unknown, onlyTransitions = false): FieldError[] {
  const out: FieldError[] = [];
  let budget = maxEvaluations, exhausted = false;
  const walk = (node: unknown, s: JSONSchemaProps, prior: unknown, path: string): void => {
    if (node === null || node === undefined || exhausted) return;
    const rules = s['x-kubernetes-validations'];
    if (Array.isArray(rules) && rules.length) {
      // Converted once a rule at this node runs (an update's pass runs only transition rules; most nodes have none).
      let vars: { self: unknown; oldSelf: unknown } | undefined;
      const bindings = () => (vars ??= { self: celValue(node, s), oldSelf: prior === undefined || prior === null ? undefined : celValue(prior, s) });
      for (const rule of rules) {
        if (typeof rule?.rule !== 'string') continue; // refused when the CRD was written; nothing to run
        const message = typeof rule.message === 'string' ? rule.message.trim() : '';
        if (budget-- <= 0) {
          out.push({ field: path, type: 'FieldValueInvalid', detail: 'validation failed due to running out of cost budget, no further validation rules will be run' });
          exhausted = true;
          return;
        }
        const compiled = compile(rule.rule, s);
        if (onlyTransitions && !compiled.usesOldSelf) continue;
        if (!onlyTransitions && compiled.usesOldSelf) continue;
        const shown = message || rule.rule.trim();
        const scalar = s.type !== 'object' && s.type !== 'array' ? { value: node } : {};
        if (compiled.unsupported) continue;
        if (!compiled.program) { out.push({ field: path, type: 'FieldValueInvalid', ...scalar, detail: `rule compile error: ${compiled.error}` }); continue; }
        if (compiled.usesOldSelf && (prior === undefined || prior === null) && !rule.optionalOldSelf) continue;
        let result: unknown;
        try {
          result = compiled.program(bindings());
        } catch (err) {
          out.push({ field: path, type: 'FieldValueInvalid', ...scalar, detail: `${firstLine(err)} evaluating rule: ${shown}` });
          continue;
        }
        if (result === true) continue;
        let detail = message || `failed rule: ${shown}`;
        if (typeof rule.messageExpression === 'string' && rule.messageExpression) {
          try {
            const message = compileCel(rule.messageExpression, 'string').program?.(bindings());
            if (typeof message === 'string' && message.trim() && !message.includes('\n')) detail = message.trim();
          } catch { /* kube logs it and keeps the message */ }
        }
        const type = reasonType(rule.reason) ?? 'FieldValueInvalid';
        const field = typeof rule.fieldPath === 'string' && rule.fieldPath ? withFieldPath(path, rule.fieldPath) : path;
        // As fieldErrorForReason: Duplicate names only the value; Invalid shows a scalar's value, never an object's.
        if (type === 'FieldValueDuplicate') out.push({ field, type, value: node });
        else out.push({ field, type, ...(type === 'FieldValueInvalid' ? scalar : {}), detail });
      }
    }
    if (Array.isArray(node)) {
      if (s.items) node.forEach((item, i) => walk(item, s.items!, undefined, `${path}[${i}]`));
      return;
    }
    if (!isObject(node)) return;
    const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    const before = isObject(prior) ? prior : undefined;
    for (const [key, childValue] of Object.entries(node)) {
      const childSchema = s.properties?.[key] ?? extra;
      if (childSchema && !(path === '' && (key === 'metadata' || key === 'apiVersion' || key === 'kind'))) {
        walk(childValue, childSchema, before?.[key], s.properties?.[key] ? child(path, key) : `${path}[${key}]`);
      }
    }
  };
  walk(value, schema, old, '');
  return out;
}

/** Every rule in a CRD version's schema that kube would refuse, with the path kube names it by. */
export function ruleProblems(schema: JSONSchemaProps, path: string, out: FieldError[] = []): FieldError[] {
  const rules = schema['x-kubernetes-validations'];
  if (Array.isArray(rules)) {
    (rules as ValidationRule[]).forEach((rule, i) => {
      const where = `${path}.x-kubernetes-validations[${i}]`;
      if (typeof rule?.rule !== 'string' || !rule.rule.trim()) { out.push({ field: `${where}.rule`, type: 'FieldValueRequired', detail: '' }); return; }
      const problem = compile(rule.rule, schema).error;
      if (problem) out.push({ field: `${where}.rule`, type: 'FieldValueInvalid', detail: problem });
      if (rule.reason !== undefined && !reasonType(rule.reason)) out.push({ field: `${where}.reason`, type: 'FieldValueNotSupported', value: rule.reason, detail: 'supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"' });
    });
  }
  for (const [key, props] of Object.entries(schema.properties ?? {})) ruleProblems(props, `${path}.properties[${key}]`, out);
  if (schema.items) ruleProblems(schema.items, `${path}.items`, out);
  if (typeof schema.additionalProperties === 'object') ruleProblems(schema.additionalProperties, `${path}.additionalProperties`, out);
  return out;
}
