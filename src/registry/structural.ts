import * as v from 'valibot';
import type { FieldError } from '../apimachinery/errors.ts';
import { objectMeta, opaque, opt } from '../schema/base.ts';
import { re2 } from '../apimachinery/re2.ts';
import { declareAtomic, declareListType, type JsonMap } from './typedFields.ts';

/**
 * A CRD's structural schema (apiextensions JSONSchemaProps) at work on custom resources, as
 * apiextensions-apiserver applies it: unknown fields pruned, defaults filled in, values
 * validated with kube-openapi's wording (`spec.size in body must be of type integer: "string"`).
 */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number; maximum?: number; exclusiveMinimum?: boolean; exclusiveMaximum?: boolean;
  minLength?: number; maxLength?: number; pattern?: string;
  minItems?: number; maxItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** CEL rules (registry/celRules.ts). */
  'x-kubernetes-validations'?: ValidationRule[];
  [extension: string]: unknown;
}

/** One of `x-kubernetes-validations`: a CEL rule and how its failure is reported. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
/** The fields every object has, which the registry handles itself (ObjectMeta validation). */
const objectFields = new Set(['apiVersion', 'kind', 'metadata']);
const preserves = (s: JSONSchemaProps) => s['x-kubernetes-preserve-unknown-fields'] === true;
const additional = (s: JSONSchemaProps) => (isObject(s.additionalProperties) ? s.additionalProperties as JSONSchemaProps : undefined);

/** Drops every field the schema does not declare (pruning), in place; the top level keeps apiVersion, kind and metadata. */
export function prune(value: unknown, schema: JSONSchemaProps, top = false): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) prune(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  const props = schema.properties ?? {};
  const extra = additional(schema);
  for (const [key, child] of Object.entries(value)) {
    if (top && objectFields.has(key)) continue;
    const childSchema = props[key] ?? extra;
    if (childSchema) prune(child, childSchema);
    else if (!preserves(schema) && schema.additionalProperties !== true) delete value[key];
  }
}

/** Fills in `default`s of absent (or null, unless nullable) fields, in place, depth first as structural defaulting does. */
export function applyDefaults(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, childSchema] of Object.entries(schema.properties ?? {})) {
    const absent = !(key in value) || (value[key] === null && !childSchema.nullable);
    if (absent && childSchema.default !== undefined) value[key] = structuredClone(childSchema.default);
    if (key in value) applyDefaults(value[key], childSchema);
  }
  const extra = additional(schema);
  if (extra) for (const [key, child] of Object.entries(value)) if (!schema.properties?.[key]) applyDefaults(child, extra);
}

/** kube-openapi's name for a JSON value's type, as its type errors quote it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(schema: JSONSchemaProps, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  switch (schema.type) {
    case undefined: case '': return true;
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

/** At most this many errors are reported, as a bound on the work one bad body can cost. */
const maxErrors = 100;

/** Validates a value against its schema; field paths as kube-apiserver prints them (`spec.ports[0].name`). */
export function validateValue(value: unknown, schema: JSONSchemaProps, path: string, out: FieldError[] = []): FieldError[] {
  if (out.length >= maxErrors) return out;
  const where = path || '<root>';
  if (value === null) {
    if (!schema.nullable && schema.type) out.push({ field: path, type: 'FieldValueTypeInvalid', value: 'null', detail: `${where} in body must be of type ${schema.type}: "null"` });
    return out;
  }
  if (!typeMatches(schema, value)) {
    out.push({ field: path, type: 'FieldValueTypeInvalid', value: jsonType(value), detail: `${where} in body must be of type ${schema.type}: "${jsonType(value)}"` });
    return out;
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    out.push({ field: path, type: 'FieldValueNotSupported', value, detail: `supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      out.push({ field: path, type: 'FieldValueInvalid', value, detail: `${where} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}` });
    }
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      out.push({ field: path, type: 'FieldValueInvalid', value, detail: `${where} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}` });
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) out.push({ field: path, type: 'FieldValueTooLong', value, detail: `may not be more than ${schema.maxLength} bytes` });
    if (schema.minLength !== undefined && length < schema.minLength) out.push({ field: path, type: 'FieldValueInvalid', value, detail: `${where} in body should be at least ${schema.minLength} chars long` });
    if (schema.pattern !== undefined && !patternMatches(schema.pattern, value)) out.push({ field: path, type: 'FieldValueInvalid', value, detail: `${where} in body should match '${schema.pattern}'` });
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ field: path, type: 'FieldValueInvalid', value: value.length, detail: `must have at most ${schema.maxItems} items` });
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ field: path, type: 'FieldValueInvalid', value: value.length, detail: `${where} in body should have at least ${schema.minItems} items` });
    if (schema.items) value.forEach((item, i) => validateValue(item, schema.items!, `${path}[${i}]`, out));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push({ field: path ? `${path}.${key}` : key, type: 'FieldValueRequired', detail: '' });
    const extra = additional(schema);
    for (const [key, child] of Object.entries(value)) {
      if (!path && objectFields.has(key)) continue;
      const childSchema = schema.properties?.[key] ?? extra;
      if (childSchema) validateValue(child, childSchema, path ? `${path}.${key}` : key, out);
    }
  }
  return out;
}

/** fmt's %#v of a JSON value, as field.Duplicate prints a map-list's key (`map[string]interface {}{"name":"http"}`). */
function goSyntax(value: unknown): string {
  if (isObject(value)) return `map[string]interface {}{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${goSyntax(value[k])}`).join(', ')}}`;
  return JSON.stringify(value);
}

/**
 * `x-kubernetes-list-type` set and map invariants (apiextensions' ValidateListSetsAndMaps):
 * a set's elements and a map-list's keys are unique; the second of each repeated one is named.
 */
export function listTypeErrors(value: unknown, schema: JSONSchemaProps, path = '', out: FieldError[] = []): FieldError[] {
  if (out.length >= maxErrors) return out;
  if (isObject(value)) {
    const extra = additional(schema);
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? extra;
      if (childSchema) listTypeErrors(child, childSchema, schema.properties?.[key] ? (path ? `${path}.${key}` : key) : `${path}[${key}]`, out);
    }
    return out;
  }
  if (!Array.isArray(value)) return out;
  const listType = schema['x-kubernetes-list-type'];
  const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  const notObject = listType === 'map' ? value.findIndex((x) => x !== null && !isObject(x)) : -1;
  if (notObject >= 0) out.push({ field: `${path}[${notObject}]`, type: 'FieldValueInvalid', value: value[notObject], detail: 'must be an object for an array of list-type map' });
  else if (listType === 'set' || listType === 'map') {
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      const key = listType === 'set' ? item : Object.fromEntries(keys.flatMap((k) => (isObject(item) && k in item ? [[k, item[k]]] : [])));
      const text = JSON.stringify(isObject(key) ? Object.fromEntries(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1))) : key);
      const times = (seen.get(text) ?? 0) + 1;
      seen.set(text, times);
      if (times === 2) out.push({ field: `${path}[${i}]`, type: 'FieldValueDuplicate', detail: goSyntax(key) });
    });
  }
  if (schema.items) value.forEach((item, i) => listTypeErrors(item, schema.items!, `${path}[${i}]`, out));
  return out;
}

/** A schema's pattern, on RE2 as Go's regexp runs it (linear, whatever the pattern); one RE2 cannot compile matches nothing it cannot judge. */
function patternMatches(pattern: string, value: string): boolean {
  const re = re2(pattern);
  return re === null || re.test(value);
}

/**
 * A valibot node that checks only what it can when the value has its shape: a custom
 * resource's type mismatches are 422s from validateValue, not decoding errors.
 */
function lenient<T extends v.GenericSchema>(schema: T, fits: (value: unknown) => boolean): T {
  const run = schema['~run'];
  return { ...schema, '~run'(dataset: Parameters<typeof run>[0], config: Parameters<typeof run>[1]) {
    if (fits(dataset.value)) return run.call(this, dataset, config);
    return { ...dataset, typed: true } as ReturnType<typeof run>;
  } } as T;
}

/**
 * The valibot schema the decoder walks for a custom resource: it knows every declared
 * field (so fieldValidation reports the rest as unknown) and judges no value's type.
 */
export function decodingSchema(schema: JSONSchemaProps): v.GenericSchema {
  const top = schemaNode(schema);
  const entries = isObject(schema.properties) && !preserves(schema) ? (top as unknown as { entries: Record<string, v.GenericSchema> }).entries : undefined;
  // Unknown fields are kept at the top (x-kubernetes-preserve-unknown-fields): none is unknown.
  if (!entries) return opaque();
  return lenient(v.looseObject({ ...entries, apiVersion: opt(v.string()), kind: opt(v.string()), metadata: opt(objectMeta) }), isObject);
}

function schemaNode(schema: JSONSchemaProps): v.GenericSchema {
  const node = shapeNode(schema);
  // What server-side apply reads (registry/typedFields.ts): lists' types, maps owned whole.
  if (schema['x-kubernetes-map-type'] === 'atomic') declareAtomic(node);
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') declareListType(node, { kind: 'set' });
  if (listType === 'map') {
    const keys = (schema['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
    const defaults = Object.fromEntries(keys.flatMap((key) => {
      const value = schema.items?.properties?.[key]?.default;
      return value === undefined ? [] : [[key, value as JsonMap[string]]];
    }));
    if (keys.length) declareListType(node, { kind: 'map', keys, defaults });
  }
  return node;
}

function shapeNode(schema: JSONSchemaProps): v.GenericSchema {
  if (preserves(schema) || schema['x-kubernetes-embedded-resource']) return lenient(opaque(), isObject);
  const extra = additional(schema);
  if (schema.properties) {
    const entries = Object.fromEntries(Object.entries(schema.properties).map(([k, child]) => [k, opt(schemaNode(child))]));
    return lenient(v.looseObject(entries), isObject);
  }
  if (extra) return lenient(v.record(v.string(), schemaNode(extra)), isObject);
  if (schema.type === 'object') return lenient(opaque(), isObject);
  if (schema.items) return lenient(v.array(schemaNode(schema.items)), Array.isArray);
  return v.unknown();
}
