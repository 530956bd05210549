import type { LabelSelector } from '../apimachinery/selectors.ts';

/**
 * The objects the simulated cluster network reads, as plain views: what a CNI, kube-proxy and
 * CoreDNS would each have synced from the API at the moment a command runs. The server lists
 * them from the store (server/clusterNetwork.ts); the network model (network.ts, dns.ts,
 * networkPolicy.ts) interprets them and never writes.
 */

export type Labels = Record<string, string>;
interface Meta { name?: string; namespace?: string; uid?: string; labels?: Labels; annotations?: Labels; deletionTimestamp?: string; creationTimestamp?: string }

export interface NetContainerPort { name?: string; containerPort: number; protocol?: string }
export interface NetContainer { name: string; image?: string; command?: string[]; args?: string[]; ports?: NetContainerPort[] }
export interface NetPod {
  metadata: Meta;
  spec: {
    nodeName?: string; hostname?: string; subdomain?: string; hostNetwork?: boolean; dnsPolicy?: string;
    dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
    hostAliases?: Array<{ ip: string; hostnames?: string[] }>;
    containers?: NetContainer[]; initContainers?: Array<NetContainer & { restartPolicy?: string }>;
  };
  status?: { phase?: string; podIP?: string; hostIP?: string; containerStatuses?: Array<{ name: string; ready?: boolean; state?: { running?: { startedAt?: string } } }> };
}

export interface NetServicePort { name?: string; port: number; protocol?: string; targetPort?: number | string; nodePort?: number }
export interface NetService {
  metadata: Meta;
  spec: { type?: string; clusterIP?: string; externalName?: string; selector?: Labels; ports?: NetServicePort[] };
}

export interface NetEndpointSlice {
  metadata: Meta;
  addressType?: string;
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; hostname?: string; targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string } }> | null;
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
}

export interface NetPolicyPort { protocol?: string; port?: number | string; endPort?: number }
export interface NetPolicyPeer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string; except?: string[] } }
export interface NetPolicy {
  metadata: Meta;
  spec: {
    podSelector?: LabelSelector; policyTypes?: string[];
    ingress?: Array<{ ports?: NetPolicyPort[]; from?: NetPolicyPeer[] }>;
    egress?: Array<{ ports?: NetPolicyPort[]; to?: NetPolicyPeer[] }>;
  };
}

export interface NetIngressBackend { service?: { name: string; port?: { number?: number; name?: string } } }
export interface NetIngress {
  metadata: Meta;
  spec: {
    ingressClassName?: string; defaultBackend?: NetIngressBackend;
    rules?: Array<{ host?: string; http?: { paths?: Array<{ path?: string; pathType?: string; backend: NetIngressBackend }> } }>;
  };
}
export interface NetIngressClass { metadata: Meta; spec?: { controller?: string } }

export interface NetGatewayListener { name: string; hostname?: string; port: number; protocol: string }
export interface NetGateway {
  metadata: Meta;
  spec: { gatewayClassName?: string; listeners?: NetGatewayListener[] };
  status?: { addresses?: Array<{ type?: string; value: string }> };
}
export interface NetParentRef { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string; port?: number }
export interface NetRouteMatch {
  path?: { type?: string; value?: string };
  headers?: Array<{ type?: string; name: string; value: string }>;
  queryParams?: Array<{ type?: string; name: string; value: string }>;
  method?: string;
}
export interface NetHTTPRoute {
  metadata: Meta;
  spec: {
    parentRefs?: NetParentRef[]; hostnames?: string[];
    rules?: Array<{ matches?: NetRouteMatch[]; backendRefs?: Array<{ group?: string; kind?: string; name: string; namespace?: string; port?: number; weight?: number }> }>;
  };
  status?: { parents?: Array<{ parentRef: NetParentRef; controllerName: string; conditions?: Array<{ type: string; status: string; reason?: string }> }> };
}

export interface NetNamespace { metadata: Meta }
export interface NetNode { metadata: Meta; status?: { addresses?: Array<{ type: string; address: string }> } }

export interface ClusterState {
  pods: NetPod[];
  services: NetService[];
  endpointSlices: NetEndpointSlice[];
  networkPolicies: NetPolicy[];
  namespaces: NetNamespace[];
  nodes: NetNode[];
  /** What ingress controllers and the Gateway API's data plane route by (httpRouting.ts). */
  ingresses: NetIngress[];
  ingressClasses: NetIngressClass[];
  gateways: NetGateway[];
  httpRoutes: NetHTTPRoute[];
}

export const emptyClusterState = (): ClusterState => ({ pods: [], services: [], endpointSlices: [], networkPolicies: [], namespaces: [], nodes: [], ingresses: [], ingressClasses: [], gateways: [], httpRoutes: [] });

/** A pod's namespace's labels (`kubernetes.io/metadata.name` is always there, as the API server sets it). */
export function namespaceLabels(state: ClusterState, namespace: string | undefined): Labels {
  const ns = state.namespaces.find((n) => n.metadata.name === namespace);
  return { ...ns?.metadata.labels, 'kubernetes.io/metadata.name': namespace ?? '' };
}

/** The container ports of a pod's containers and restartable init containers (sidecars). */
export function podPorts(pod: NetPod): NetContainerPort[] {
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec.containers ?? []), ...sidecars].flatMap((c) => c.ports ?? []);
}

/** A named port of the pod, for a protocol (FindPort). */
export const namedPort = (pod: NetPod, name: string, protocol: string): number | undefined =>
  podPorts(pod).find((p) => p.name === name && (p.protocol ?? 'TCP') === protocol)?.containerPort;

/** Dotted IPv4 as a 32-bit number; undefined for anything else. Bounded: at most 15 characters are read. */
export function ipv4(text: string): number | undefined {
  if (text.length > 15) return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Whether an IPv4 address lies in a CIDR (`10.0.0.0/8`); false for what is not IPv4. */
export function inCidr(ip: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  const base = ipv4(slash < 0 ? cidr : cidr.slice(0, slash));
  const bits = slash < 0 ? 32 : Number(cidr.slice(slash + 1));
  const addr = ipv4(ip);
  if (base === undefined || addr === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((base & mask) >>> 0);
}

/** The pod with this IP (not host-networked, not finished). */
export const podWithIP = (state: ClusterState, ip: string): NetPod | undefined =>
  state.pods.find((p) => p.status?.podIP === ip && !p.spec.hostNetwork && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
