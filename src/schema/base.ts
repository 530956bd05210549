import * as v from 'valibot';
import { quantityError, quantityFormatError } from '../apimachinery/quantity.ts';

/**
 * Building blocks for Kubernetes wire types. Every field is optional and may be
 * null (Go's JSON decoder accepts null for pointers, slices and maps, and kubectl
 * sends `creationTimestamp: null`). Required-ness is semantic validation (422),
 * not decoding (400), exactly as in kube-apiserver.
 */
export const opt = <T extends v.GenericSchema>(schema: T) => v.optional(v.nullable(schema));

/** A struct with known fields: unknown keys are reported by fieldValidation, not stripped here. */
export const struct = <T extends Record<string, v.GenericSchema>>(entries: T) =>
  v.looseObject(Object.fromEntries(Object.entries(entries).map(([k, s]) => [k, opt(s)])) as { [K in keyof T]: ReturnType<typeof opt<T[K]>> });

/** A sub-tree we pass through without modelling its fields (no unknown-field checks inside). */
export const opaque = () => v.record(v.string(), v.unknown());

/**
 * OpenAPI names of schema nodes (`io.k8s.api.core.v1.Container`) in a side table:
 * naming never changes what a schema accepts. OpenAPI documents, `kubectl explain`
 * and strategic merge patch (src/schema/patchMeta.ts) read types by these names.
 */
const nodeNames = new WeakMap<object, string>();
const namedNodes = new Map<string, v.GenericSchema>();
export function named<T extends v.GenericSchema>(name: string, schema: T): T {
  nodeNames.set(schema, name);
  if (!namedNodes.has(name)) namedNodes.set(name, schema);
  return schema;
}
export const nameOf = (schema: v.GenericSchema): string | undefined => nodeNames.get(schema);
/** The schema named `name` (the first one, if several share it), once its module has loaded. */
export const schemaNamed = (name: string): v.GenericSchema | undefined => namedNodes.get(name);
/** `io.k8s.api.core.v1.Container` → `Container`. */
export const shortName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

export const str = () => v.string();
export const int = () => v.pipe(v.number(), v.integer());
export const num = () => v.number();
export const bool = () => v.boolean();
export const strMap = () => v.record(v.string(), v.string());
export const list = <T extends v.GenericSchema>(item: T) => v.array(item);
export const intOrString = () => named('io.k8s.apimachinery.pkg.util.intstr.IntOrString', v.union([v.pipe(v.number(), v.integer()), v.string()]));
/** resource.Quantity: a string the decoder parses (a malformed one is a 400 with ParseQuantity's error), or a JSON number. */
export const quantity = () => named('io.k8s.apimachinery.pkg.api.resource.Quantity', v.union([
  v.pipe(v.string(), v.check((s) => quantityError(s) === undefined, (issue) => quantityError(issue.input as string) ?? quantityFormatError)),
  v.number(),
]));
export const time = () => named('io.k8s.apimachinery.pkg.apis.meta.v1.Time', v.string());
const meta = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;

export const objectMeta = named(meta('ObjectMeta'), struct({
  name: str(), generateName: str(), namespace: str(), selfLink: str(), uid: str(), resourceVersion: str(),
  generation: int(), creationTimestamp: time(), deletionTimestamp: time(), deletionGracePeriodSeconds: int(),
  labels: strMap(), annotations: strMap(), ownerReferences: list(named(meta('OwnerReference'), opaque())), finalizers: list(str()),
  managedFields: list(named(meta('ManagedFieldsEntry'), opaque())),
}));

/** apiVersion/kind/metadata plus the given top-level fields. */
export const kubeObject = <T extends Record<string, v.GenericSchema>>(fields: T) =>
  struct({ apiVersion: str(), kind: str(), metadata: objectMeta, ...fields });
