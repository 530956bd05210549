import * as v from 'valibot';
import { quantityErrors } from '../apimachinery/quantity.ts';
import { arraysForObjects } from './fields.ts';

/** A valibot type mismatch as Go's JSON decoder words it; missing values are not type errors. */
export function decodeIssues(schema: v.GenericSchema, body: unknown): string[] {
  const result = v.safeParse(schema, body);
  // valibot's objects and records take arrays (they are objects); Go's decoder never does.
  const arrays = arraysForObjects(schema, body).map(({ path, type }) => `json: cannot unmarshal array into Go struct field ${path || '.'} of type ${type}`);
  if (result.success) return arrays;
  return [...result.issues.map((issue) => {
    // resource.Quantity's UnmarshalJSON error reaches the client as it is, without a field path
    if (issue.type === 'check' && quantityErrors.has(issue.message)) return issue.message;
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
