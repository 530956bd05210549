import { badRequest, type FieldError } from './errors.ts';
import { goQuote, goStringMap, goStrings } from './goFormat.ts';
import { isLabelValue, isQualifiedName, validateLabels } from './validation.ts';

/**
 * Label and field selectors as kube-apiserver parses them (k8s.io/apimachinery
 * pkg/labels/selector.go and pkg/fields/selector.go, v0.35), with their error
 * messages, and metav1.LabelSelector (the struct workloads carry) converted to the
 * same requirements, so one matcher serves both. Both are single left-to-right scans with a fixed look-ahead: no regular
 * expression ever sees the input, so a selector costs time linear in its length.
 *
 * Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * `a>1`, `a<1`. Field selectors: `f=v`, `f==v`, `f!=v`, with `\,` `\=` `\\` escapes.
 */
export type Requirement =
  | { key: string; op: 'eq' | 'neq' | 'gt' | 'lt'; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists'; values: [] };

export type Selector = Requirement[];

// ---------------------------------------------------------------- label selectors

const enum Token { Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar }

const literalTokens: Record<string, Token> = {
  ')': Token.ClosedPar, ',': Token.Comma, '!': Token.DoesNotExist, '==': Token.DoubleEquals, '=': Token.Equals, '>': Token.GreaterThan,
  in: Token.In, '<': Token.LessThan, '!=': Token.NotEquals, notin: Token.NotIn, '(': Token.OpenPar,
};
const tokenOf = (s: string): Token | undefined => (Object.hasOwn(literalTokens, s) ? literalTokens[s] : undefined);

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string) => ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Scanned { tok: Token; lit: string }

/** labels.Lexer: reads "\0" at the end of input (and at a NUL in it), as the Go lexer reads byte 0. */
class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++];
    return '\0';
  }

  private unread(): void { this.pos--; }

  private scanIdOrKeyword(): Scanned {
    const start = this.pos;
    let end: number;
    for (;;) {
      end = this.pos;
      const ch = this.read();
      if (ch === '\0') break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) { this.unread(); break; }
    }
    const lit = this.s.slice(start, end);
    const tok = tokenOf(lit);
    return { tok: tok ?? Token.Identifier, lit };
  }

  private scanSpecialSymbol(): Scanned {
    let buffer = '';
    let last: Scanned | undefined;
    for (;;) {
      const ch = this.read();
      if (ch === '\0') break;
      if (!isSpecialSymbol(ch)) { this.unread(); break; }
      buffer += ch;
      const tok = tokenOf(buffer);
      if (tok !== undefined) last = { tok, lit: buffer };
      else if (last) { this.unread(); break; }
    }
    return last ?? { tok: Token.Error, lit: `error expected: keyword found '${buffer}'` };
  }

  lex(): Scanned {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === '\0') return { tok: Token.EndOfString, lit: '' };
    this.unread();
    return isSpecialSymbol(ch) ? this.scanSpecialSymbol() : this.scanIdOrKeyword();
  }
}

/** `%q` of a string, as field errors print values. */
const quote = (s: string) => JSON.stringify(s);
/** field.Invalid(path, value, detail).Error(). */
const invalidValue = (path: string, value: string, detail: string) => `${path}: Invalid value: ${quote(value)}: ${detail}`;

class ParseError extends Error {}
const fail = (message: string): never => { throw new ParseError(message); };

/** An int64 in base 10, as strconv.ParseInt(s, 10, 64) reads it; undefined if it does not. */
function parseInt64(s: string): bigint | undefined {
  const sign = s[0] === '+' || s[0] === '-' ? 1 : 0;
  if (sign === s.length) return undefined;
  for (let i = sign; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return undefined;
  let first = sign;
  while (first < s.length && s[first] === '0') first++;
  // past 19 significant digits it cannot be an int64 (and BigInt never sees a long string)
  if (s.length - first > 19) return undefined;
  const n = BigInt(s[0] === '+' ? s.slice(1) : s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
}

/**
 * Tokens a parse reads between two pauses (see `parseLabelSelectorInTurns`): ~0.6 ms of the
 * shared loop for `a,a,a,…` (a requirement per two tokens, each name validated). 4,096 held it
 * 5-14 ms a slice, several times the p99 of a cheap GET on the same loop.
 */
const tokensPerTurn = 512;

/**
 * labels.Parser: a recursive descent with one token of look-ahead. Go lexes the whole input
 * first; lexing as the parser reads is the same (the lexer never fails, it returns an error
 * token where the parser then stops), and lets a long selector be parsed in slices: `parse`
 * is a generator that pauses every `tokensPerTurn` tokens.
 */
class LabelParser {
  private readonly lexer: Lexer;
  private next: Scanned;
  private consumed = 0;
  private pausedAt = 0;

  constructor(input: string) {
    this.lexer = new Lexer(input);
    this.next = this.lexer.lex();
  }

  /** In the values context `in` and `notin` are identifiers. */
  private lookahead(values: boolean): Scanned {
    const item = this.next;
    return values && (item.tok === Token.In || item.tok === Token.NotIn) ? { tok: Token.Identifier, lit: item.lit } : item;
  }

  private consume(values: boolean): Scanned {
    const item = this.lookahead(values);
    // Past the end the end is read again, as the Go parser's position stays on its last item.
    if (this.next.tok !== Token.EndOfString) this.next = this.lexer.lex();
    this.consumed++;
    return item;
  }

  /** Has the parse read enough since its last pause to pause again? */
  private due(): boolean {
    if (this.consumed - this.pausedAt < tokensPerTurn) return false;
    this.pausedAt = this.consumed;
    return true;
  }

  *parse(): Generator<void, Selector> {
    const requirements: Requirement[] = [];
    for (;;) {
      if (this.due()) yield;
      const { tok, lit } = this.lookahead(true);
      if (tok === Token.EndOfString) return requirements;
      if (tok !== Token.Identifier && tok !== Token.DoesNotExist) fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        const start = this.parseRequirement();
        // Only `in` and `notin` read a list, which may be long enough to pause in.
        requirements.push('op' in start ? start : this.requirement(start.key, start.kind, yield* this.parseValues()));
      } catch (err) {
        if (err instanceof ParseError) fail(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const next = this.consume(true);
      if (next.tok === Token.EndOfString) return requirements;
      if (next.tok !== Token.Comma) fail(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== Token.Identifier && after.tok !== Token.DoesNotExist) fail(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  /**
   * A requirement, or for `in`/`notin` its key and operator, whose values the caller reads: a
   * plain function, not a generator, so `a,a,a,…` makes no generator per requirement.
   */
  private parseRequirement(): Requirement | { key: string; kind: 'in' | 'notin' } {
    let { tok, lit: key } = this.consume(true);
    let op: 'notexists' | 'exists' | undefined;
    if (tok === Token.DoesNotExist) {
      op = 'notexists';
      ({ tok, lit: key } = this.consume(true));
    }
    if (tok !== Token.Identifier) fail(`found '${key}', expected: identifier`);
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length) fail(invalidValue('<nil>', key, keyErrors.join('; ')));
    const next = this.lookahead(true).tok;
    if (next === Token.EndOfString || next === Token.Comma) op ??= 'exists';
    if (op) return { key, op, values: [] };

    const operator = this.consume(false);
    switch (operator.tok) {
      case Token.In: return { key, kind: 'in' };
      case Token.NotIn: return { key, kind: 'notin' };
      case Token.Equals: case Token.DoubleEquals: return this.requirement(key, 'eq', this.parseExactValue());
      case Token.NotEquals: return this.requirement(key, 'neq', this.parseExactValue());
      case Token.GreaterThan: return this.requirement(key, 'gt', this.parseExactValue());
      case Token.LessThan: return this.requirement(key, 'lt', this.parseExactValue());
      default: return fail(`found '${operator.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private requirement(key: string, kind: Exclude<Requirement['op'], 'exists' | 'notexists'>, values: string[]): Requirement {
    // NewRequirement: sets.String.List() (sorted, unique), then every rule, errors aggregated
    const sorted = [...new Set(values)].sort();
    const errors: string[] = [];
    if (kind === 'gt' || kind === 'lt') {
      sorted.forEach((v, i) => { if (parseInt64(v) === undefined) errors.push(invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer")); });
    }
    sorted.forEach((v, i) => {
      const messages = isLabelValue(v);
      if (messages.length) errors.push(invalidValue(`values[${i}][${key}]`, v, messages.join('; ')));
    });
    const unique = [...new Set(errors)];
    if (unique.length) fail(unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`);
    return { key, op: kind, values: sorted } as Requirement;
  }

  /** `(a,b,c)`; `()` and empty elements are the empty string. */
  private *parseValues(): Generator<void, string[]> {
    const open = this.consume(true);
    if (open.tok !== Token.OpenPar) fail(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === Token.ClosedPar) { this.consume(true); return ['']; }
    if (tok !== Token.Identifier && tok !== Token.Comma) fail(`found '${lit}', expected: ',', ')' or identifier`);
    const values = yield* this.parseIdentifiersList();
    if (this.consume(true).tok !== Token.ClosedPar) fail(`found '${lit}', expected: ')'`);
    return values;
  }

  private *parseIdentifiersList(): Generator<void, string[]> {
    const values: string[] = [];
    for (;;) {
      if (this.due()) yield;
      const { tok, lit } = this.consume(true);
      if (tok === Token.Identifier) {
        values.push(lit);
        const next = this.lookahead(true);
        if (next.tok === Token.Comma) continue;
        if (next.tok === Token.ClosedPar) return values;
        fail(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === Token.Comma) {
        if (!values.length) values.push('');
        const next = this.lookahead(true).tok;
        if (next === Token.ClosedPar) { values.push(''); return values; }
        if (next === Token.Comma) values.push('');
      } else {
        fail(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true).tok;
    if (next === Token.EndOfString || next === Token.Comma) return [''];
    const { tok, lit } = this.consume(true);
    if (tok === Token.Identifier) return [lit];
    return fail(`found '${lit}', expected: identifier`);
  }
}

/** One slice of a label selector's parse; a parse error is the client's: 400 with the parser's message. */
function step(steps: Generator<void, Selector>): IteratorResult<void, Selector> {
  try {
    return steps.next();
  } catch (err) {
    throw err instanceof ParseError ? badRequest(err.message) : err;
  }
}

/** labels.Parse; a bad selector is a 400 with the parser's message. */
export function parseLabelSelector(input: string | undefined): Selector {
  if (!input) return [];
  const steps = new LabelParser(input).parse();
  let done = step(steps);
  while (!done.done) done = step(steps);
  return done.value;
}

/**
 * The same, for a request on a loop other clusters share: every few thousand tokens it waits
 * for `pause` (a turn of the loop), so a 60 KB selector is read in slices with other requests
 * served between them, instead of in one ~10 ms stretch.
 */
export async function parseLabelSelectorInTurns(input: string | undefined, pause: () => Promise<void>): Promise<Selector> {
  if (!input) return [];
  const steps = new LabelParser(input).parse();
  let done = step(steps);
  while (!done.done) {
    await pause();
    done = step(steps);
  }
  return done.value;
}

// ---------------------------------------------------------------- field selectors

/** fields.splitTerms: on commas not escaped by a backslash (the backslashes stay). */
function splitFieldTerms(input: string): string[] {
  const terms: string[] = [];
  let start = 0, inSlash = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(input.slice(start, i)); start = i + 1; }
  }
  terms.push(input.slice(start));
  return terms;
}

/** fields.splitTerm: at the first position where `!=`, `==` or `=` starts (no trimming: spaces belong to the field or the value). */
function splitFieldTerm(term: string): { lhs: string; op: '!=' | '==' | '='; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '!' && term[i + 1] === '=') return { lhs: term.slice(0, i), op: '!=', rhs: term.slice(i + 2) };
    if (c === '=') return term[i + 1] === '=' ? { lhs: term.slice(0, i), op: '==', rhs: term.slice(i + 2) } : { lhs: term.slice(0, i), op: '=', rhs: term.slice(i + 1) };
  }
  return undefined;
}

/** fields.UnescapeValue. */
function unescapeFieldValue(s: string): string {
  if (!s.includes('\\') && !s.includes(',') && !s.includes('=')) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    // Go prints the rune with %v: its number
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.ParseSelector; a bad selector is a 400 with its message. */
export function parseFieldSelector(input: string | undefined): Selector {
  if (!input) return [];
  const out: Requirement[] = [];
  for (const part of splitFieldTerms(input).sort()) {
    if (part === '') continue;
    const term = splitFieldTerm(part);
    if (!term) throw badRequest(`invalid selector: '${input}'; can't understand '${part}'`);
    out.push({ key: term.lhs, op: term.op === '!=' ? 'neq' : 'eq', values: [unescapeFieldValue(term.rhs)] });
  }
  return out;
}

// ---------------------------------------------------------------- matching

const valueSets = new WeakMap<Requirement, Set<string>>();
/** A requirement's values as a set, made once: `x in (…30,000 values)` over many objects stays linear. */
function valueSet(r: Requirement): Set<string> {
  let set = valueSets.get(r);
  if (!set) valueSets.set(r, set = new Set(r.values));
  return set;
}

/** Requirement.Matches, over a getter that answers undefined for an absent key. */
export function matches(selector: Selector, get: (key: string) => string | undefined): boolean {
  for (const r of selector) {
    const value = get(r.key);
    switch (r.op) {
      case 'eq': if (value !== r.values[0]) return false; break;
      case 'neq': if (value === r.values[0]) return false; break;
      case 'in': if (value === undefined || !valueSet(r).has(value)) return false; break;
      case 'notin': if (value !== undefined && valueSet(r).has(value)) return false; break;
      case 'exists': if (value === undefined) return false; break;
      case 'notexists': if (value !== undefined) return false; break;
      case 'gt': case 'lt': {
        const have = value === undefined ? undefined : parseInt64(value);
        const want = parseInt64(r.values[0]);
        if (have === undefined || want === undefined) return false;
        if (r.op === 'gt' ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------- metav1.LabelSelector

/** metav1.LabelSelector as workloads, policies and quotas carry it. */
export interface LabelSelectorRequirement { key?: string; operator?: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

type Labels = Record<string, string> | undefined;

/** metav1.LabelSelectorAsSelector: the struct's requirements, sorted by key as labels.Selector keeps them. */
function requirements(selector: LabelSelector): Selector {
  const out: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'eq', values: [value] }));
  for (const e of selector.matchExpressions ?? []) {
    const key = e.key ?? '';
    switch (e.operator) {
      case 'In': out.push({ key, op: 'in', values: [...(e.values ?? [])] }); break;
      case 'NotIn': out.push({ key, op: 'notin', values: [...(e.values ?? [])] }); break;
      case 'Exists': out.push({ key, op: 'exists', values: [] }); break;
      case 'DoesNotExist': out.push({ key, op: 'notexists', values: [] }); break;
    }
  }
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
  return matches(requirements(selector), (key) => (Object.hasOwn(set, key) ? set[key] : undefined));
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
      case 'notexists': return `!${r.key}`;
      default: return '';
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
