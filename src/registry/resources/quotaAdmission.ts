import { formatQuantity } from '../../apimachinery/quantity.ts';
import { admissionForbidden, type AdmissionPlugin, type AdmissionRequest } from '../admission.ts';
import type { ClusterObjects, KubeObject } from '../types.ts';
import type { Pod } from './pods.ts';
import { resourcequotas, type ResourceList, type ResourceQuota } from './quotas.ts';
import { amountOf, namespaceUsage, quotaMatches, usageOf, usedList, type Amount, type Usage } from './quotaUsage.ts';

/**
 * The ResourceQuota admission plugin (plugin/pkg/admission/resourcequota), last in the
 * chain: a create that would take any quota of its namespace past `hard` is refused
 * (`exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2`), and a pod must
 * state every compute resource a quota limits (`must specify limits.cpu for: web`). What
 * it admits is charged to the quota's status.used before the object is written, with
 * compare-and-swap on the quota: of two creates racing for its last slot, the second to
 * charge re-reads the quota and is refused. The quota controller recounts later (a charge
 * for a create that then failed is given back there).
 */

/** The compute resources whose every container must say how much it wants (the pod evaluator's Constraints). */
const mustSpecify = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function constraints(pod: Pod, hard: string[]): string | undefined {
  const required = mustSpecify.filter((r) => hard.includes(r));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
    const has = (r: string) => {
      const [kind, name] = r.includes('.') ? r.split('.') : ['requests', r];
      return (c.resources?.[kind as 'requests' | 'limits'] ?? {})[name] !== undefined;
    };
    for (const r of required) if (!has(r)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name ?? '');
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ')}`;
}

/** prettyPrint: `name=quantity` in name order, comma-joined. */
const pretty = (list: Map<string, Amount>) => [...list].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, a]) => `${k}=${formatQuantity(a.milli, a.format)}`).join(',');

/**
 * The quota's usage with this request charged, or the refusal. `recount` fills names the
 * quota holds no usage for yet (a quota the controller has not counted).
 */
function charge(request: AdmissionRequest, quota: ResourceQuota, delta: Usage, recount: Usage | undefined): ResourceList {
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  const used: Usage = new Map(Object.entries(quota.status?.used ?? {}).map(([k, v]) => [k, amountOf(v)]));
  for (const name of Object.keys(hard)) if (!used.has(name) && recount?.has(name)) used.set(name, recount.get(name)!);
  const exceeded: string[] = [];
  for (const [name, amount] of delta) {
    if (!(name in hard) || !amount.milli) continue;
    const prior = used.get(name) ?? { milli: 0, format: amount.format };
    const next = { milli: prior.milli + amount.milli, format: prior.milli ? prior.format : amount.format };
    if (next.milli > amountOf(hard[name]).milli) exceeded.push(name);
    else used.set(name, next);
  }
  if (exceeded.length) {
    const pick = (from: (name: string) => Amount) => new Map(exceeded.map((n) => [n, from(n)]));
    throw admissionForbidden(request, `exceeded quota: ${quota.metadata.name}, requested: ${pretty(pick((n) => delta.get(n)!))}, used: ${pretty(pick((n) => used.get(n) ?? { milli: 0, format: 'DecimalSI' }))}, limited: ${pretty(pick((n) => amountOf(hard[n])))}`);
  }
  return { ...quota.status?.used, ...usedList(used) };
}

const lacksUsage = (quota: ResourceQuota) => Object.keys(quota.spec?.hard ?? {}).some((name) => quota.status?.used?.[name] === undefined);

async function admitCreate(request: AdmissionRequest, objects: ClusterObjects): Promise<void> {
  const obj = request.object as KubeObject;
  const quotas = ((await objects.list(resourcequotas, request.namespace)).items as ResourceQuota[]).filter((q) => quotaMatches(q, request.def, obj));
  if (!quotas.length) return;
  const delta = usageOf(request.def, obj, request.ctx.now);
  const isPod = request.def.group === '' && request.def.plural === 'pods';
  const charged: Array<{ quota: ResourceQuota; recount?: Usage }> = [];
  for (const quota of quotas.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const hard = Object.keys(quota.status?.hard ?? quota.spec?.hard ?? {});
    const unmet = isPod ? constraints(obj as Pod, hard) : undefined;
    if (unmet) throw admissionForbidden(request, `failed quota: ${quota.metadata.name}: ${unmet}`);
    if (![...delta.keys()].some((name) => hard.includes(name))) continue;
    const recount = lacksUsage(quota) ? await namespaceUsage(objects, quota, request.ctx.now) : undefined;
    charge(request, quota, delta, recount); // every quota is checked before any is charged
    charged.push({ quota, recount });
  }
  if (request.dryRun) return;
  for (const { quota, recount } of charged) {
    await objects.mutate(resourcequotas, request.namespace, quota.metadata.name!, (current) => {
      const q = current as ResourceQuota;
      q.status = { ...q.status, used: charge(request, q, delta, recount) };
      return q;
    }, { subresource: 'status' });
  }
}

export const resourceQuotaAdmission: AdmissionPlugin = {
  name: 'ResourceQuota',
  phase: 'validating',
  async admit(request, objects) {
    if (request.operation !== 'CREATE' || request.subresource || !request.def.namespaced) return;
    await admitCreate(request, objects);
  },
};
