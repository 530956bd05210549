import type { Registry } from '../../registry/generic.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { NetIngress, NetIngressClass, NetNode, NetPod } from '../../runtime/clusterState.ts';
import { isIngressNginx, servesIngress } from '../../runtime/httpRouting.ts';
import { benign } from './context.ts';
import { canonical } from './names.ts';

/**
 * ingress-nginx's status sync, for the controller pods a student installs: each Ingress such a
 * Ready pod serves gets the InternalIP of the nodes those pods run on in
 * `status.loadBalancer.ingress` (its bare-metal install publishes no Service), so `kubectl get
 * ingress` shows an ADDRESS; an Ingress no running controller serves keeps what it has, as
 * with no controller running. Level-triggered, and it writes only what differs.
 */

/** Changes that can change what it writes: Ingresses, their classes, pods (the controller's), nodes. */
export const ingressStatusInputs = (event: { group: string; resource: string }): boolean =>
  (event.group === 'networking.k8s.io' && (event.resource === 'ingresses' || event.resource === 'ingressclasses')) || (event.group === '' && (event.resource === 'pods' || event.resource === 'nodes'));

type Ingress = NetIngress & KubeObject & { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };

const ready = (pod: NetPod & { status?: { conditions?: Array<{ type: string; status: string }> } }) =>
  !pod.metadata.deletionTimestamp && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

export async function syncIngressStatuses(registry: Registry): Promise<void> {
  const def = (plural: string, group = 'networking.k8s.io') => registry.catalog.find(group, 'v1', plural);
  const ingressDef = def('ingresses');
  if (!ingressDef) return;
  const ingresses = (await registry.list(ingressDef, undefined)).items as unknown as Ingress[];
  if (!ingresses.length) return;
  const pods = ((await registry.list(def('pods', '')!, undefined)).items as unknown as NetPod[])
    .filter((p) => ready(p) && (p.spec.containers ?? []).some((c) => isIngressNginx(c.image)));
  if (!pods.length) return;
  const classes = (await registry.list(def('ingressclasses')!, undefined)).items as unknown as NetIngressClass[];
  const nodes = (await registry.list(def('nodes', '')!, undefined)).items as unknown as NetNode[];
  const nodeIP = (name: string | undefined) => nodes.find((n) => n.metadata.name === name)?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  for (const ing of ingresses) {
    const serving = pods.filter((p) => servesIngress(classes, p, ing));
    if (!serving.length) continue;
    const ips = [...new Set(serving.map((p) => nodeIP(p.spec.nodeName)).filter((ip): ip is string => !!ip))].sort();
    const status = { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } };
    if (canonical(ing.status ?? {}) === canonical(status)) continue;
    try {
      await registry.mutate(ingressDef, ing.metadata.namespace, ing.metadata.name!, (copy) => { copy.status = status; }, { expectedResourceVersion: ing.metadata.resourceVersion, subresource: 'status' });
    } catch (err) {
      if (!benign(err)) throw err;
    }
  }
}
