import type { Pod } from '../../registry/resources/pods.ts';
import type { ControllerPass } from './context.ts';
import { canonical, generatedName } from './names.ts';
import { isDeleting, isPodReady } from './objects.ts';
import {
  hostnameFor, podAddress, podReference, resolvedPorts, selectedPods, selectsPods, serviceLabels, shouldBeInEndpoints, specOf, triggerTime, triggerTimeAnnotation,
  type EndpointSlice, type Service, type SliceEndpoint, type SlicePort,
} from './serviceObjects.ts';

/**
 * The EndpointSlice controller (k8s.io/endpointslice's Reconciler): a service's
 * pods as discovery.k8s.io/v1 EndpointSlices named `<service>-<5 random>`,
 * labelled with the service's name and this controller, owned by the service
 * (so the garbage collector removes them with it). Pods that serve the same
 * ports share slices of at most 100 endpoints; terminating pods stay listed
 * (serving, not ready) until they go. A service with no endpoints keeps one
 * empty placeholder slice. Endpoints keep their slice across passes, and a
 * slice that would be deleted while another is created is reused instead, so
 * names stay stable as pods come and go.
 */

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
const maxEndpointsPerSlice = 100;

/** setEndpointSliceLabels: the service's labels (reserved keys aside) plus the two that find the slice. */
export const sliceLabels = (svc: Service) => ({ ...serviceLabels(svc, [serviceNameLabel, managedByLabel]), [serviceNameLabel]: svc.metadata.name!, [managedByLabel]: controllerName });

const topologyZone = 'topology.kubernetes.io/zone';

/** podToEndpoint: serving is readiness; ready also needs the pod not to be terminating. */
function podToEndpoint(pass: ControllerPass, svc: Service, pod: Pod, address: string): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = isDeleting(pod);
  const publish = !!specOf(svc).publishNotReadyAddresses;
  const hostname = hostnameFor(svc, pod);
  const zone = pass.objects.nodes.find((n) => n.metadata.name === pod.spec.nodeName)?.metadata.labels?.[topologyZone];
  return {
    addresses: [address], conditions: { ready: publish || (serving && !terminating), serving, terminating },
    ...(hostname ? { hostname } : {}), targetRef: podReference(pod),
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}), ...(zone ? { zone } : {}),
  };
}

interface PortGroup { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }

/** The endpoints a service should list, grouped by the ports their pods resolve (reconcileByAddressType). */
function desiredGroups(pass: ControllerPass, svc: Service, pods: Pod[]): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  const nodes = new Set(pass.objects.nodes.map((n) => n.metadata.name));
  for (const pod of pods) {
    if (!shouldBeInEndpoints(pod, true)) continue;
    // A pod on a node that does not exist is left out until the pod garbage collector removes it.
    if (!nodes.has(pod.spec.nodeName) && !specOf(svc).publishNotReadyAddresses) continue;
    const address = podAddress(svc, pod);
    if (!address) continue;
    const ports: SlicePort[] = isHeadlessWithoutPorts(svc) ? [] : resolvedPorts(svc, pod).map((p) => ({ name: p.name ?? '', protocol: p.protocol, port: p.port, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const key = canonical(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    group.endpoints.set(pod.metadata.uid!, podToEndpoint(pass, svc, pod, address));
  }
  return groups;
}

const isHeadlessWithoutPorts = (svc: Service) => !svc.spec.ports?.length && svc.spec.clusterIP === 'None';
const endpointKey = (e: SliceEndpoint) => e.targetRef?.uid ?? e.addresses.join(',');
const portsKey = (slice: EndpointSlice) => canonical(slice.ports ?? []);
const ownedBy = (slice: EndpointSlice, svc: Service) =>
  (slice.metadata.ownerReferences as Array<{ uid?: string; kind?: string; apiVersion?: string }> | undefined ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');

/** What a slice should hold; `existing` absent for one still to be created. */
interface Plan { existing?: EndpointSlice; ports: SlicePort[]; endpoints: SliceEndpoint[] }

/**
 * reconcileByPortMapping: existing slices keep the endpoints they hold that are still
 * wanted (refreshed); the rest go to slices with room, then to new slices.
 */
function planGroup(existing: EndpointSlice[], group: PortGroup): Plan[] {
  const plans: Plan[] = [];
  const placed = new Set<string>();
  for (const slice of existing) {
    const kept = (slice.endpoints ?? []).filter((e) => group.endpoints.has(endpointKey(e)) && !placed.has(endpointKey(e))).map((e) => group.endpoints.get(endpointKey(e))!);
    for (const e of kept) placed.add(endpointKey(e));
    plans.push({ existing: slice, ports: group.ports, endpoints: kept });
  }
  const rest = [...group.endpoints.values()].filter((e) => !placed.has(endpointKey(e)));
  for (const plan of plans) {
    if (!plan.endpoints.length) continue; // an emptied slice is deleted (or reused), not refilled
    while (rest.length && plan.endpoints.length < maxEndpointsPerSlice) plan.endpoints.push(rest.shift()!);
  }
  while (rest.length) plans.push({ ports: group.ports, endpoints: rest.splice(0, maxEndpointsPerSlice) });
  return plans;
}

export async function syncEndpointSlices(pass: ControllerPass): Promise<void> {
  for (const svc of [...pass.objects.services]) {
    if (!selectsPods(svc)) continue;
    const namespace = svc.metadata.namespace;
    const existing = pass.inNamespace('endpointslices', namespace)
      .filter((s) => s.metadata.labels?.[serviceNameLabel] === svc.metadata.name && s.metadata.labels?.[managedByLabel] === controllerName);
    const pods = selectedPods(svc, pass.inNamespace('pods', namespace));
    await reconcileService(pass, svc, existing, pods);
  }
}

async function reconcileService(pass: ControllerPass, svc: Service, slices: EndpointSlice[], pods: Pod[]): Promise<void> {
  const family = specOf(svc).ipFamilies?.[0] ?? 'IPv4';
  // Slices of an old service of the same name, or of another address type, go.
  const owned = slices.filter((s) => ownedBy(s, svc) && s.addressType === family);
  const deletes = slices.filter((s) => !owned.includes(s));
  const groups = desiredGroups(pass, svc, pods);
  const plans: Plan[] = [];
  for (const [key, group] of groups) plans.push(...planGroup(owned.filter((s) => portsKey(s) === key), group));
  for (const slice of owned) if (!groups.has(portsKey(slice))) plans.push({ existing: slice, ports: slice.ports ?? [], endpoints: [] });

  let keep = plans.filter((p) => p.endpoints.length);
  const empty = plans.filter((p) => !p.endpoints.length && p.existing).map((p) => p.existing!);
  deletes.push(...empty);
  // No endpoints at all: one placeholder slice (no ports, no endpoints) says the service was seen.
  if (!keep.length) {
    const placeholder = empty.find((s) => !(s.ports ?? []).length && !(s.endpoints ?? []).length);
    if (placeholder) deletes.splice(deletes.indexOf(placeholder), 1);
    keep = [{ existing: placeholder, ports: [], endpoints: [] }];
  }
  // finalize: a slice to create takes the name of one about to be deleted.
  for (const plan of keep) {
    if (plan.existing) continue;
    const reuse = deletes.findIndex((s) => ownedBy(s, svc) && s.addressType === family);
    if (reuse >= 0) plan.existing = deletes.splice(reuse, 1)[0];
  }
  const labels = sliceLabels(svc);
  const trigger = triggerTime(svc, pods);
  for (const plan of keep) {
    const body = { endpoints: plan.endpoints.length ? plan.endpoints : null, ports: plan.ports.length ? plan.ports : null };
    const current = plan.existing;
    if (current) {
      if (canonical({ endpoints: current.endpoints ?? null, ports: current.ports ?? null, labels: current.metadata.labels ?? {} }) === canonical({ ...body, labels })) continue;
      await pass.update('endpointslices', current, (copy) => {
        Object.assign(copy, body);
        copy.metadata.labels = labels;
        copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [triggerTimeAnnotation]: trigger };
      });
    } else if (!isDeleting(svc)) {
      await createSlice(pass, svc, family, labels, trigger, body);
    }
  }
  for (const slice of deletes) await pass.remove('endpointslices', slice);
}

/** A new slice, named as generateName would name it (`<service>-xxxxx`), from a seed so racing passes collide instead of doubling. */
async function createSlice(pass: ControllerPass, svc: Service, addressType: string, labels: Record<string, string>, trigger: string, body: Pick<EndpointSlice, 'endpoints' | 'ports'>): Promise<void> {
  const namespace = svc.metadata.namespace;
  const taken = new Set(pass.inNamespace('endpointslices', namespace).map((s) => s.metadata.name));
  for (let k = 0; k < 20; k++) {
    const name = generatedName(`${svc.metadata.name}-`, `${svc.metadata.uid}/slice/${k}`);
    if (taken.has(name)) continue;
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        name, generateName: `${svc.metadata.name}-`, namespace, labels, annotations: { [triggerTimeAnnotation]: trigger },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType, ...body,
    };
    if (await pass.create('endpointslices', namespace, slice) || pass.refused?.reason !== 'AlreadyExists') return;
  }
}
