import { namespaceLabels, podWithIP, ipv4, type ClusterState, type NetEndpointSlice, type NetGateway, type NetPod, type NetService, type NetServicePort } from './clusterState.ts';
import { gatewayAt } from './httpRouting.ts';
import { coreDNS, hostsLookup, parseResolvConf, searchCandidates, type DnsReply, type QueryType } from './dns.ts';
import { policiesAllow, type PolicyEndpoint, type PolicyProtocol } from './networkPolicy.ts';
import { serverPorts } from './serverPorts.ts';
import type { ProgramInput } from './timeline.ts';

/**
 * The cluster network as a pod's connections meet it: kube-proxy's rules (a Service's
 * ClusterIP or a node's NodePort to a ready endpoint from its EndpointSlices, the named
 * targetPort resolved there; no ready endpoint is a REJECT), pod IPs routed directly, the
 * NetworkPolicies (networkPolicy.ts) on the translated connection, and then whatever listens
 * on the port in the destination pod. A dropped packet is a connection that never answers;
 * a refusal answers at once. Level-triggered: everything is read from one snapshot of the
 * cluster's objects taken when the command runs.
 */

/** A running container of a pod with its files, for answering on its ports. */
export interface ServedContainer { input: ProgramInput; startedAt: number }

/** An HTTP request to the cluster's API server from inside a pod (curl with the pod's token). */
export interface ApiCall { method: string; target: string; headers: Array<[string, string]>; body?: string }
/** Its answer, as the API server wrote it. */
export interface ApiAnswer { status: number; headers: Array<[string, string]>; body: string }

/** What a command in a pod sees of the network. */
export interface NetworkView {
  state: ClusterState;
  /** The pod the command runs in. */
  self: NetPod;
  now(): number;
  /**
   * The running containers of a pod as the kubelet made them (files from its ConfigMaps and
   * Secrets); undefined while they have not been read. The caller reads what was asked for
   * (LoadingNetworkView) and runs the command again, so a run never waits on the store.
   */
  containers(pod: NetPod): ServedContainer[] | undefined;
  /**
   * The API server's answer to a request that reached it (its address on 6443, or the
   * `kubernetes` Service); undefined while it has not been asked (as for `containers`), and
   * always where this view cannot reach it (the kubelet's own pass).
   */
  apiServer?(call: ApiCall): ApiAnswer | undefined;
}

export interface LoadingNetworkView extends NetworkView {
  /** Some pod's containers were asked for and are not loaded. */
  pending(): boolean;
  loadPending(): Promise<void>;
}

export type Protocol = Exclude<PolicyProtocol, 'SCTP'>;
/**
 * What a connection attempt meets: a listener (a pod's, or a Gateway's data plane at its address),
 * a refusal (RST or ICMP unreachable), or silence.
 */
export type Dial = { kind: 'open'; pod?: NetPod; port: number; gateway?: NetGateway; address?: string } | { kind: 'refused' } | { kind: 'dropped' };

const running = (pod: NetPod, name: string) => pod.status?.containerStatuses?.some((s) => s.name === name && s.state?.running);

/** Whether a pod's running containers listen on a port (a known server image run with its own entrypoint). */
export function listensOn(pod: NetPod, port: number): boolean {
  return (pod.spec.containers ?? []).some((c) => running(pod, c.name)
    && Object.hasOwn(serverPorts({ image: c.image ?? '', command: c.command, args: c.args, hostname: '' }), port));
}

const endpointOf = (state: ClusterState, ip: string): PolicyEndpoint => {
  const pod = podWithIP(state, ip);
  return pod ? { ip, pod, namespaceLabels: namespaceLabels(state, pod.metadata.namespace) } : { ip };
};

/** kube-proxy's choice among a Service port's ready endpoints (random, as its iptables rules choose); proxies choose the same way. */
export function serviceEndpoint(state: ClusterState, svc: NetService, port: NetServicePort): { ip: string; port: number } | undefined {
  const slices = state.endpointSlices.filter((s: NetEndpointSlice) => s.metadata.namespace === svc.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name);
  const ready: Array<{ ip: string; port: number }> = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (!slicePort?.port) continue;
    for (const e of slice.endpoints ?? []) if (e.conditions?.ready !== false) for (const ip of e.addresses) ready.push({ ip, port: slicePort.port });
  }
  return ready.length ? ready[Math.floor(Math.random() * ready.length)] : undefined;
}

/** A connection from the view's pod to ip:port. */
export function dial(view: NetworkView, ip: string, port: number, protocol: Protocol): Dial {
  const { state, self } = view;
  // Loopback and the pod's own address stay inside its network namespace: no policy applies.
  if (ip === '127.0.0.1' || ip === self.status?.podIP) return protocol === 'ICMP' || listensOn(self, port) ? { kind: 'open', pod: self, port } : { kind: 'refused' };
  const service = state.services.find((s) => s.spec.clusterIP === ip && s.spec.clusterIP !== 'None');
  if (service) {
    // A ClusterIP is a rule, not a host: nothing answers an echo request.
    if (protocol === 'ICMP') return { kind: 'dropped' };
    const servicePort = service.spec.ports?.find((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
    // No rule for that port: the address belongs to no host, the packet goes nowhere.
    if (!servicePort) return { kind: 'dropped' };
    return toEndpoint(view, service, servicePort, protocol);
  }
  const node = state.nodes.find((n) => n.status?.addresses?.some((a) => a.address === ip));
  if (node && protocol !== 'ICMP') {
    for (const s of state.services) {
      if (s.spec.type !== 'NodePort' && s.spec.type !== 'LoadBalancer') continue;
      const servicePort = s.spec.ports?.find((p) => p.nodePort === port && (p.protocol ?? 'TCP') === protocol);
      if (servicePort) return toEndpoint(view, s, servicePort, protocol);
    }
  }
  return toAddress(view, ip, port, protocol);
}

function toEndpoint(view: NetworkView, service: NetService, servicePort: NetServicePort, protocol: Protocol): Dial {
  const endpoint = serviceEndpoint(view.state, service, servicePort);
  // kube-proxy REJECTs a Service port with no ready endpoint.
  return endpoint ? toAddress(view, endpoint.ip, endpoint.port, protocol) : { kind: 'refused' };
}

/** After translation: policies on the real destination, then its listener. */
function toAddress(view: NetworkView, ip: string, port: number, protocol: Protocol): Dial {
  const { state, self } = view;
  const to = endpointOf(state, ip);
  const from: PolicyEndpoint = { ip: self.status?.podIP ?? '', pod: self, namespaceLabels: namespaceLabels(state, self.metadata.namespace) };
  if (!policiesAllow(state.networkPolicies, { from, to, port, protocol })) return { kind: 'dropped' };
  if (!to.pod) {
    // A Gateway's address (the LoadBalancer its controller published): its data plane takes HTTP on its listeners' ports.
    const gateway = protocol === 'TCP' ? gatewayAt(state, ip, port) : undefined;
    if (gateway) return { kind: 'open', port, gateway, address: ip };
    // A node's address: what its host-networked pods listen on (the API server on 6443); an address
    // outside the cluster has nothing to reach in this simulation.
    const node = state.nodes.find((n) => n.status?.addresses?.some((a) => a.address === ip));
    if (!node) return { kind: 'dropped' };
    if (protocol === 'ICMP') return { kind: 'open', port };
    const host = state.pods.find((p) => p.spec.hostNetwork && p.spec.nodeName === node.metadata.name && listensOn(p, port));
    return host ? { kind: 'open', pod: host, port } : { kind: 'refused' };
  }
  if (protocol === 'ICMP') return { kind: 'open', pod: to.pod, port };
  return listensOn(to.pod, port) ? { kind: 'open', pod: to.pod, port } : { kind: 'refused' };
}

// ---------------------------------------------------------------- name resolution

/** A DNS question sent to a server over the network: its reply, or why none came. */
export type Query = { kind: 'reply'; reply: DnsReply } | { kind: 'refused' } | { kind: 'dropped' };

export function dnsQuery(view: NetworkView, server: string, name: string, type: QueryType): Query {
  const reached = dial(view, server, 53, 'UDP');
  if (reached.kind !== 'open') return reached;
  return { kind: 'reply', reply: coreDNS(view.state, name, type) };
}

/** How long a libc resolver waits for a server that does not answer (resolv.conf's default `timeout:5`). */
export const resolverTimeoutMs = 5000;

export type Resolution = { kind: 'found'; ips: string[]; elapsedMs: number } | { kind: 'missing'; elapsedMs: number } | { kind: 'unreachable'; elapsedMs: number };

/**
 * getaddrinfo as a libc does it for wget, curl, nc and ping: an address as is, /etc/hosts,
 * then the nameservers of /etc/resolv.conf over its search list (ndots). The files are the
 * container's, as it has them now; `servers` replaces resolv.conf's nameservers (nslookup's argument).
 */
export function resolveHost(view: NetworkView, files: Record<string, string>, host: string, servers?: string[]): Resolution {
  if (ipv4(host) !== undefined) return { kind: 'found', ips: [host], elapsedMs: 0 };
  const fromHosts = hostsLookup(files['/etc/hosts'], host);
  if (fromHosts) return { kind: 'found', ips: [fromHosts], elapsedMs: 0 };
  const resolver = parseResolvConf(files['/etc/resolv.conf']);
  let elapsedMs = 0;
  for (const name of searchCandidates(host, resolver)) {
    let answered = false;
    for (const server of servers ?? resolver.nameservers) {
      const result = dnsQuery(view, server, name, 'A');
      if (result.kind === 'dropped') { elapsedMs += resolverTimeoutMs; continue; }
      if (result.kind === 'refused') continue;
      answered = true;
      const ips = result.reply.records.filter((r) => r.type === 'A').map((r) => r.data);
      if (ips.length) return { kind: 'found', ips, elapsedMs };
      break;
    }
    // No server answered at all: the lookup fails (EAI_AGAIN) rather than trying more names.
    if (!answered) return { kind: 'unreachable', elapsedMs };
  }
  return { kind: 'missing', elapsedMs };
}
