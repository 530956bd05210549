import { selectorMatches } from '../apimachinery/selectors.ts';
import { inCidr, namedPort, type Labels, type NetPod, type NetPolicy, type NetPolicyPeer, type NetPolicyPort } from './clusterState.ts';

/**
 * NetworkPolicy as a CNI that implements it (Calico) enforces it, for one connection: a pod
 * is isolated in a direction once a policy of its namespace selects it with that policy type;
 * an isolated pod's traffic passes only what some rule of those policies allows (peers by pod
 * selector, namespace selector, both, or ipBlock with its excepts; ports by number, range
 * (endPort) or container-port name; protocol). A connection needs the sender's egress and the
 * receiver's ingress. Policies are data; this is the one interpreter of them.
 */

/** One end of a connection: a pod (with its namespace's labels) or an address no pod has. */
export interface PolicyEndpoint { ip: string; pod?: NetPod; namespaceLabels?: Labels }
export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
/** `port` is the destination port after kube-proxy's DNAT (the container's port, not the Service's). */
export interface Connection { from: PolicyEndpoint; to: PolicyEndpoint; port: number; protocol: PolicyProtocol }

type Direction = 'Ingress' | 'Egress';

/** spec.policyTypes, or its default: Ingress, plus Egress when the policy has egress rules. */
export function policyTypes(policy: NetPolicy): string[] {
  if (policy.spec.policyTypes?.length) return policy.spec.policyTypes;
  return ['Ingress', ...(policy.spec.egress?.length ? ['Egress'] : [])];
}

/** The policies that isolate a pod in a direction. Host-networked pods are not policed. */
export function isolatingPolicies(policies: NetPolicy[], pod: NetPod, direction: Direction): NetPolicy[] {
  if (pod.spec.hostNetwork) return [];
  return policies.filter((p) => p.metadata.namespace === pod.metadata.namespace
    && selectorMatches(p.spec.podSelector ?? {}, pod.metadata.labels) && policyTypes(p).includes(direction));
}

function peerMatches(peer: NetPolicyPeer, policyNamespace: string | undefined, other: PolicyEndpoint): boolean {
  if (peer.ipBlock) return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (!other.pod) return false;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, other.namespaceLabels)) return false;
  } else if (other.pod.metadata.namespace !== policyNamespace) return false;
  return peer.podSelector ? selectorMatches(peer.podSelector, other.pod.metadata.labels) : true;
}

/** A rule's ports: none listed allows every port and protocol (ICMP too); a listed port is TCP unless it says. */
function portsMatch(ports: NetPolicyPort[] | undefined, connection: Connection): boolean {
  if (!ports?.length) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== connection.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return connection.port >= p.port && connection.port <= (p.endPort ?? p.port);
    // A named port is the destination pod's container port of that name.
    return !!connection.to.pod && namedPort(connection.to.pod, p.port, connection.protocol) === connection.port;
  });
}

function side(policies: NetPolicy[], pod: NetPod, direction: Direction, other: PolicyEndpoint, connection: Connection): boolean {
  const isolating = isolatingPolicies(policies, pod, direction);
  if (!isolating.length) return true;
  return isolating.some((policy) => {
    const rules = direction === 'Ingress'
      ? (policy.spec.ingress ?? []).map((r) => ({ ports: r.ports, peers: r.from }))
      : (policy.spec.egress ?? []).map((r) => ({ ports: r.ports, peers: r.to }));
    return rules.some((rule) => portsMatch(rule.ports, connection)
      && (!rule.peers?.length || rule.peers.some((peer) => peerMatches(peer, policy.metadata.namespace, other))));
  });
}

/** Whether the policies let this connection through: the sender's egress, then the receiver's ingress. */
export function policiesAllow(policies: NetPolicy[], connection: Connection): boolean {
  const { from, to } = connection;
  if (from.pod && !side(policies, from.pod, 'Egress', to, connection)) return false;
  if (to.pod && !side(policies, to.pod, 'Ingress', from, connection)) return false;
  return true;
}
