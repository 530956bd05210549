import * as v from 'valibot';
import type { FieldError } from '../server/errors.ts';
import { arraysForObjects } from './fields.ts';

/** apimachinery's validation/validation.go, the messages users see. */
const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1123LabelRe.test(value)) {
    errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  return errs;
}

export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (!prefix) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name && !qualifiedNameRe.test(name)) {
    errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  }
  return errs;
}

export function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!labelValueRe.test(value)) {
    errs.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  }
  return errs;
}

const invalidField = (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueInvalid', value, detail });

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(key)) out.push(invalidField(path, key, m));
    for (const m of isLabelValue(String(value))) out.push(invalidField(path, value, m));
  }
  return out;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(key.toLowerCase())) out.push(invalidField(path, key, m));
    total += key.length + String(value).length;
  }
  if (total > 256 * 1024) out.push({ field: path, type: 'FieldValueTooLong', value: '', detail: `must have at most 262144 bytes` });
  return out;
}

/** Name rules differ per kind: most are DNS subdomains, namespaces and services DNS labels. */
export type NameRule = 'subdomain' | 'label' | 'path-segment';

export function validateName(name: string, rule: NameRule, field = 'metadata.name'): FieldError[] {
  if (rule === 'path-segment') {
    if (name === '.' || name === '..') return [invalidField(field, name, `may not be '${name}'`)];
    if (/[/%]/.test(name)) return [invalidField(field, name, `may not contain '/' or '%'`)];
    return [];
  }
  const messages = rule === 'label' ? isDNS1123Label(name) : isDNS1123Subdomain(name);
  return messages.map((m) => invalidField(field, name, m));
}

/** A valibot type mismatch as Go's JSON decoder words it; missing values are not type errors. */
export function decodeIssues(schema: v.GenericSchema, body: unknown): string[] {
  const result = v.safeParse(schema, body);
  // valibot's objects and records take arrays (they are objects); Go's decoder never does.
  const arrays = arraysForObjects(schema, body).map(({ path, type }) => `json: cannot unmarshal array into Go struct field ${path || '.'} of type ${type}`);
  if (result.success) return arrays;
  return [...result.issues.map((issue) => {
    const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
    return `json: cannot unmarshal ${jsonKind(issue.input)} into Go struct field ${path || '.'} of type ${goType(issue.expected)}`;
  }), ...arrays];
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function goType(expected: string | null): string {
  if (!expected) return 'unknown';
  if (expected.includes('string') && expected.includes('number')) return 'intstr.IntOrString';
  if (expected === 'string') return 'string';
  if (expected === 'number') return 'int64';
  if (expected === 'boolean') return 'bool';
  if (expected === 'Array') return '[]';
  if (expected === 'Object') return 'struct';
  return expected;
}
