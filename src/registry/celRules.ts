import { Environment, serialize, type ParseResult } from '@marcbachmann/cel-js';
import { re2 } from '../apimachinery/re2.ts';
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

interface CompiledRule {
  program?: ParseResult;
  /** Why it would not compile (then the CRD was refused; kept for a CRD stored before the check). */
  error?: string;
  usesOldSelf: boolean;
  /** Valid CEL this library cannot run (kept on the CRD, not evaluated): what it said. */
  unsupported?: string;
  /** How deep its looping macros nest. */
  loopDepth?: number;
}

const env = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2_000, maxDepth: 50, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 32 },
});

// matches() as cel-go runs it: RE2, linear in the input (the library's own uses a backtracking RegExp,
// which one crafted pattern could keep busy for minutes). Rules are rewritten to call this instead.
env.registerFunction('__re2_matches(string, string): bool', (text: string, pattern: string) => {
  const compiled = re2(pattern);
  if (!compiled) throw new Error(`invalid regular expression: ${pattern}`);
  return compiled.test(text);
});

type Node = { op?: string; args?: unknown };
/** Turns every `s.matches(p)` and `matches(s, p)` in a parsed rule into `__re2_matches(s, p)`, in place; whether there was one. */
function useRe2(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as Node;
  let found = false;
  if (n.op === 'rcall' && Array.isArray(n.args) && n.args[0] === 'matches') {
    n.op = 'call';
    n.args = ['__re2_matches', [n.args[1], ...(n.args[2] as unknown[])]];
    found = true;
  } else if (n.op === 'call' && Array.isArray(n.args) && n.args[0] === 'matches') {
    n.args = ['__re2_matches', n.args[1]];
    found = true;
  }
  if (Array.isArray(n.args)) for (const a of n.args) for (const x of Array.isArray(a) ? a : [a]) found = useRe2(x) || found;
  else found = useRe2(n.args) || found;
  return found;
}

/** Macros that loop over a list or map: one inside another is quadratic in the data. */
const loopingMacros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** cel-go's first line of an error, as kube quotes it (`no such key: x`), without the library's source excerpt. */
function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** How deep looping macros nest in an expression (0: none). */
function loopDepth(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  const { op, args } = node as { op?: string; args?: unknown };
  let depth = 0;
  const visit = (x: unknown) => { depth = Math.max(depth, Array.isArray(x) ? Math.max(0, ...x.map(visit)) : loopDepth(x)); return depth; };
  if (Array.isArray(args)) for (const a of args) visit(a);
  else visit(args);
  return depth + (op === 'rcall' && Array.isArray(args) && loopingMacros.has(String(args[0])) ? 1 : 0);
}

/** The string literals given to matches() as patterns, which kube compiles with the rule. */
function literalPatterns(node: unknown, out: string[] = []): string[] {
  if (!node || typeof node !== 'object') return out;
  const n = node as Node;
  const literal = (x: unknown) => { const v = x as Node; if (v?.op === 'value' && typeof v.args === 'string') out.push(v.args); };
  if (n.op === 'rcall' && Array.isArray(n.args) && n.args[0] === 'matches') literal((n.args[2] as unknown[])[0]);
  if (n.op === 'call' && Array.isArray(n.args) && n.args[0] === 'matches') literal((n.args[1] as unknown[])[1]);
  if (Array.isArray(n.args)) for (const a of n.args) for (const x of Array.isArray(a) ? a : [a]) literalPatterns(x, out);
  else literalPatterns(n.args, out);
  return out;
}

/** Whether an expression names `oldSelf` anywhere (a transition rule). */
function namesOldSelf(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const { op, args } = node as { op?: string; args?: unknown };
  if (op === 'id' && args === 'oldSelf') return true;
  return Array.isArray(args) ? args.some((a) => (Array.isArray(a) ? a.some(namesOldSelf) : namesOldSelf(a))) : namesOldSelf(args);
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

const compiledRules = new Map<string, CompiledRule>();
/** A rule compiled (cached by its text), or why it cannot be: syntax or type errors, or nested loops over unbounded lists at `schema`. */
function compile(text: string, schema?: JSONSchemaProps): CompiledRule {
  const cached = compiledRules.get(text);
  if (cached) return !cached.program || !schema || costFits(cached, schema) ? cached : { error: costError, usesOldSelf: false };
  const compiled = parseRule(text);
  if (compiledRules.size > 2_000) compiledRules.clear();
  compiledRules.set(text, compiled);
  return !compiled.program || !schema || costFits(compiled, schema) ? compiled : { error: costError, usesOldSelf: false };
}

const costError = 'estimated rule cost exceeds budget: loops nested over lists without maxItems (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
function costFits(compiled: CompiledRule, schema: JSONSchemaProps): boolean {
  const depth = compiled.loopDepth ?? 0;
  return depth < 2 || listBound(schema) ** depth <= maxNestedIterations;
}

function parseRule(text: string): CompiledRule {
  let compiled: CompiledRule;
  try {
    const program = env.parse(text);
    const checked = program.check();
    if (!checked.valid) compiled = syntaxError(checked.error) ? { error: `compilation failed: ERROR: <input>: ${firstLine(checked.error)}`, usesOldSelf: false } : { unsupported: firstLine(checked.error), usesOldSelf: false };
    else if (checked.type !== 'bool' && checked.type !== 'dyn') compiled = { error: `compilation failed: ERROR: <input>: cel expression must evaluate to a bool`, usesOldSelf: false };
    else {
      const usesOldSelf = namesOldSelf(program.ast), depth = loopDepth(program.ast);
      const badPattern = literalPatterns(program.ast).find((p) => !re2(p));
      if (badPattern !== undefined) compiled = { error: `compilation failed: ERROR: <input>: invalid regular expression: ${badPattern}`, usesOldSelf: false };
      else compiled = { program: useRe2(program.ast) ? env.parse(serialize(program.ast)) : program, usesOldSelf, loopDepth: depth };
    }
  } catch (err) {
    // A syntax error is the author's; anything else the library refuses (it lacks a few of cel-go's
    // forms, e.g. has() over an indexed list) would be a valid rule to kube: such a rule is kept and not run.
    compiled = syntaxError(err)
      ? { error: `compilation failed: ERROR: <input>: ${firstLine(err)}`, usesOldSelf: false }
      : { unsupported: firstLine(err), usesOldSelf: false };
  }
  return compiled;
}

const syntaxError = (err: unknown) => err instanceof Error && /^(Unexpected|Unterminated|Invalid (escape|number|character|token)|Expected)/i.test(err.message);

function compileMessage(text: string): ParseResult | undefined {
  try { return env.parse(text); } catch { return undefined; }
}

/** A JSON value as CEL sees it under its schema: integers are CEL ints (BigInt), everything else as it is. */
function celValue(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (typeof value === 'number') return Number.isInteger(value) && schema?.type !== 'number' ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => celValue(item, schema?.items));
  if (value && typeof value === 'object') {
    const extra = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [schema?.properties?.[k] ? escapedName(k) : k, celValue(v, schema?.properties?.[k] ?? extra)]));
  }
  return value;
}

/** CEL's reserved words, which a property name may be: kube makes `namespace` `__namespace__`. */
const reserved = new Set(['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import', 'in', 'let', 'loop', 'package', 'namespace', 'null', 'return', 'true', 'var', 'void', 'while']);
/** A declared property's name as rules see it, escaped as kube's CEL model escapes it (`__dash__`, `__dot__`, `__slash__`, `__underscores__`). */
function escapedName(name: string): string {
  if (reserved.has(name)) return `__${name}__`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !name.includes('__')) return name;
  return name.replace(/__|[.\-/]/g, (m) => (m === '__' ? '__underscores__' : m === '.' ? '__dot__' : m === '-' ? '__dash__' : '__slash__'));
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
      const self = celValue(node, s);
      const oldSelf = prior === undefined || prior === null ? undefined : celValue(prior, s);
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
        if (compiled.usesOldSelf && oldSelf === undefined && !rule.optionalOldSelf) continue;
        let result: unknown;
        try {
          result = compiled.program({ self, oldSelf });
        } catch (err) {
          out.push({ field: path, type: 'FieldValueInvalid', ...scalar, detail: `${firstLine(err)} evaluating rule: ${shown}` });
          continue;
        }
        if (result === true) continue;
        let detail = message || `failed rule: ${shown}`;
        if (typeof rule.messageExpression === 'string' && rule.messageExpression) {
          try {
            const message = compileMessage(rule.messageExpression)?.({ self, oldSelf });
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
