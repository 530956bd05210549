import { customJson, kinds, listWrappers, packages } from './protobufGenerated.ts';

/**
 * The Kubernetes protobuf wire schema, read from the table scripts/gen-protobuf.ts generates
 * from upstream definitions (src/schema/protobufGenerated.ts). Messages are compiled from their
 * one-line text form on first use, so the Worker pays only for the kinds it meets.
 */

export type Scalar = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';

export interface WireField {
  number: number;
  /** The JSON name (Go's json tag); for an inline field, the proto name. */
  json: string;
  /** A scalar, or a message by its qualified name (`core/v1.PodSpec`). */
  type: Scalar | string;
  scalar: boolean;
  repeated: boolean;
  /** map<string, type> */
  map: boolean;
  /** A Go pointer: absent and zero differ (`replicas: 0`). */
  pointer: boolean;
  /** A zero value shows in JSON (a pointer, or a field without omitempty). */
  keep: boolean;
  /** A Go embedded struct (`json:",inline"`): its fields are the parent's in JSON. */
  inline: boolean;
}

export interface WireMessage {
  name: string;
  fields: WireField[];
  byNumber: Map<number, WireField>;
  /** proto3 (gnostic): zero scalars and empty messages are not written. */
  proto3: boolean;
  /** A Go type with its own JSON form (Time, Quantity, IntOrString, …). */
  custom: boolean;
  /** A Go named slice (`ExtraValue []string`): JSON is the bare `items` array. */
  wrapper: boolean;
}

const scalars = new Set<string>(['string', 'int32', 'int64', 'bool', 'bytes', 'double']);
const customSet = new Set(customJson);
const wrapperSet = new Set(listWrappers);
const compiled = new Map<string, WireMessage>();

function compileField(entry: string, pkg: string): WireField {
  const [number, json, spec] = entry.split(' ');
  let type = spec.replace(/[?!^]+$/, '');
  const flags = spec.slice(type.length);
  const repeated = type.startsWith('[]');
  const map = type.startsWith('{}');
  if (repeated || map) type = type.slice(2);
  const scalar = scalars.has(type);
  if (!scalar && !type.includes('.')) type = `${pkg}.${type}`;
  const pointer = flags.includes('?');
  return { number: Number(number), json, type, scalar, repeated, map, pointer, keep: pointer || flags.includes('!'), inline: flags.includes('^') };
}

/** A message by qualified name (`core/v1.Pod`), or undefined when the table has no such message. */
export function wireMessage(name: string): WireMessage | undefined {
  let message = compiled.get(name);
  if (message) return message;
  const dot = name.lastIndexOf('.');
  const pkg = name.slice(0, dot);
  const short = name.slice(dot + 1);
  const table = Object.hasOwn(packages, pkg) ? packages[pkg] : undefined;
  if (!table || !Object.hasOwn(table, short)) return undefined;
  const text = table[short];
  const fields = text ? text.split(';').map((e) => compileField(e, pkg)) : [];
  message = {
    name, fields, byNumber: new Map(fields.map((f) => [f.number, f])), proto3: pkg === 'openapi_v2',
    custom: customSet.has(name), wrapper: wrapperSet.has(name),
  };
  compiled.set(name, message);
  return message;
}

/** Kinds every group version carries (metav1.AddToGroupVersion registers them in each): helm's DELETE of a Deployment sends an `apps/v1` DeleteOptions. */
const everyVersionKinds: Readonly<Record<string, string>> = { DeleteOptions: 'meta/v1.DeleteOptions' };

/** The message of a top-level kind, or undefined when that kind has no protobuf form here (custom resources, Table, discovery). */
export function kindMessage(apiVersion: string, kind: string): WireMessage | undefined {
  if (Object.hasOwn(everyVersionKinds, kind)) return wireMessage(everyVersionKinds[kind]);
  const byKind = Object.hasOwn(kinds, apiVersion) ? kinds[apiVersion] : undefined;
  if (!byKind || !Object.hasOwn(byKind, kind)) return undefined;
  return wireMessage(byKind[kind]);
}

/** The OpenAPI name prefix of each table package that is not under `io.k8s.api`. */
const openapiPrefixes: Readonly<Record<string, string>> = {
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1', resource: 'io.k8s.apimachinery.pkg.api.resource',
  intstr: 'io.k8s.apimachinery.pkg.util.intstr', runtime: 'io.k8s.apimachinery.pkg.runtime',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  'apiregistration/v1': 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1', 'metrics/v1beta1': 'io.k8s.metrics.pkg.apis.metrics.v1beta1',
};

/** `core/v1.Probe` → `io.k8s.api.core.v1.Probe` (the name OpenAPI documents give the type). */
export function openapiNameOf(qualified: string): string {
  const dot = qualified.lastIndexOf('.');
  const pkg = qualified.slice(0, dot);
  return `${openapiPrefixes[pkg] ?? `io.k8s.api.${pkg.replace('/', '.')}`}${qualified.slice(dot)}`;
}

/** `io.k8s.api.core.v1.Probe` → the message `core/v1.Probe`, if the table has it. */
export function messageOfOpenapiName(name: string): WireMessage | undefined {
  const dot = name.lastIndexOf('.');
  const prefix = name.slice(0, dot);
  const pkg = Object.keys(openapiPrefixes).find((p) => openapiPrefixes[p] === prefix) ?? (prefix.startsWith('io.k8s.api.') ? prefix.slice('io.k8s.api.'.length).replace('.', '/') : undefined);
  return pkg === undefined ? undefined : wireMessage(`${pkg}${name.slice(dot)}`);
}
