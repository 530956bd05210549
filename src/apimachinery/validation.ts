import type { FieldError } from './errors.ts';
import { utf8Length } from './utf8.ts';

/**
 * apimachinery's validation (util/validation and api/validate/content, v0.35), the
 * messages users see. Every check is one pass over its input: no regular expression
 * with backtracking ever sees a client's string.
 *
 * Lengths are Go's len(), bytes of UTF-8. Object names (util/validation) say "characters",
 * label keys and values (api/validate/content, since v0.35) say "bytes".
 */


const isLowerAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isAlnum = (c: number) => isLowerAlnum(c) || (c >= 65 && c <= 90);

/** `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (with `lowerFirst`, RFC 1035's `^[a-z]([-a-z0-9]*[a-z0-9])?$`), from `from` to `to`. */
function matchesLabel(s: string, from = 0, to = s.length, lowerFirst = false): boolean {
  if (to <= from) return false;
  const first = s.charCodeAt(from);
  if (lowerFirst ? !(first >= 97 && first <= 122) : !isLowerAlnum(first)) return false;
  if (!isLowerAlnum(s.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isLowerAlnum(c) && c !== 45) return false;
  }
  return true;
}

/** `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`. */
function matchesSubdomain(s: string): boolean {
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 46) {
      if (!matchesLabel(s, start, i)) return false;
      start = i + 1;
    }
  }
  return true;
}

/** `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`. */
function matchesLabelKeyName(s: string): boolean {
  if (!s.length || !isAlnum(s.charCodeAt(0)) || !isAlnum(s.charCodeAt(s.length - 1))) return false;
  for (let i = 1; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== 45 && c !== 95 && c !== 46) return false;
  }
  return true;
}

const labelMessage = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
const subdomainMessage = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const dns1035Message = `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
const labelKeyFormat = `must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`;
const labelValueMessage = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`;

/** validation.IsDNS1123Label. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push('must be no more than 63 characters');
  // a valid subdomain that is not a valid label can only have dots
  if (!matchesLabel(value)) errs.push(matchesSubdomain(value) ? 'must not contain dots' : labelMessage);
  return errs;
}

/** validation.IsDNS1035Label (Service names). */
function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push('must be no more than 63 characters');
  if (!matchesLabel(value, 0, value.length, true)) errs.push(dns1035Message);
  return errs;
}

/** validation.IsDNS1123Subdomain ("characters"), or content.IsDNS1123Subdomain ("bytes") for label key prefixes. */
export function isDNS1123Subdomain(value: string, unit: 'characters' | 'bytes' = 'characters'): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 253) errs.push(`must be no more than 253 ${unit}`);
  if (!matchesSubdomain(value)) errs.push(subdomainMessage);
  return errs;
}

/** content.IsLabelKey (validation.IsQualifiedName): an optional DNS subdomain prefix and '/', then a name of at most 63 bytes. */
export function isQualifiedName(value: string): string[] {
  const slash = value.indexOf('/');
  const errs: string[] = [];
  let name = value;
  if (slash >= 0) {
    if (value.indexOf('/', slash + 1) >= 0) return [`a valid label key ${labelKeyFormat} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
    const prefix = value.slice(0, slash);
    name = value.slice(slash + 1);
    if (!prefix) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix, 'bytes').map((m) => `prefix part ${m}`));
  }
  if (!name) errs.push('name part must be non-empty');
  else if (utf8Length(name) > 63) errs.push('name part must be no more than 63 bytes');
  if (!matchesLabelKeyName(name)) errs.push(`name part ${labelKeyFormat}`);
  return errs;
}

/** content.IsLabelValue: empty, or a label key's name part of at most 63 bytes. */
export function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push('must be no more than 63 bytes');
  if (value !== '' && !matchesLabelKeyName(value)) errs.push(labelValueMessage);
  return errs;
}

const invalidField = (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueInvalid', value, detail });

/** metav1validation.ValidateLabels. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(key)) out.push(invalidField(path, key, m));
    for (const m of isLabelValue(String(value))) out.push(invalidField(path, value, m));
  }
  return out;
}

/** apimachinery's TotalAnnotationSizeLimitB. */
const maxAnnotationBytes = 256 * 1024;

/** field.TooLong: `Too long: may not be more than N bytes`; the value is never echoed. */
export const tooLong = (field: string, max: number): FieldError => ({ field, type: 'FieldValueTooLong', detail: `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` });

/** apimachinery's ValidateAnnotations: keys are qualified names (case aside); keys and values total at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(key.toLowerCase())) out.push(invalidField(path, key, m));
    total += utf8Length(key) + utf8Length(String(value));
  }
  if (total > maxAnnotationBytes) out.push(tooLong(path, maxAnnotationBytes));
  return out;
}

/** Name rules differ per kind: most are DNS subdomains, namespaces DNS labels, services RFC 1035 labels. */
export type NameRule = 'subdomain' | 'label' | 'dns1035-label' | 'path-segment';

export function validateName(name: string, rule: NameRule, field = 'metadata.name'): FieldError[] {
  if (rule === 'path-segment') {
    if (name === '.' || name === '..') return [invalidField(field, name, `may not be '${name}'`)];
    // path.IsValidPathSegmentName: one error per character it may not contain
    return ['/', '%'].filter((c) => name.includes(c)).map((c) => invalidField(field, name, `may not contain '${c}'`));
  }
  const messages = rule === 'label' ? isDNS1123Label(name) : rule === 'dns1035-label' ? isDNS1035Label(name) : isDNS1123Subdomain(name);
  return messages.map((m) => invalidField(field, name, m));
}
