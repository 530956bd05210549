import { Environment, serialize, type ParseResult } from '@marcbachmann/cel-js';
import { re2 } from '../apimachinery/re2.ts';
import type { JSONSchemaProps } from './structural.ts';

/**
 * CEL as kube-apiserver compiles it for CRD rules and ValidatingAdmissionPolicies, on
 * @marcbachmann/cel-js (not an interpreter of our own): one environment whose variables
 * are all dyn, matches() on RE2, and the compile-time checks kube makes (syntax, result
 * type, literal regular expressions, nested loops for the cost estimate).
 */

export interface CompiledExpression {
  program?: ParseResult;
  /** Why kube would refuse it (a syntax error, a bad literal pattern, a result of the wrong type). */
  error?: string;
  /** Valid CEL this library cannot run (kept, not evaluated): what it said. */
  unsupported?: string;
  /** How deep its looping macros nest (cel-go's cost estimate grows with each level). */
  loopDepth: number;
  /** The top-level variables it names (`self`, `oldSelf`, `object`, `params`…). */
  variables: Set<string>;
}

export const env = new Environment({
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
const isNode = (x: unknown): x is Node => !!x && typeof x === 'object';
/** A parsed node's child nodes: its args, a call's argument list (and a map's entries) flattened one level. */
const children = (n: Node): unknown[] => (Array.isArray(n.args) ? n.args.flatMap((a) => (Array.isArray(a) ? a : [a])) : [n.args]);
/** `s.matches(p)` (rcall) or `matches(s, p)` (call). */
const isMatches = (n: Node) => (n.op === 'rcall' || n.op === 'call') && Array.isArray(n.args) && n.args[0] === 'matches';

/** Turns every `s.matches(p)` and `matches(s, p)` in a parsed rule into `__re2_matches(s, p)`, in place; whether there was one. */
function useRe2(node: unknown): boolean {
  if (!isNode(node)) return false;
  let found = false;
  if (isMatches(node)) {
    const args = node.args as unknown[];
    node.args = ['__re2_matches', node.op === 'rcall' ? [args[1], ...(args[2] as unknown[])] : args[1]];
    node.op = 'call';
    found = true;
  }
  for (const x of children(node)) found = useRe2(x) || found;
  return found;
}

/** Macros that loop over a list or map: one inside another is quadratic in the data. */
const loopingMacros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** cel-go's first line of an error, as kube quotes it (`no such key: x`), without the library's source excerpt. */
export function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** How deep looping macros nest in an expression (0: none). */
function loopDepth(node: unknown): number {
  if (!isNode(node)) return 0;
  const inner = Math.max(0, ...children(node).map(loopDepth));
  return inner + (node.op === 'rcall' && Array.isArray(node.args) && loopingMacros.has(String(node.args[0])) ? 1 : 0);
}

/** The string literals given to matches() as patterns, which kube compiles with the rule. */
function literalPatterns(node: unknown, out: string[] = []): string[] {
  if (!isNode(node)) return out;
  if (isMatches(node)) {
    const args = node.args as unknown[];
    const pattern = (node.op === 'rcall' ? (args[2] as unknown[])[0] : (args[1] as unknown[])[1]) as Node | undefined;
    if (pattern?.op === 'value' && typeof pattern.args === 'string') out.push(pattern.args);
  }
  for (const x of children(node)) literalPatterns(x, out);
  return out;
}

/** Identifiers the expression reads as variables. */
function variablesOf(node: unknown, out = new Set<string>()): Set<string> {
  if (!isNode(node)) return out;
  if (node.op === 'id' && typeof node.args === 'string') out.add(node.args);
  for (const x of children(node)) variablesOf(x, out);
  return out;
}

/**
 * A JSON value as CEL sees it: integers are CEL ints (BigInt) unless its schema says `number`, and
 * the properties a schema declares are named as kube's CEL model escapes them; without a schema
 * (a built-in object, for admission policies) only the numbers change.
 */
export function celValue(value: unknown, schema?: JSONSchemaProps): unknown {
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

const syntaxError = (err: unknown) => err instanceof Error && /^(Unexpected|Unterminated|Invalid (escape|number|character|token)|Expected)/i.test(err.message);
const failed = (why: string): CompiledExpression => ({ error: `compilation failed: ERROR: <input>: ${why}`, loopDepth: 0, variables: new Set() });

const cache = new Map<string, CompiledExpression>();
/** An expression compiled once (cached by text), expected to give a `bool`, a `string` or anything. */
export function compileCel(text: string, expect: 'bool' | 'string' | 'any'): CompiledExpression {
  const key = `${expect}\0${text}`;
  let compiled = cache.get(key);
  if (compiled) return compiled;
  try {
    const program = env.parse(text);
    const checked = program.check();
    if (!checked.valid) {
      // A syntax error is the author's; anything else the library refuses (it lacks a few of cel-go's
      // forms, e.g. has() over an indexed list) would be valid to kube: such an expression is kept and not run.
      compiled = syntaxError(checked.error) ? failed(firstLine(checked.error)) : { unsupported: firstLine(checked.error), loopDepth: 0, variables: new Set() };
    } else if (expect !== 'any' && checked.type !== expect && checked.type !== 'dyn') {
      compiled = failed(`cel expression must evaluate to a ${expect}`);
    } else {
      const badPattern = literalPatterns(program.ast).find((p) => !re2(p));
      if (badPattern !== undefined) compiled = failed(`invalid regular expression: ${badPattern}`);
      else {
        const loops = loopDepth(program.ast), variables = variablesOf(program.ast);
        compiled = { program: useRe2(program.ast) ? env.parse(serialize(program.ast)) : program, loopDepth: loops, variables };
      }
    }
  } catch (err) {
    compiled = syntaxError(err) ? failed(firstLine(err)) : { unsupported: firstLine(err), loopDepth: 0, variables: new Set() };
  }
  if (cache.size > 5_000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}
