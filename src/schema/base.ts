import * as v from 'valibot';

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

export const str = () => v.string();
export const int = () => v.pipe(v.number(), v.integer());
export const num = () => v.number();
export const bool = () => v.boolean();
export const strMap = () => v.record(v.string(), v.string());
export const list = <T extends v.GenericSchema>(item: T) => v.array(item);
export const intOrString = () => v.union([v.pipe(v.number(), v.integer()), v.string()]);
export const quantity = () => v.union([v.string(), v.number()]);

export const objectMeta = struct({
  name: str(), generateName: str(), namespace: str(), selfLink: str(), uid: str(), resourceVersion: str(),
  generation: int(), creationTimestamp: str(), deletionTimestamp: str(), deletionGracePeriodSeconds: int(),
  labels: strMap(), annotations: strMap(), ownerReferences: list(opaque()), finalizers: list(str()), managedFields: list(opaque()),
});

/** apiVersion/kind/metadata plus the given top-level fields. */
export const kubeObject = <T extends Record<string, v.GenericSchema>>(fields: T) =>
  struct({ apiVersion: str(), kind: str(), metadata: objectMeta, ...fields });
