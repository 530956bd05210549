import { humanDuration, nameColumn } from './printing.ts';
import { readJsonPath } from './jsonPath.ts';
import { celErrors } from './celRules.ts';
import { applyDefaults, decodingSchema, listTypeErrors, prune, validateValue, type JSONSchemaProps } from './structural.ts';
import { allVerbs, type Column, type KubeObject, type ResourceDef } from './types.ts';

/**
 * Custom resources: the declarations a CustomResourceDefinition stands for, one per served
 * version, built from the CRD's data as apiextensions-apiserver builds its handlers. The
 * generic registry, discovery, OpenAPI and tables serve them as they serve built-in kinds.
 */

export interface PrinterColumn { name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }
export interface CustomResourceVersion {
  name: string; served: boolean; storage: boolean; deprecated?: boolean; deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: Record<string, unknown>; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: Array<{ jsonPath: string }>;
}
export interface CustomResourceNames { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] }
export type CustomResourceDefinition = KubeObject & {
  spec: { group: string; names: CustomResourceNames; scope: string; versions: CustomResourceVersion[]; conversion?: { strategy?: string } };
  status?: { conditions?: Array<{ type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }>; acceptedNames?: CustomResourceNames; storedVersions?: string[] };
};

/** kube's version priority (GA before beta before alpha, higher first; others last, by name), as discovery orders versions. */
export function versionPriority(a: string, b: string): number {
  const rank = (name: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(name);
    if (!m) return [3, 0, 0];
    return [m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ObjectMeta's creationTimestamp description: what the default Age column says of itself. */
const creationTimestampDescription = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const defaultColumns: PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: creationTimestampDescription }];

const columnTypes = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** One cell as the CR table convertor makes it (cellForJSONValue); a missing value is null (`<none>`). */
function cell(column: PrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : null;
    case 'number': return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : null;
    case 'boolean': return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;
    case 'date': {
      const at = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(at) ? null : humanDuration(now.getTime() - at);
    }
    default: return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

const objectSchemaName = (group: string, version: string, kind: string) => `${group.split('.').reverse().join('.')}.${version}.${kind}`;

/** The kind's schema as OpenAPI publishes it: the CRD's schema plus apiVersion, kind and ObjectMeta. */
function publishedSchema(schema: JSONSchemaProps, gvk: { group: string; version: string; kind: string }): Record<string, unknown> {
  return {
    ...schema, type: 'object',
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
      kind: { description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' },
      metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
      ...Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata')),
    },
    'x-kubernetes-group-version-kind': [gvk],
  };
}

/** The declarations of a CRD's served versions, highest priority first. */
export function customResourceDefs(crd: CustomResourceDefinition): ResourceDef[] {
  const { group, names, scope, versions } = crd.spec;
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  const storageApiVersion = `${group}/${storage}`;
  return versions.filter((v) => v.served).sort((a, b) => versionPriority(a.name, b.name)).map((version): ResourceDef => {
    const schema: JSONSchemaProps = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const printerColumns = (version.additionalPrinterColumns ?? []).filter((c) => columnTypes.has(c.type));
    const shown = printerColumns.length ? printerColumns : defaultColumns;
    const columns: Column[] = [nameColumn, ...shown.map((c) => ({
      name: c.name, type: c.type as Column['type'], ...(c.format ? { format: c.format } : {}),
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, priority: (c.priority ?? 0) > 0 ? 1 as const : 0 as const,
    }))];
    const apiVersion = `${group}/${version.name}`;
    const hasStatus = !!version.subresources?.status;
    const scale = version.subresources?.scale;
    return {
      group, version: version.name, kind: names.kind, listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural, singular: names.singular || names.kind.toLowerCase(), namespaced: scope !== 'Cluster',
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}), ...(names.categories?.length ? { categories: names.categories } : {}),
      verbs: allVerbs,
      subresources: [...(hasStatus ? ['status' as const] : []), ...(scale ? ['scale' as const] : [])],
      ...(scale ? { scale } : {}),
      schema: decodingSchema(schema),
      openapi: { name: objectSchemaName(group, version.name, names.kind), schema: publishedSchema(schema, { group, version: version.name, kind: names.kind }) },
      columns,
      row: (obj, { now }) => [obj.metadata.name, ...shown.map((c) => cell(c, readJsonPath(obj, c.jsonPath), now))],
      fieldSelectors: Object.fromEntries((version.selectableFields ?? []).map(({ jsonPath }) => [jsonPath.replace(/^\./, ''), (obj: KubeObject) => {
        const value = readJsonPath(obj, jsonPath);
        return value === undefined || value === null ? '' : String(value);
      }])),
      // Every version is kept as the storage version (conversion None: only apiVersion changes).
      storedAs: {
        group, plural: names.plural,
        toStorage: (obj) => ({ ...obj, apiVersion: storageApiVersion }),
        fromStorage: (obj) => ({ ...obj, apiVersion }),
      },
      ...(version.deprecated ? { warning: version.deprecationWarning ?? `${apiVersion} ${names.kind} is deprecated` } : {}),
      strategy: {
        tracksGeneration: true,
        defaults(obj) {
          prune(obj, schema, true);
          applyDefaults(obj, schema);
        },
        // With a status subresource, a create or an update of the main resource sets no status.
        prepareForCreate(obj) { if (hasStatus) delete obj.status; },
        prepareForUpdate(obj, old) {
          if (!hasStatus) return;
          if ('status' in old) obj.status = old.status; else delete obj.status;
        },
        prepareForStatusUpdate(obj) {
          prune(obj, schema, true);
          applyDefaults(obj, schema);
        },
        // The schema's own checks, then its CEL rules; transition rules (oldSelf) on updates, with the stored object.
        validate(obj) {
          const errors = [...validateValue(obj, schema, ''), ...listTypeErrors(obj, schema)];
          return errors.length ? errors : celErrors(obj, schema);
        },
        validateUpdate: (obj, old) => celErrors(obj, schema, old, true),
        validateStatusUpdate: (obj, old) => celErrors(obj, schema, old, true),
      },
    };
  });
}
