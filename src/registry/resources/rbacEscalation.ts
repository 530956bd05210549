import { ApiError } from '../../apimachinery/errors.ts';
import type { AdmissionPlugin } from '../admission.ts';
import { privilegedGroup } from '../authorizer.ts';
import type { Access, ClusterObjects, PolicyRule, UserInfo } from '../types.ts';
import { rbacGroup, type Binding, type Role } from './rbac.ts';

/**
 * RBAC escalation prevention (kube-apiserver's policybased role and binding storage): a
 * user may write a Role or ClusterRole only with rules they hold themselves, and bind a
 * role only if they hold its rules — unless they are system:masters, or may `escalate`
 * (roles) or `bind` (the role bound). Writes by the server itself (no user) are trusted.
 */

/** BreakdownRule: one rule per group × resource × verb (× name), and per URL × verb. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const has = (set: string[] | undefined, value: string) => (set ?? []).includes(value);
const hasAll = (set: string[] | undefined, values: string[] | undefined) => (values ?? []).every((v) => has(set, v));

/** resourceCoversAll: `*`, exact, or `*\/<subresource>` for a subresource. */
function resourcesCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (has(owner, '*') || hasAll(owner, wanted)) return true;
  return (wanted ?? []).every((path) => has(owner, path) || (path.includes('/') && has(owner, `*/${path.slice(path.indexOf('/') + 1)}`)));
}

const urlCovers = (owner: string, path: string) => owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')));

/** ruleCovers. */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const urls = (sub.nonResourceURLs ?? []).every((path) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, path)));
  const names = !owner.resourceNames?.length || (!!sub.resourceNames?.length && hasAll(owner.resourceNames, sub.resourceNames));
  return verbs && groups && resourcesCover(owner.resources, sub.resources) && names && urls;
}

/** Covers: the atomic rules of `wanted` that none of `owned` covers. */
export function uncovered(owned: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdown).filter((sub) => !owned.some((owner) => ruleCovers(owner, sub)));
}

/** CompactRules: atomic rules on one group/resource (and at most one name) merged by verb. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    if (rule.nonResourceURLs?.length || rule.apiGroups?.length !== 1 || rule.resources?.length !== 1 || (rule.resourceNames?.length ?? 0) > 1) {
      out.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups[0], rule.resources[0], rule.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...(existing.verbs ?? []), ...(rule.verbs ?? [])];
    else simple.set(key, { ...rule, verbs: [...(rule.verbs ?? [])] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
const goList = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/** rbacv1helpers.CompactString. */
function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goList(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${goList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

function forbiddenWrite(plural: string, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${plural}.${rbacGroup} ${JSON.stringify(name)} is forbidden: ${why}`, { name, group: rbacGroup, kind: plural });
}

/** ConfirmNoEscalation: the user holds every rule in `rules`, in the namespace. */
async function confirmNoEscalation(access: Access, user: UserInfo, namespace: string, rules: PolicyRule[], plural: string, name: string): Promise<void> {
  const missing = uncovered(await access.rulesFor(user, namespace), rules);
  if (!missing.length) return;
  const lines = [...new Set(compact(missing).map(compactString))].sort();
  throw forbiddenWrite(plural, name, `user ${JSON.stringify(user.username)} (groups=${goList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`);
}

/** The rules a binding's roleRef grants (GetRoleReferenceRules); a missing role is a NotFound. */
async function referencedRules(objects: ClusterObjects, binding: Binding, namespace: string): Promise<PolicyRule[]> {
  const ref = binding.roleRef ?? {};
  const clusterScoped = ref.kind === 'ClusterRole';
  const def = objects.catalog.find(rbacGroup, 'v1', clusterScoped ? 'clusterroles' : 'roles')!;
  return ((await objects.get(def, clusterScoped ? undefined : namespace, ref.name ?? '')) as Role).rules ?? [];
}

const roleKinds = new Set(['roles', 'clusterroles']);
const bindingKinds = new Set(['rolebindings', 'clusterrolebindings']);

export const rbacEscalation: AdmissionPlugin = {
  name: 'RBACEscalationPrevention',
  phase: 'validating',
  async admit({ operation, def, namespace, name, object, ctx }, objects) {
    if (def.group !== rbacGroup || (operation !== 'CREATE' && operation !== 'UPDATE') || !object) return;
    const { user, access } = ctx;
    if (!user || !access || user.groups.includes(privilegedGroup)) return;
    const ns = namespace ?? '';
    if (roleKinds.has(def.plural)) {
      const escalate = await access.authorize(user, { verb: 'escalate', group: rbacGroup, resource: def.plural, subresource: '', name, namespace: ns });
      if (escalate.allowed) return;
      const role = object as Role;
      await confirmNoEscalation(access, user, ns, role.rules ?? [], def.plural, name);
      if (role.aggregationRule) {
        const full: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
        if (uncovered(await access.rulesFor(user, ns), full).length) throw forbiddenWrite(def.plural, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
    } else if (bindingKinds.has(def.plural)) {
      const binding = object as Binding;
      const ref = binding.roleRef ?? {};
      const bind = await access.authorize(user, { verb: 'bind', group: rbacGroup, resource: ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles', subresource: '', name: ref.name ?? '', namespace: ns });
      if (bind.allowed) return;
      await confirmNoEscalation(access, user, ns, await referencedRules(objects, binding, ns), def.plural, name);
    }
  },
};
