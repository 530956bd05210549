import { ApiError } from '../apimachinery/errors.ts';
import type { Attributes, Decision, PolicyRule, UserInfo } from './types.ts';
import type { Binding, Role, Subject } from './resources/rbac.ts';

/**
 * Authorization decisions as kube-apiserver's `Node,RBAC` chain (plus the system:masters
 * short-circuit) makes them. The cluster's RBAC objects are compiled once into a Policy
 * (bindings indexed by subject, each with its role's rules resolved), so a decision is a
 * few map lookups; the pipeline caches the Policy per cluster (registry/policyCache.ts).
 */


/** Members of this group are allowed everything, before RBAC is asked (authorizerfactory.NewPrivilegedGroups). */
export const privilegedGroup = 'system:masters';

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);

/** rbac's ResourceMatches: `*`, `pods`, `pods/log`, or `*\/log` for any resource's subresource. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

/** NonResourceURLMatches: exact, `*`, or a prefix ending in `*`. */
function pathMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if ('path' in attrs) return pathMatches(rule, attrs.path);
  if (rule.nonResourceURLs?.length && !rule.resources?.length) return false;
  return has(rule.apiGroups, attrs.group) && resourceMatches(rule, attrs.resource, attrs.subresource)
    && (!rule.resourceNames?.length || rule.resourceNames.includes(attrs.name));
}

// ------------------------------------------------------------------ the compiled policy

/** One binding's grant to one of its subjects, with the bound role's rules resolved. */
interface Grant { rules: PolicyRule[]; describe: string }

/** Grants by subject key: `User:jane`, `Group:dev`, `ServiceAccount:ns:name`. */
type GrantIndex = Map<string, Grant[]>;

export interface Policy {
  clusterWide: GrantIndex;
  byNamespace: Map<string, GrantIndex>;
}

export interface PolicyObjects {
  clusterRoles: Role[];
  roles: Role[];
  clusterRoleBindings: Binding[];
  roleBindings: Binding[];
}

const serviceAccountPrefix = 'system:serviceaccount:';

function subjectKey(subject: Subject, bindingNamespace: string): string | null {
  switch (subject.kind) {
    case 'User': return `User:${subject.name}`;
    case 'Group': return `Group:${subject.name}`;
    case 'ServiceAccount': return `User:${serviceAccountPrefix}${subject.namespace || bindingNamespace}:${subject.name}`;
    default: return null;
  }
}

/** How the real authorizer names the binding that allowed a request (describeSubject and friends). */
function describe(binding: Binding, subject: Subject): string {
  const ns = binding.metadata.namespace;
  const who = subject.kind === 'ServiceAccount' ? `ServiceAccount "${subject.name}/${subject.namespace || ns}"` : `${subject.kind} "${subject.name}"`;
  const what = ns ? `RoleBinding "${binding.metadata.name}/${ns}"` : `ClusterRoleBinding "${binding.metadata.name}"`;
  return `${what} of ${binding.roleRef?.kind} "${binding.roleRef?.name}" to ${who}`;
}

/** Indexes every binding under its subjects; a binding to a role that does not exist grants nothing. */
export function compilePolicy(objects: PolicyObjects): Policy {
  const clusterRoles = new Map(objects.clusterRoles.map((r) => [r.metadata.name!, r.rules ?? []]));
  const roles = new Map(objects.roles.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r.rules ?? []]));
  const file = (index: GrantIndex, binding: Binding, rules: PolicyRule[]) => {
    const namespace = binding.metadata.namespace ?? '';
    for (const subject of binding.subjects ?? []) {
      const key = subjectKey(subject, namespace);
      if (!key) continue;
      const grants = index.get(key) ?? [];
      grants.push({ rules, describe: describe(binding, subject) });
      index.set(key, grants);
    }
  };
  const policy: Policy = { clusterWide: new Map(), byNamespace: new Map() };
  for (const binding of objects.clusterRoleBindings) {
    const rules = binding.roleRef?.kind === 'ClusterRole' ? clusterRoles.get(binding.roleRef.name ?? '') : undefined;
    if (rules?.length) file(policy.clusterWide, binding, rules);
  }
  for (const binding of objects.roleBindings) {
    const ref = binding.roleRef;
    const namespace = binding.metadata.namespace ?? '';
    const rules = ref?.kind === 'ClusterRole' ? clusterRoles.get(ref.name ?? '') : ref?.kind === 'Role' ? roles.get(`${namespace}/${ref.name}`) : undefined;
    if (!rules?.length) continue;
    let index = policy.byNamespace.get(namespace);
    if (!index) policy.byNamespace.set(namespace, (index = new Map()));
    file(index, binding, rules);
  }
  return policy;
}

/** Cluster-wide grants first, then those of the namespace in question (as the RBAC visitor walks them). */
function grantsFor(policy: Policy, user: UserInfo, namespace: string): Grant[] {
  const grants: Grant[] = [];
  const local = namespace ? policy.byNamespace.get(namespace) : undefined;
  for (const index of local ? [policy.clusterWide, local] : [policy.clusterWide]) {
    const own = index.get(`User:${user.username}`);
    if (own) grants.push(...own);
    for (const group of user.groups) {
      const granted = index.get(`Group:${group}`);
      if (granted) grants.push(...granted);
    }
  }
  return grants;
}

export function authorize(policy: Policy, user: UserInfo, attrs: Attributes): Decision {
  if (user.groups.includes(privilegedGroup)) return { allowed: true, reason: '' };
  const namespace = 'namespace' in attrs ? attrs.namespace : '';
  for (const grant of grantsFor(policy, user, namespace)) {
    for (const rule of grant.rules) if (ruleAllows(rule, attrs)) return { allowed: true, reason: `RBAC: allowed by ${grant.describe}` };
  }
  // RBAC has no opinion, and no other authorizer allows: a denial without a reason
  return { allowed: false, reason: '' };
}

/** Every rule that applies to the user in a namespace (RulesFor), for SelfSubjectRulesReview. */
export function rulesFor(policy: Policy, user: UserInfo, namespace: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  if (user.groups.includes(privilegedGroup)) rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  for (const grant of grantsFor(policy, user, namespace)) rules.push(...grant.rules);
  return rules;
}

// ------------------------------------------------------------------ the refusal

/**
 * The 403 kube-apiserver answers (responsewriters.forbiddenMessage inside
 * apierrors.NewForbidden): `pods is forbidden: User "jane" cannot list resource "pods"
 * in API group "" in the namespace "default"`, or `forbidden: User "jane" cannot get
 * path "/logs"` for a path that is no resource.
 */
export function forbiddenError(user: UserInfo, attrs: Attributes, reason = ''): ApiError {
  let what: string;
  let prefix: string;
  let details: { name?: string; group?: string; kind?: string } = {};
  if ('path' in attrs) {
    what = `User ${JSON.stringify(user.username)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
    prefix = 'forbidden';
  } else {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const scope = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
    what = `User ${JSON.stringify(user.username)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.group)} ${scope}`;
    const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource;
    prefix = attrs.name ? `${qualified} ${JSON.stringify(attrs.name)} is forbidden` : `${qualified} is forbidden`;
    details = { ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.group ? { group: attrs.group } : {}), kind: attrs.resource };
  }
  const message = `${prefix}: ${what}${reason ? `: ${reason}` : ''}`;
  return new ApiError(403, 'Forbidden', message, details);
}
