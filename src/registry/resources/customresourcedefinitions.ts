import * as schema from '../../schema/apiextensions.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import { ruleProblems } from '../celRules.ts';
import { customResourceDefs, type CustomResourceDefinition } from '../customResources.ts';
import { nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type HookContext } from '../types.ts';

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition. Its custom resources are served from
 * declarations built from it (registry/customResources.ts, per cluster through
 * registry/clusterCatalogs.ts). What apiextensions-apiserver's controllers do is done inline:
 * the naming and establishing controllers' status on every write, and the finalizer's
 * deletion of every custom resource before the CRD goes.
 */
export const apiextensionsGroup = 'apiextensions.k8s.io';

const scopes = ['Cluster', 'Namespaced'];

function validate(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const versions = spec.versions ?? [];
  if (!spec.group) errs.push({ field: 'spec.group', type: 'FieldValueRequired', detail: '' });
  else if (!spec.group.includes('.')) errs.push({ field: 'spec.group', type: 'FieldValueInvalid', value: spec.group, detail: 'should be a domain with at least one dot' });
  if (!names.plural) errs.push({ field: 'spec.names.plural', type: 'FieldValueRequired', detail: '' });
  else if (names.plural !== names.plural.toLowerCase()) errs.push({ field: 'spec.names.plural', type: 'FieldValueInvalid', value: names.plural, detail: 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character' });
  if (!names.kind) errs.push({ field: 'spec.names.kind', type: 'FieldValueRequired', detail: '' });
  if (names.plural && spec.group && crd.metadata.name !== `${names.plural}.${spec.group}`) {
    errs.push({ field: 'metadata.name', type: 'FieldValueInvalid', value: crd.metadata.name, detail: 'must be spec.names.plural+"."+spec.group' });
  }
  if (!scopes.includes(spec.scope)) errs.push({ field: 'spec.scope', type: 'FieldValueNotSupported', value: spec.scope ?? '', detail: 'supported values: "Cluster", "Namespaced"' });
  if (!versions.length) errs.push({ field: 'spec.versions', type: 'FieldValueInvalid', value: versions, detail: 'must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v.storage).length !== 1) errs.push({ field: 'spec.versions', type: 'FieldValueInvalid', value: versions.map((v) => v.name), detail: 'must have exactly one version marked as storage version' });
  const shared = versions.every((v) => JSON.stringify(v.schema) === JSON.stringify(versions[0].schema));
  versions.forEach((v, i) => {
    if (!v.name) errs.push({ field: `spec.versions[${i}].name`, type: 'FieldValueRequired', detail: '' });
    if (!v.schema?.openAPIV3Schema) errs.push({ field: `spec.versions[${i}].schema.openAPIV3Schema`, type: 'FieldValueRequired', detail: 'schemas are required' });
    else if (v.schema.openAPIV3Schema.type !== 'object') errs.push({ field: `spec.versions[${i}].schema.openAPIV3Schema.type`, type: 'FieldValueRequired', detail: 'must not be empty at the root' });
    // kube validates its internal form, where one schema shared by every version is spec.validation's.
    else if (!shared || i === 0) ruleProblems(v.schema.openAPIV3Schema, shared ? 'spec.validation.openAPIV3Schema' : `spec.versions[${i}].schema.openAPIV3Schema`, errs);
  });
  return errs;
}

/** The status the naming and establishing controllers write: names accepted, established, the storage version recorded. */
function computeStatus(crd: CustomResourceDefinition, old: CustomResourceDefinition | undefined, ctx: HookContext): void {
  const names = crd.spec.names;
  const at = timestamp(ctx.now);
  const previous = (type: string) => old?.status?.conditions?.find((c) => c.type === type);
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: previous(type)?.lastTransitionTime ?? at, reason, message });
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const stored = [...(old?.status?.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  crd.status = {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: {
      plural: names.plural, singular: names.singular, ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      kind: names.kind, listKind: names.listKind, ...(names.categories ? { categories: names.categories } : {}),
    },
    storedVersions: stored,
  };
}

export const customresourcedefinitions = defineResource<CustomResourceDefinition>({
  group: apiextensionsGroup, version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', singular: 'customresourcedefinition',
  namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], verbs: allVerbs, subresources: ['status'],
  schema: schema.customResourceDefinition,
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' }],
  row: (crd) => [crd.metadata.name, crd.metadata.creationTimestamp],
  strategy: {
    tracksGeneration: true,
    defaults(crd) {
      const spec = crd.spec;
      if (!spec || typeof spec !== 'object') return;
      spec.conversion ??= { strategy: 'None' };
      if (spec.names?.kind) {
        spec.names.singular ||= spec.names.kind.toLowerCase();
        spec.names.listKind ||= `${spec.names.kind}List`;
      }
    },
    prepareForCreate: (crd, ctx) => computeStatus(crd, undefined, ctx),
    prepareForUpdate: (crd, old, ctx) => computeStatus(crd, old, ctx),
    validate,
    validateUpdate(crd, old) {
      if (crd.spec?.scope === old.spec?.scope) return [];
      return [{ field: 'spec.scope', type: 'FieldValueInvalid', value: crd.spec?.scope, detail: 'field is immutable' }];
    },
    // The customresourcecleanup finalizer's work: every custom resource goes before the CRD does.
    async finalize(crd, objects) {
      const [def] = customResourceDefs(crd);
      if (!def) return;
      for (const item of (await objects.list(def, undefined)).items) {
        try {
          await objects.delete(def, item.metadata.namespace, item.metadata.name!);
        } catch { /* gone already, or going: the CRD goes regardless */ }
      }
    },
  },
});
