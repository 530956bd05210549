import { wireMessage } from '../schema/protobufSchema.ts';
import { encodeMessage } from './protobufEncode.ts';

/**
 * `/openapi/v2` as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`: the Swagger
 * document in gnostic's OpenAPIv2 `Document` message (gnostic-models v0.7.0, the table
 * generated from its OpenAPIv2.proto), as kube-openapi serves it. kubectl reads it to validate
 * kinds it finds no OpenAPI v3 for (`kubectl create -f` of a TokenReview, an unknown kind).
 *
 * gnostic's shape differs from Swagger's JSON the way its compiler builds it: maps are lists
 * of `{name, value}`, a union is a message with one member set (a parameter is body or
 * query/path/header, additionalProperties a schema or a bool), `type` is a string list, and
 * any free-form value (`x-…` extensions, defaults, enums) is an `Any` holding its YAML text
 * (JSON is YAML; kubectl parses `x-kubernetes-group-version-kind` from it).
 */

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const any = (value: unknown) => (value === undefined ? undefined : { yaml: `${JSON.stringify(value)}\n` });
const named = <T>(map: unknown, convert: (v: unknown) => T) => (isRecord(map) ? Object.entries(map).map(([name, value]) => ({ name, value: convert(value) })) : undefined);
const extensions = (obj: Json) => {
  const list = Object.entries(obj).filter(([k]) => k.startsWith('x-')).map(([name, value]) => ({ name, value: any(value) }));
  return list.length ? list : undefined;
};

/** The fields Swagger's schema, parameter and items objects share, in gnostic's names. */
function validations(s: Json): Json {
  return {
    format: s.format, default: any(s.default), multiple_of: s.multipleOf, maximum: s.maximum, exclusive_maximum: s.exclusiveMaximum,
    minimum: s.minimum, exclusive_minimum: s.exclusiveMinimum, max_length: s.maxLength, min_length: s.minLength, pattern: s.pattern,
    max_items: s.maxItems, min_items: s.minItems, unique_items: s.uniqueItems, enum: Array.isArray(s.enum) ? s.enum.map(any) : undefined,
    vendor_extension: extensions(s),
  };
}

function schema(value: unknown): Json {
  const s = isRecord(value) ? value : {};
  const items = s.items === undefined ? undefined : { schema: (Array.isArray(s.items) ? s.items : [s.items]).map(schema) };
  const additional = s.additionalProperties;
  return {
    ...validations(s), _ref: s.$ref, title: s.title, description: s.description,
    max_properties: s.maxProperties, min_properties: s.minProperties, required: s.required,
    additional_properties: additional === undefined ? undefined : typeof additional === 'boolean' ? { boolean: additional } : { schema: schema(additional) },
    type: s.type === undefined ? undefined : { value: Array.isArray(s.type) ? s.type : [s.type] },
    items, all_of: Array.isArray(s.allOf) ? s.allOf.map(schema) : undefined,
    properties: isRecord(s.properties) ? { additional_properties: named(s.properties, schema) } : undefined,
    discriminator: s.discriminator, read_only: s.readOnly, example: any(s.example),
  };
}

function primitivesItems(value: unknown): Json | undefined {
  if (!isRecord(value)) return undefined;
  return { ...validations(value), type: value.type, items: primitivesItems(value.items), collection_format: value.collectionFormat };
}

const subSchemas: Record<string, string> = { query: 'query_parameter_sub_schema', path: 'path_parameter_sub_schema', header: 'header_parameter_sub_schema', formData: 'form_data_parameter_sub_schema' };

function parameter(value: unknown): Json {
  const p = isRecord(value) ? value : {};
  if (typeof p.$ref === 'string') return { json_reference: { _ref: p.$ref } };
  const common = { required: p.required, in: p.in, description: p.description, name: p.name };
  if (p.in === 'body') return { parameter: { body_parameter: { ...common, schema: schema(p.schema), vendor_extension: extensions(p) } } };
  const sub = {
    ...common, ...validations(p), allow_empty_value: p.allowEmptyValue, type: p.type,
    items: primitivesItems(p.items), collection_format: p.collectionFormat,
  };
  return { parameter: { non_body_parameter: { [subSchemas[String(p.in)] ?? 'query_parameter_sub_schema']: sub } } };
}

function operation(value: unknown): Json | undefined {
  if (!isRecord(value)) return undefined;
  const o = value;
  const responses = isRecord(o.responses) ? {
    response_code: named(o.responses, (r) => {
      const response = isRecord(r) ? r : {};
      return { response: { description: response.description, schema: response.schema === undefined ? undefined : { schema: schema(response.schema) } } };
    }),
  } : undefined;
  return {
    tags: o.tags, summary: o.summary, description: o.description, operation_id: o.operationId, produces: o.produces, consumes: o.consumes,
    parameters: Array.isArray(o.parameters) ? o.parameters.map(parameter) : undefined, responses, schemes: o.schemes, deprecated: o.deprecated,
    vendor_extension: extensions(o),
  };
}

function pathItem(value: unknown): Json {
  const p = isRecord(value) ? value : {};
  const ops = Object.fromEntries(['get', 'put', 'post', 'delete', 'options', 'head', 'patch'].map((m) => [m, operation(p[m])]));
  return { _ref: p.$ref, ...ops, parameters: Array.isArray(p.parameters) ? p.parameters.map(parameter) : undefined, vendor_extension: extensions(p) };
}

function securityDefinition(value: unknown): Json {
  const d = isRecord(value) ? value : {};
  if (d.type === 'basic') return { basic_authentication_security: { type: d.type, description: d.description } };
  return { api_key_security: { type: d.type, name: d.name, in: d.in, description: d.description, vendor_extension: extensions(d) } };
}

/** A Swagger 2.0 document (as `/openapi/v2` serves it in JSON) in gnostic's Document shape. */
export function gnosticDocument(swagger: Json): Json {
  const info = isRecord(swagger.info) ? swagger.info : {};
  return {
    swagger: swagger.swagger, info: { title: info.title, version: info.version, description: info.description },
    consumes: swagger.consumes, produces: swagger.produces,
    paths: { path: named(swagger.paths, pathItem) },
    definitions: { additional_properties: named(swagger.definitions, schema) },
    security: Array.isArray(swagger.security) ? swagger.security.map((req) => ({ additional_properties: named(req, (scopes) => ({ value: scopes })) })) : undefined,
    security_definitions: isRecord(swagger.securityDefinitions) ? { additional_properties: named(swagger.securityDefinitions, securityDefinition) } : undefined,
  };
}

/** The document's protobuf bytes (a bare message: no Kubernetes envelope, as kube-openapi writes it). */
export function encodeOpenApiV2(swagger: Json): Uint8Array {
  return encodeMessage(wireMessage('openapi_v2.Document')!, gnosticDocument(swagger));
}
