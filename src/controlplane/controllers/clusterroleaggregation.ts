import { selectorMatches } from '../../apimachinery/selectors.ts';
import type { Registry } from '../../registry/generic.ts';
import type { PolicyRule, Role } from '../../registry/resources/rbac.ts';
import { benign } from './context.ts';

/**
 * kube-controller-manager's clusterrole-aggregation controller: a ClusterRole with
 * `aggregationRule.clusterRoleSelectors` gets as rules the union of the rules of every
 * other ClusterRole any selector matches, taken in name order, each rule once (the
 * controller's ruleExists). `edit` aggregates `view` and `admin` aggregates `edit`, so the
 * union is taken until nothing changes: one pass settles the whole chain.
 */

/** A rule's identity: two rules with the same key are the same rule (the controller's ruleExists). */
const ruleKey = (r: PolicyRule) => JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);

/** The rules `role` aggregates from `roles` (itself excluded), or undefined for a role without an aggregationRule. */
export function aggregatedRules(role: Role, roles: Role[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const rules: PolicyRule[] = [];
  // Each rule's key made once: the built-in admin, edit and view roles aggregate a hundred rules or more.
  const taken = new Set<string>();
  const sources = roles
    .filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => selectorMatches(s, r.metadata.labels ?? {})))
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const source of sources) {
    for (const rule of source.rules ?? []) {
      const key = ruleKey(rule);
      if (taken.has(key)) continue;
      taken.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

const sameRules = (a: PolicyRule[] | undefined, b: PolicyRule[]) => (a ?? []).length === b.length && b.every((r, i) => ruleKey(a![i]) === ruleKey(r));

/**
 * Sets every aggregated role's rules in `roles` (in place) until none changes; returns the
 * names of the roles whose rules changed. Bounded: a chain deeper than the number of
 * aggregating roles is a cycle, and the last union computed stands.
 */
export function aggregateAll(roles: Role[]): Set<string> {
  const changed = new Set<string>();
  const aggregating = roles.filter((r) => r.aggregationRule);
  for (let round = 0; round <= aggregating.length; round++) {
    let moved = false;
    for (const role of aggregating) {
      const rules = aggregatedRules(role, roles)!;
      if (sameRules(role.rules, rules)) continue;
      role.rules = rules;
      changed.add(role.metadata.name!);
      moved = true;
    }
    if (!moved) break;
  }
  return changed;
}

/**
 * One level-triggered pass over the cluster's ClusterRoles: reads them all, writes the
 * aggregated roles whose rules are not the union they should be (compare-and-swap through
 * the registry; a conflict means another write, whose event brings another pass).
 */
export async function syncClusterRoleAggregation(registry: Registry): Promise<void> {
  const def = registry.catalog.find('rbac.authorization.k8s.io', 'v1', 'clusterroles');
  if (!def) return;
  const roles: Role[] = [];
  let continueToken: string | undefined;
  do {
    const page = await registry.list(def, undefined, { limit: 500, continue: continueToken });
    roles.push(...(page.items as Role[]));
    continueToken = page.continue;
  } while (continueToken);
  for (const name of aggregateAll(roles)) {
    const rules = roles.find((r) => r.metadata.name === name)!.rules;
    try {
      await registry.mutate(def, undefined, name, (current) => {
        (current as Role).rules = rules;
        return current;
      });
    } catch (err) {
      if (!benign(err)) throw err;
    }
  }
}
