import type { Registry } from './generic.ts';
import type { KubeObject } from './types.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { referencedSources } from '../runtime/container.ts';
import { decodeSecret, type KeyValues, type PodSources } from '../runtime/podenv.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import type { NodeView } from '../runtime/nodeFiles.ts';
import { criContainers } from '../runtime/criContainers.ts';
import { readNodeFiles } from './nodeFilesystem.ts';

export const usesHostPath = (pod: VolumePod) => (pod.spec.volumes ?? []).some((v) => v.hostPath !== undefined);

/** The node as a pod's hostPath volumes see it: its files and units, and the containers it runs (crictl's). */
async function nodeView(registry: Registry, name: string): Promise<NodeView | undefined> {
  const pods = (await registry.list(registry.catalog.find('', 'v1', 'pods')!, undefined)).items as unknown as Parameters<typeof criContainers>[0];
  const nodes = (await registry.list(registry.catalog.find('', 'v1', 'nodes')!, undefined)).items;
  const views = new Map<string, NodeView>();
  for (const node of nodes) {
    const read = await readNodeFiles(registry, node.metadata.name!);
    if (read) views.set(node.metadata.name!, { ...read, containers: criContainers(pods, node.metadata.name!, registry.now().getTime()) });
  }
  const own = views.get(name);
  return own && { ...own, peers: () => Object.fromEntries([...views].filter(([n]) => n !== name)) };
}

/**
 * What a pod's containers read from the API, fetched for one pod (pods/log renders
 * output from the same env and files the kubelet started the container with).
 * The kubelet's pass has these listed already and builds the same view from its lists.
 */
export async function podSources(registry: Registry, pod: VolumePod): Promise<PodSources> {
  const find = (plural: string) => registry.catalog.find('', 'v1', plural)!;
  const namespace = pod.metadata.namespace ?? 'default';
  const getOrNone = async (plural: string, ns: string | undefined, name: string) => {
    try {
      return await registry.get(find(plural), ns, name) as KubeObject & { data?: Record<string, string>; status?: { allocatable?: Record<string, unknown> } };
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  };
  const refs = referencedSources(pod);
  const configMaps = new Map<string, KeyValues>(), secrets = new Map<string, KeyValues>();
  for (const name of refs.configMaps) { const o = await getOrNone('configmaps', namespace, name); if (o) configMaps.set(name, { ...o.data }); }
  for (const name of refs.secrets) { const o = await getOrNone('secrets', namespace, name); if (o) secrets.set(name, decodeSecret(o.data)); }
  const services = (await registry.list(find('services'), namespace)).items;
  const master = namespace === 'default' ? undefined : await getOrNone('services', 'default', 'kubernetes');
  const node = pod.spec.nodeName ? await getOrNone('nodes', undefined, pod.spec.nodeName) : undefined;
  const claims: Record<string, string> = {};
  for (const v of pod.spec.volumes ?? []) {
    const name = v.persistentVolumeClaim?.claimName;
    if (name && !(name in claims)) { const claim = await getOrNone('persistentvolumeclaims', namespace, name); if (claim?.metadata.uid) claims[name] = claim.metadata.uid; }
  }
  return {
    claims,
    configMap: (name) => configMaps.get(name), secret: (name) => secrets.get(name),
    services: [...services, ...(master ? [master] : [])], nodeAllocatable: node?.status?.allocatable,
    ...(node && usesHostPath(pod) ? { node: await nodeView(registry, node.metadata.name!) } : {}),
  };
}
