import { podSources } from '../registry/podSources.ts';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject } from '../registry/types.ts';
import { gatewayApiDefs } from '../registry/gatewayApi.ts';
import type { ClusterState, NetEndpointSlice, NetGateway, NetHTTPRoute, NetIngress, NetIngressClass, NetNamespace, NetNode, NetPod, NetPolicy, NetService } from '../runtime/clusterState.ts';
import type { ApiAnswer, ApiCall, LoadingNetworkView, ServedContainer } from '../runtime/network.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { allContainers, containerInput, containerStatuses, isRunning, type PodView } from './podContainers.ts';

/**
 * The cluster network as a pod's exec'd command sees it (runtime/network.ts), read from the
 * store when the command runs: Services, EndpointSlices, Pods, NetworkPolicies, Namespaces and
 * Nodes of every namespace, as kube-proxy, the CNI and CoreDNS would have them, and the Ingresses,
 * IngressClasses, Gateways and HTTPRoutes the data planes route by. The containers
 * a connection reaches (their files, for what their servers answer) are read only when asked for,
 * and so are the API server's answers (`callApi`: absent, it does not answer).
 */
export function networkLoader(registry: Registry, self: PodView, callApi?: (call: ApiCall) => Promise<ApiAnswer>): () => Promise<LoadingNetworkView> {
  return async () => {
    const state = await readState(registry);
    const served = new Map<string, ServedContainer[]>();
    const pending = new Map<string, NetPod>();
    // Each request is sent once per command, however many times the command is run again to read more.
    const answers = new Map<string, ApiAnswer>();
    const asked = new Map<string, ApiCall>();
    const key = (pod: NetPod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}/${pod.metadata.uid ?? ''}`;
    return {
      state,
      self: state.pods.find((p) => p.metadata.uid === self.metadata.uid) ?? (self as unknown as NetPod),
      now: () => registry.now().getTime(),
      containers(pod) {
        const found = served.get(key(pod));
        if (!found) pending.set(key(pod), pod);
        return found;
      },
      ...(callApi ? {
        apiServer(call: ApiCall) {
          const k = JSON.stringify(call);
          const answer = answers.get(k);
          if (!answer) asked.set(k, call);
          return answer;
        },
      } : {}),
      pending: () => pending.size > 0 || asked.size > 0,
      async loadPending() {
        for (const [k, pod] of [...pending]) {
          pending.delete(k);
          served.set(k, await podServers(registry, pod as unknown as PodView));
        }
        for (const [k, call] of [...asked]) {
          asked.delete(k);
          answers.set(k, await callApi!(call));
        }
      },
    };
  };
}

async function readState(registry: Registry): Promise<ClusterState> {
  const list = async (group: string, version: string, plural: string): Promise<KubeObject[]> => {
    const def = registry.catalog.find(group, version, plural);
    return def ? (await registry.list(def, undefined)).items : [];
  };
  // The Gateway API's kinds are CRDs: listed through the bundled declarations the gateway controller writes with.
  const gatewayList = async (plural: string): Promise<KubeObject[]> => {
    const def = (await gatewayApiDefs()).get(plural);
    return def ? (await registry.list(def, undefined)).items : [];
  };
  const [pods, services, endpointSlices, networkPolicies, namespaces, nodes, ingresses, ingressClasses, gateways, httpRoutes] = await Promise.all([
    list('', 'v1', 'pods'), list('', 'v1', 'services'), list('discovery.k8s.io', 'v1', 'endpointslices'),
    list('networking.k8s.io', 'v1', 'networkpolicies'), list('', 'v1', 'namespaces'), list('', 'v1', 'nodes'),
    list('networking.k8s.io', 'v1', 'ingresses'), list('networking.k8s.io', 'v1', 'ingressclasses'), gatewayList('gateways'), gatewayList('httproutes'),
  ]);
  return {
    pods: pods as unknown as NetPod[], services: services as unknown as NetService[], endpointSlices: endpointSlices as unknown as NetEndpointSlice[],
    networkPolicies: networkPolicies as unknown as NetPolicy[], namespaces: namespaces as unknown as NetNamespace[], nodes: nodes as unknown as NetNode[],
    ingresses: ingresses as unknown as NetIngress[], ingressClasses: ingressClasses as unknown as NetIngressClass[],
    gateways: gateways as unknown as NetGateway[], httpRoutes: httpRoutes as unknown as NetHTTPRoute[],
  };
}

/** A pod's running containers with their env and files as the kubelet made them and exec'd processes left them. */
export async function podServers(registry: Registry, pod: PodView): Promise<ServedContainer[]> {
  const running = allContainers(pod).filter((spec) => isRunning(pod, spec.name));
  const sources = running.length ? await podSources(registry, pod as unknown as VolumePod) : undefined;
  return running.map((spec) => {
    const startedAt = Date.parse(containerStatuses(pod).find((s) => s.name === spec.name)?.state?.running?.startedAt ?? '') || registry.now().getTime();
    return { input: containerInput(registry.cluster, pod, spec, sources, registry.now().getTime()).input, startedAt };
  });
}

/** The network a pod's own commands reach, for the kubelet (controlplane/kubelet.ts): no API server answers them. */
export const podNetwork = (registry: Registry, pod: KubeObject): (() => Promise<LoadingNetworkView>) => networkLoader(registry, pod as unknown as PodView);
