import { badRequest } from './errors.ts';

/**
 * Label and field selectors (k8s.io/apimachinery/pkg/labels and /fields):
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
 * Field selectors allow only =, == and !=.
 */
export type Requirement =
  | { key: string; op: 'eq' | 'neq'; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists'; values: [] };

export type Selector = Requirement[];

/** Splits on commas that are not inside parentheses. */
function splitTerms(input: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) { out.push(input.slice(start, i)); start = i + 1; }
  }
  out.push(input.slice(start));
  return out.map((t) => t.trim()).filter((t) => t.length);
}

const keyRe = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function parseLabelSelector(input: string | undefined): Selector {
  if (!input) return [];
  return splitTerms(input).map((term) => {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    let req: Requirement;
    if (setMatch) {
      const values = setMatch[3].split(',').map((v) => v.trim()).filter((v, i, all) => v.length || all.length === 1);
      req = { key: setMatch[1], op: setMatch[2] as 'in' | 'notin', values };
    } else if (term.startsWith('!')) {
      req = { key: term.slice(1).trim(), op: 'notexists', values: [] };
    } else {
      const m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (m) req = { key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3].trim()] };
      else if (keyRe.test(term)) req = { key: term, op: 'exists', values: [] };
      else throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    if (!keyRe.test(req.key) || req.key.length > 316) throw badRequest(`unable to parse requirement: invalid label key "${req.key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    for (const value of req.values) {
      if (value.length > 63 || !valueRe.test(value)) throw badRequest(`unable to parse requirement: invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
    return req;
  });
}

export function parseFieldSelector(input: string | undefined): Selector {
  if (!input) return [];
  return splitTerms(input).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    return { key: m[1].trim(), op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3].trim()] } as Requirement;
  });
}

export function matches(selector: Selector, get: (key: string) => string | undefined): boolean {
  for (const r of selector) {
    const value = get(r.key);
    switch (r.op) {
      case 'eq': if (value !== r.values[0]) return false; break;
      case 'neq': if (value === r.values[0]) return false; break;
      case 'in': if (value === undefined || !r.values.includes(value)) return false; break;
      case 'notin': if (value !== undefined && r.values.includes(value)) return false; break;
      case 'exists': if (value === undefined) return false; break;
      case 'notexists': if (value !== undefined) return false; break;
    }
  }
  return true;
}
