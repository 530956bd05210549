import { ApiError } from '../apimachinery/errors.ts';
import type { Binding, PolicyRule, Role, Subject } from './resources/rbac.ts';
import type { RegistryReader, ResourceDef, UserInfo } from './types.ts';

/**
 * Authorization decisions as kube-apiserver's `Node,RBAC` chain (plus the
 * system:masters short-circuit) makes them, from the RBAC objects stored in the
 * cluster. Access reviews (`kubectl auth can-i`) ask this; enforcing it on every
 * request is the request pipeline's job.
 */

export interface ResourceAttributes { verb: string; group: string; resource: string; subresource: string; name: string; namespace: string }
export interface NonResourceAttributes { verb: string; path: string }
export type Attributes = ResourceAttributes | NonResourceAttributes;

export interface Decision { allowed: boolean; reason: string }

/** Members of this group are allowed everything, before RBAC is asked (authorizerfactory.NewPrivilegedGroups). */
export const privilegedGroup = 'system:masters';

const rbacGroup = 'rbac.authorization.k8s.io';
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

/** appliesTo: does this subject of a binding (in bindingNamespace) name the user? */
function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User': return subject.name === user.username;
    case 'Group': return user.groups.includes(subject.name ?? '');
    case 'ServiceAccount': return user.username === `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}`;
    default: return false;
  }
}

/** How the real authorizer names the binding that allowed a request (describeSubject and friends). */
function describe(binding: Binding, subject: Subject): string {
  const ns = binding.metadata.namespace;
  const who = subject.kind === 'ServiceAccount' ? `ServiceAccount "${subject.name}/${subject.namespace || ns}"` : `${subject.kind} "${subject.name}"`;
  const what = ns ? `RoleBinding "${binding.metadata.name}/${ns}"` : `ClusterRoleBinding "${binding.metadata.name}"`;
  return `${what} of ${binding.roleRef?.kind} "${binding.roleRef?.name}" to ${who}`;
}

function rbacDef(registry: RegistryReader, plural: string): ResourceDef {
  const def = registry.catalog.find(rbacGroup, 'v1', plural);
  if (!def) throw new Error(`rbac resource ${plural} is not in the catalog`);
  return def;
}

async function rulesOf(registry: RegistryReader, binding: Binding): Promise<PolicyRule[]> {
  const ref = binding.roleRef;
  if (!ref?.name) return [];
  const clusterScoped = ref.kind === 'ClusterRole';
  try {
    const role = await registry.get(rbacDef(registry, clusterScoped ? 'clusterroles' : 'roles'), clusterScoped ? undefined : binding.metadata.namespace, ref.name) as Role;
    return role.rules ?? [];
  } catch (err) {
    // a binding to a role that does not exist grants nothing
    if (err instanceof ApiError && err.reason === 'NotFound') return [];
    throw err;
  }
}

/** Cluster-wide bindings first, then those of the namespace in question (as the RBAC visitor walks them). */
async function bindingsFor(registry: RegistryReader, namespace: string): Promise<Binding[]> {
  const cluster = (await registry.list(rbacDef(registry, 'clusterrolebindings'), undefined)).items as Binding[];
  const local = namespace ? (await registry.list(rbacDef(registry, 'rolebindings'), namespace)).items as Binding[] : [];
  return [...cluster, ...local];
}

export async function authorize(registry: RegistryReader, user: UserInfo, attrs: Attributes): Promise<Decision> {
  if (user.groups.includes(privilegedGroup)) return { allowed: true, reason: '' };
  const namespace = 'namespace' in attrs ? attrs.namespace : '';
  for (const binding of await bindingsFor(registry, namespace)) {
    const subject = (binding.subjects ?? []).find((s) => subjectMatches(s, user, binding.metadata.namespace ?? ''));
    if (!subject) continue;
    if ((await rulesOf(registry, binding)).some((rule) => ruleAllows(rule, attrs))) return { allowed: true, reason: `RBAC: allowed by ${describe(binding, subject)}` };
  }
  // RBAC has no opinion, and no other authorizer allows: a denial without a reason
  return { allowed: false, reason: '' };
}

/** Every rule that applies to the user in a namespace (RulesFor), for SelfSubjectRulesReview. */
export async function rulesFor(registry: RegistryReader, user: UserInfo, namespace: string): Promise<PolicyRule[]> {
  const rules: PolicyRule[] = [];
  if (user.groups.includes(privilegedGroup)) rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  for (const binding of await bindingsFor(registry, namespace)) {
    if ((binding.subjects ?? []).some((s) => subjectMatches(s, user, binding.metadata.namespace ?? ''))) rules.push(...await rulesOf(registry, binding));
  }
  return rules;
}
