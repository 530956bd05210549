import type { Clock } from '../ports.ts';
import { authorize, compilePolicy, rulesFor, type Policy } from './authorizer.ts';
import type { Binding, Role } from './resources/rbac.ts';
import { rbacGroup } from './resources/rbac.ts';
import type { Access, ClusterObjects } from './types.ts';

/**
 * Each cluster's compiled RBAC policy, kept between requests (kube-apiserver's RBAC
 * authorizer reads informer caches; this is ours). A write to an RBAC object through
 * this server invalidates its cluster's entry at once (`invalidate`, fed by the change
 * events of committed writes); a write this process did not see (a controller's, or
 * another instance's on DynamoDB) is picked up within `maxAgeMs`.
 */
export class PolicyCache {
  private readonly entries = new Map<string, { policy: Promise<Policy>; loadedAt: number; cluster: string }>();

  constructor(private readonly clock: Clock, private readonly maxAgeMs = 1000, private readonly capacity = 1000) {}

  /** The policy of one incarnation of a cluster (a cluster re-created under its name starts afresh). */
  policy(cluster: string, incarnation: string, objects: () => ClusterObjects): Promise<Policy> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(incarnation);
    if (hit && now - hit.loadedAt < this.maxAgeMs) return hit.policy;
    if (!hit && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    const policy = loadPolicy(objects());
    this.entries.set(incarnation, { policy, loadedAt: now, cluster });
    // A failed load is not remembered.
    policy.catch(() => { if (this.entries.get(incarnation)?.policy === policy) this.entries.delete(incarnation); });
    return policy;
  }

  /** Forgets every incarnation of the cluster: its RBAC objects changed. */
  invalidate(cluster: string): void {
    for (const [key, entry] of this.entries) if (entry.cluster === cluster) this.entries.delete(key);
  }

  /** The Access a cluster's requests and access reviews ask; `objects` reads the cluster when its policy must be (re)compiled. */
  access(cluster: string, incarnation: string, objects: () => ClusterObjects): Access {
    return {
      authorize: async (user, attrs) => authorize(await this.policy(cluster, incarnation, objects), user, attrs),
      rulesFor: async (user, namespace) => rulesFor(await this.policy(cluster, incarnation, objects), user, namespace),
    };
  }
}

/** Does this change concern the RBAC policy? */
export const isPolicyChange = (group: string) => group === rbacGroup;

async function loadPolicy(objects: ClusterObjects): Promise<Policy> {
  const list = async <T>(plural: string) => {
    const def = objects.catalog.find(rbacGroup, 'v1', plural);
    if (!def) throw new Error(`rbac resource ${plural} is not in the catalog`);
    return (await objects.list(def, undefined)).items as T[];
  };
  const [clusterRoles, roles, clusterRoleBindings, roleBindings] = await Promise.all([
    list<Role>('clusterroles'), list<Role>('roles'), list<Binding>('clusterrolebindings'), list<Binding>('rolebindings'),
  ]);
  return compilePolicy({ clusterRoles, roles, clusterRoleBindings, roleBindings });
}
