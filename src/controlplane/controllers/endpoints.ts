import type { Pod } from '../../registry/resources/pods.ts';
import type { ControllerPass } from './context.ts';
import { canonical } from './names.ts';
import { isDeleting, isPodReady } from './objects.ts';
import {
  hostnameFor, podAddress, podReference, resolvedPorts, selectedPods, selectsPods, serviceLabels, shouldBeInEndpoints, triggerTime, triggerTimeAnnotation,
  type EndpointAddress, type EndpointPort, type Endpoints, type EndpointSubset, type Service,
} from './serviceObjects.ts';

/**
 * The endpoints controller (pkg/controller/endpoint): for every service with a
 * selector, an Endpoints object of the same name whose subsets list the ready
 * pods' addresses (notReadyAddresses for the others) with the service's ports
 * resolved against each pod. Level-triggered: the subsets are recomputed from
 * the pods at every pass and written only when they (or the labels) differ.
 * Endpoints have no owner: the controller deletes those it wrote once their
 * service is gone.
 */

/** One pod's address for one of its resolved ports (or none: a headless service without ports). */
interface Entry { address: EndpointAddress; ready: boolean; port: EndpointPort | undefined }

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const byIPAndUID = (a: EndpointAddress, b: EndpointAddress) => (addressKey(a) < addressKey(b) ? -1 : addressKey(a) > addressKey(b) ? 1 : 0);

/**
 * endpoints.RepackSubsets: addresses that offer the same ports (each ready or not)
 * form one subset. A port ready on an address in one entry stays ready.
 */
export function repackSubsets(entries: Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port: EndpointPort | undefined; addresses: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  for (const e of entries) {
    const portKey = e.port ? canonical(e.port) : '';
    let group = byPort.get(portKey);
    if (!group) byPort.set(portKey, (group = { port: e.port, addresses: new Map() }));
    const key = addressKey(e.address);
    const seen = group.addresses.get(key);
    if (!seen || !seen.ready) group.addresses.set(key, { address: seen?.address ?? e.address, ready: e.ready });
  }
  const subsets = new Map<string, { addresses: Array<{ address: EndpointAddress; ready: boolean }>; ports: EndpointPort[] }>();
  for (const { port, addresses } of byPort.values()) {
    const members = [...addresses.values()].sort((a, b) => byIPAndUID(a.address, b.address));
    const key = members.map((m) => `${addressKey(m.address)}=${m.ready}`).join(',');
    let subset = subsets.get(key);
    if (!subset) subsets.set(key, (subset = { addresses: members, ports: [] }));
    if (port) subset.ports.push(port);
  }
  return [...subsets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => {
    const ready = s.addresses.filter((m) => m.ready).map((m) => m.address);
    const notReady = s.addresses.filter((m) => !m.ready).map((m) => m.address);
    return { ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ...(s.ports.length ? { ports: s.ports } : {}) };
  });
}

/** The subsets a service's pods make (syncService's loop). */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = !!(svc.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses;
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podAddress(svc, pod);
    if (!ip) continue;
    const hostname = hostnameFor(svc, pod);
    const address: EndpointAddress = { ip, ...(hostname ? { hostname } : {}), nodeName: pod.spec.nodeName ?? '', targetRef: podReference(pod) };
    const ready = publishNotReady || isPodReady(pod);
    if (!svc.spec.ports?.length) {
      if (svc.spec.clusterIP === 'None') entries.push({ address, ready, port: undefined });
      continue;
    }
    // An EndpointPort's name is omitted when empty (omitempty), unlike a slice port's.
    for (const { name, ...port } of resolvedPorts(svc, pod)) entries.push({ address, ready, port: name ? { name, ...port } : port });
  }
  return repackSubsets(entries);
}

/** The Endpoints object a service should have, given the one it has (undefined: none yet). */
export function endpointsFor(svc: Service, pods: Pod[], current: Endpoints | undefined): Endpoints | undefined {
  const subsets = desiredSubsets(svc, pods);
  const labels = serviceLabels(svc);
  if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata.labels ?? {}) === canonical(labels)) return undefined;
  const annotations = { ...(current?.metadata.annotations ?? {}), [triggerTimeAnnotation]: triggerTime(svc, pods) };
  return {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, ...(Object.keys(labels).length ? { labels } : {}), annotations },
    ...(subsets.length ? { subsets } : {}),
  };
}

export async function syncEndpoints(pass: ControllerPass): Promise<void> {
  const services = new Map(pass.objects.services.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  for (const svc of [...pass.objects.services]) {
    if (!selectsPods(svc) || isDeleting(svc)) continue;
    const current = pass.inNamespace('endpoints', svc.metadata.namespace).find((e) => e.metadata.name === svc.metadata.name);
    const next = endpointsFor(svc, selectedPods(svc, pass.inNamespace('pods', svc.metadata.namespace)), current);
    if (!next) continue;
    if (!current) await pass.create('endpoints', svc.metadata.namespace, next);
    else await pass.update('endpoints', current, (copy) => {
      copy.metadata.labels = next.metadata.labels;
      copy.metadata.annotations = next.metadata.annotations;
      if (next.subsets) copy.subsets = next.subsets; else delete copy.subsets;
    });
  }
  // The controller's own leftovers (it stamps the trigger time); Endpoints a user wrote by hand stay.
  for (const ep of [...pass.objects.endpoints]) {
    if (services.has(`${ep.metadata.namespace}/${ep.metadata.name}`) || !ep.metadata.annotations?.[triggerTimeAnnotation]) continue;
    await pass.remove('endpoints', ep);
  }
}
