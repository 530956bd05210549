import { timestamp } from '../../apimachinery/time.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import type { PodDisruptionBudget } from '../../registry/resources/policy.ts';
import type { Service } from '../../registry/resources/services.ts';
import type { KubeObject } from '../../registry/types.ts';
import { isDeleting, isTerminal, ms, type Condition, type IntOrString } from './objects.ts';

/**
 * Typed views of what the endpoints, EndpointSlice and disruption controllers read
 * and write, and what the first two share (k8s.io/endpointslice/util): which pods
 * back a service, the address and ports of each, and the trigger-time annotation.
 */

export type { Service };
export type DisruptionBudget = PodDisruptionBudget;

/** core/v1 ObjectReference as endpoints point at pods. */
export interface PodReference { kind: 'Pod'; namespace: string; name: string; uid: string }
export interface EndpointAddress { ip: string; hostname?: string; nodeName?: string; targetRef?: PodReference }
export interface EndpointPort { name?: string; port: number; protocol: string; appProtocol?: string }
export interface EndpointSubset { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }
export type Endpoints = KubeObject & { subsets?: EndpointSubset[] };

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string; targetRef?: PodReference; nodeName?: string; zone?: string;
}
export interface SlicePort { name: string; protocol: string; port: number; appProtocol?: string }
export type EndpointSlice = KubeObject & { addressType: string; endpoints: SliceEndpoint[] | null; ports: SlicePort[] | null };

interface ServicePort { name?: string; port?: number; targetPort?: IntOrString; protocol?: string; appProtocol?: string }
interface ContainerPort { name?: string; containerPort?: number; protocol?: string }
type ServiceSpec = Service['spec'] & { ipFamilies?: string[]; publishNotReadyAddresses?: boolean; ports?: ServicePort[] };
type PodFields = { hostname?: string; subdomain?: string; containers?: Array<{ ports?: ContainerPort[] }>; initContainers?: Array<{ ports?: ContainerPort[]; restartPolicy?: string }> };

/** The annotation both controllers stamp on what they write (v1.EndpointsLastChangeTriggerTime). */
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
/** v1.IsHeadlessService: set on the endpoints of a service with no cluster IP. */
export const headlessLabel = 'service.kubernetes.io/headless';

export const specOf = (svc: Service) => svc.spec as ServiceSpec;
export const isHeadless = (svc: Service) => !svc.spec.clusterIP || svc.spec.clusterIP === 'None';

/** Services the controllers fill: a selector (possibly empty) and not an ExternalName (kubernetes/kubernetes#105986). */
export const selectsPods = (svc: Service) => svc.spec.type !== 'ExternalName' && svc.spec.selector != null;

/** labels.Set(selector).AsSelectorPreValidated(): every key equal; an empty map selects every pod. */
export function selectedPods(svc: Service, pods: Pod[]): Pod[] {
  const wanted = Object.entries(svc.spec.selector ?? {});
  return pods.filter((p) => wanted.every(([k, v]) => p.metadata.labels?.[k] === v));
}

const podIPs = (pod: Pod) => (pod.status?.podIPs as Array<{ ip: string }> | undefined)?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
const isIPv6 = (ip: string) => ip.includes(':');

/** ShouldPodBeInEndpoints: not finished, has an address, and (unless asked) not terminating. */
export const shouldBeInEndpoints = (pod: Pod, includeTerminating: boolean) =>
  !isTerminal(pod) && podIPs(pod).length > 0 && (includeTerminating || !isDeleting(pod));

/** The pod's address in the service's (first) IP family. */
export function podAddress(svc: Service, pod: Pod, family = specOf(svc).ipFamilies?.[0] ?? 'IPv4'): string | undefined {
  return podIPs(pod).find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

export const podReference = (pod: Pod): PodReference => ({ kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! });

/** ShouldSetHostname: a pod with a hostname in the service's subdomain. */
export function hostnameFor(svc: Service, pod: Pod): string | undefined {
  const spec = pod.spec as PodFields;
  return spec.hostname && spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace ? spec.hostname : undefined;
}

/** FindPort: a numeric targetPort as is, a named one from the containers' (and sidecars') ports of that protocol. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const spec = pod.spec as PodFields;
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(spec.containers ?? []), ...sidecars]) {
    const found = c.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (found) return found.containerPort;
  }
  return undefined;
}

/** The service's ports as this pod serves them (the ports it cannot resolve are left out). */
export function resolvedPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const p of specOf(svc).ports ?? []) {
    const port = findPort(pod, p);
    if (port === undefined) continue;
    out.push({ name: p.name ?? '', port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) });
  }
  return out;
}

/**
 * The last-change-trigger-time: when the newest change the endpoints reflect happened
 * (TriggerTimeTracker takes a pod's Ready transition and a new service's creation).
 * Computed from state, so every pass that reaches the same state writes the same value.
 */
export function triggerTime(svc: Service, pods: Pod[]): string {
  let latest = ms(svc.metadata.creationTimestamp) || 0;
  for (const pod of pods) {
    const ready = (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
    latest = Math.max(latest, ms(ready?.lastTransitionTime) || 0, ms(pod.metadata.deletionTimestamp) || 0);
  }
  return timestamp(latest);
}

/** Labels both kinds carry: the service's own, minus (or plus) the headless marker. */
export function serviceLabels(svc: Service, reserved: string[] = []): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (k !== headlessLabel && !reserved.includes(k)) labels[k] = v;
  if (isHeadless(svc)) labels[headlessLabel] = '';
  return labels;
}
