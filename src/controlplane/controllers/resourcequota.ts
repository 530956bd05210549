import type { Registry } from '../../registry/generic.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import { resourcequotas, type ResourceQuota } from '../../registry/resources/quotas.ts';
import { amountOf, namespaceUsage, usedList } from '../../registry/resources/quotaUsage.ts';
import type { ChangeEvent } from '../../ports.ts';
import { benign } from './context.ts';

/**
 * kube-controller-manager's resourcequota controller: each quota's status.hard mirrors
 * spec.hard and status.used is what its namespace holds. Level-triggered and idempotent: a
 * pass recounts from the store and writes only a status that differs, so an idle cluster
 * writes nothing and a duplicated or late event changes nothing.
 *
 * As kube's controller, it recounts a quota whose limits changed or were never counted, and
 * a namespace when something in it is released (deleted, or a pod finished); creations are
 * charged by the admission plugin, so a create's own event brings no recount (a recount
 * racing an admitted create not yet stored would give its charge back too early).
 */

const sameAmounts = (a: Record<string, unknown> = {}, b: Record<string, unknown> = {}) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => k in b && amountOf(v).milli === amountOf(b[k]).milli);

/** A quota whose limits changed or were never counted. */
const uncounted = (q: ResourceQuota) => !sameAmounts(q.spec?.hard, q.status?.hard) || Object.keys(q.spec?.hard ?? {}).some((k) => q.status?.used?.[k] === undefined);

/** Recounts the quotas of one namespace (or all): every one, or (`onlyUncounted`) those not counted for their limits. */
export async function syncResourceQuotas(registry: Registry, namespace: string | undefined, onlyUncounted = false): Promise<void> {
  const { items } = await registry.list(resourcequotas, namespace);
  for (const quota of items as ResourceQuota[]) {
    if (onlyUncounted && !uncounted(quota)) continue;
    const used = usedList(await namespaceUsage(registry, quota, registry.now()));
    const hard = quota.spec?.hard ?? {};
    if (sameAmounts(hard, quota.status?.hard) && sameAmounts(used, quota.status?.used)) continue;
    try {
      await registry.mutate(resourcequotas, quota.metadata.namespace, quota.metadata.name!, (current) => {
        (current as ResourceQuota).status = { hard: { ...hard }, used };
      }, { subresource: 'status', expectedResourceVersion: quota.metadata.resourceVersion });
    } catch (err) {
      // Someone moved first (an admitted create's charge, a spec change): its event or the next resync recounts.
      if (!benign(err)) throw err;
    }
  }
}

/**
 * Whether a change event may release quota: a deletion in a namespace, or a pod update
 * that leaves it finished. Reads only when the namespace has quotas at all.
 */
export async function releasesQuota(registry: Registry, event: ChangeEvent): Promise<boolean> {
  if (!event.namespace || event.resource === 'resourcequotas' || event.resource === 'events') return false;
  const podUpdate = event.group === '' && event.resource === 'pods' && event.type === 'MODIFIED';
  if (event.type !== 'DELETED' && !podUpdate) return false;
  if (!(await registry.list(resourcequotas, event.namespace, { limit: 1 })).items.length) return false;
  if (!podUpdate) return true;
  const def = registry.catalog.find('', 'v1', 'pods')!;
  const pod = await registry.get(def, event.namespace, event.name).catch(() => undefined) as Pod | undefined;
  return !pod || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || !!pod.metadata.deletionTimestamp;
}
