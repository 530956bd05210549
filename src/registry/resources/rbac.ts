import * as schema from '../../schema/rbac.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { goQuote, goStrings, invalidGo } from '../../apimachinery/goFormat.ts';
import { validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { validateName } from '../../apimachinery/validation.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type Column, type KubeObject, type PolicyRule } from '../types.ts';

/** rbac.authorization.k8s.io/v1: who may do what. */

export const rbacGroup = 'rbac.authorization.k8s.io';

export type { PolicyRule };
export interface Subject { kind?: string; apiGroup?: string; name?: string; namespace?: string }
export interface RoleRef { apiGroup?: string; kind?: string; name?: string }
export type Role = KubeObject & { rules?: PolicyRule[]; aggregationRule?: { clusterRoleSelectors?: LabelSelector[] } };
export type Binding = KubeObject & { subjects?: Subject[]; roleRef?: RoleRef };

/** ValidatePolicyRule. */
function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!rule.verbs?.length) errs.push({ field: `${at}.verbs`, type: 'FieldValueRequired', detail: 'verbs must contain at least one value' });
    if (rule.nonResourceURLs?.length) {
      if (namespaced) errs.push(invalidGo(`${at}.nonResourceURLs`, goStrings(rule.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
      if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
        errs.push(invalidGo(`${at}.nonResourceURLs`, goStrings(rule.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (!rule.apiGroups?.length) errs.push({ field: `${at}.apiGroups`, type: 'FieldValueRequired', detail: 'resource rules must supply at least one api group' });
    if (!rule.resources?.length) errs.push({ field: `${at}.resources`, type: 'FieldValueRequired', detail: 'resource rules must supply at least one resource' });
  });
  return errs;
}

const notSupported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

/** ValidateRoleBinding / ValidateClusterRoleBinding with ValidateRoleBindingSubject. */
function validateBinding(binding: Binding, namespaced: boolean): FieldError[] {
  const ref = binding.roleRef ?? {};
  const errs: FieldError[] = [];
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push({ field: 'roleRef.name', type: 'FieldValueRequired' });
  else errs.push(...validateName(ref.name, 'path-segment', 'roleRef.name'));
  (binding.subjects ?? []).forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!s.name) errs.push({ field: `${at}.name`, type: 'FieldValueRequired' });
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) errs.push(...validateName(s.name, 'subdomain', `${at}.name`));
        if (s.apiGroup) errs.push(notSupported(`${at}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push({ field: `${at}.namespace`, type: 'FieldValueRequired' });
        break;
      case 'User': case 'Group':
        if (s.apiGroup !== rbacGroup) errs.push(notSupported(`${at}.apiGroup`, s.apiGroup ?? '', [rbacGroup]));
        break;
      default:
        errs.push(notSupported(`${at}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject: the API group the kind implies. */
function bindingDefaults(binding: Binding): void {
  const ref = (binding.roleRef ??= {});
  ref.apiGroup ||= rbacGroup;
  for (const s of binding.subjects ?? []) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup;
  }
}

/** The role a binding grants is fixed for its lifetime. */
function roleRefImmutable(obj: Binding, old: Binding): FieldError[] {
  const ref = obj.roleRef ?? {}, before = old.roleRef ?? {};
  if (ref.apiGroup === before.apiGroup && ref.kind === before.kind && ref.name === before.name) return [];
  return [invalidGo('roleRef', `rbac.RoleRef{APIGroup:${goQuote(ref.apiGroup ?? '')}, Kind:${goQuote(ref.kind ?? '')}, Name:${goQuote(ref.name ?? '')}}`, 'cannot change roleRef')];
}

/** Roles have no printer of their own: the default table convertor prints the creation time as RFC 3339. */
const createdAtColumn: Column = { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' };

/** RoleBinding and ClusterRoleBinding columns differ only in how their descriptions name the kind. */
const bindingColumns = (kind: 'roleBinding' | 'clusterRoleBinding'): Column[] => [
  nameColumn,
  { name: 'Role', type: 'string', description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.' },
  ageColumn,
  { name: 'Users', type: 'string', priority: 1, description: `Users in the ${kind}` },
  { name: 'Groups', type: 'string', priority: 1, description: `Groups in the ${kind}` },
  { name: 'ServiceAccounts', type: 'string', priority: 1, description: `ServiceAccounts in the ${kind}` },
];

function bindingRow(b: Binding, now: Date): unknown[] {
  const of = (kind: string) => (b.subjects ?? []).filter((s) => s.kind === kind);
  return [b.metadata.name, `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(b, now),
    of('User').map((s) => s.name).join(', '), of('Group').map((s) => s.name).join(', '),
    of('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', ')];
}

export const roles = defineResource<Role>({
  group: rbacGroup, version: 'v1', kind: 'Role', plural: 'roles', singular: 'role', namespaced: true,
  verbs: allVerbs, nameRule: 'path-segment', schema: schema.role,
  columns: [nameColumn, createdAtColumn],
  row: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
  strategy: { validate: (obj) => validateRules(obj.rules, true), allowUnconditionalUpdate: true },
});

export const clusterroles = defineResource<Role>({
  group: rbacGroup, version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', namespaced: false,
  verbs: allVerbs, nameRule: 'path-segment', schema: schema.clusterRole,
  columns: [nameColumn, createdAtColumn],
  row: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
  strategy: {
    validate(role) {
      const errs = validateRules(role.rules, false);
      const selectors = role.aggregationRule?.clusterRoleSelectors;
      if (role.aggregationRule) {
        if (!selectors?.length) errs.push({ field: 'aggregationRule.clusterRoleSelectors', type: 'FieldValueRequired', detail: 'at least one clusterRoleSelector required if aggregationRule is non-nil' });
        (selectors ?? []).forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
      }
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});

export const rolebindings = defineResource<Binding>({
  group: rbacGroup, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding', namespaced: true,
  verbs: allVerbs, nameRule: 'path-segment', schema: schema.roleBinding,
  columns: bindingColumns('roleBinding'),
  row: (obj, { now }) => bindingRow(obj, now),
  strategy: { defaults: bindingDefaults, validate: (obj) => validateBinding(obj, true), validateUpdate: roleRefImmutable, allowUnconditionalUpdate: true },
});

export const clusterrolebindings = defineResource<Binding>({
  group: rbacGroup, version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false,
  verbs: allVerbs, nameRule: 'path-segment', schema: schema.clusterRoleBinding,
  columns: bindingColumns('clusterRoleBinding'),
  row: (obj, { now }) => bindingRow(obj, now),
  strategy: { defaults: bindingDefaults, validate: (obj) => validateBinding(obj, false), validateUpdate: roleRefImmutable, allowUnconditionalUpdate: true },
});
