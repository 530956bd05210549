import type * as v from 'valibot';
import { nameOf, shortName } from './base.ts';
import { unwrap } from './fields.ts';

/**
 * Where lists merge instead of being replaced: the `patchStrategy` / `patchMergeKey`
 * struct tags of k8s.io/api and k8s.io/apimachinery (v1.35), as data keyed `<Type>.<field>`
 * by the schema's OpenAPI short name. Strategic merge patch (src/server/strategicMerge.ts)
 * applies them; the OpenAPI documents publish them as x-kubernetes-patch-strategy /
 * x-kubernetes-patch-merge-key, from which kubectl computes the patches it sends.
 *
 * A field absent here is atomic: a list in a patch replaces the list, a map merges key
 * by key. Deliberately absent because they are atomic in k8s.io/api too:
 * PodSpec.tolerations, NodeSpec.taints, Container.envFrom, Container.resizePolicy,
 * PodSpec.readinessGates, ServiceAccount.imagePullSecrets.
 */
export interface PatchMeta {
  /** `merge`: lists merge (by mergeKey for objects, as a set for scalars); `replace`: the patch value wins whole. */
  strategy?: 'merge' | 'replace';
  /** Each element carries `$retainKeys`: keys not listed are cleared (a volume switching its source). */
  retainKeys?: boolean;
  mergeKey?: string;
  /**
   * Server-side apply's `x-kubernetes-list-map-keys` where they are more than the merge key
   * (ports are keyed by port and protocol there); otherwise the merge key alone.
   */
  listMapKeys?: string[];
}

const byKey = (mergeKey: string): PatchMeta => ({ strategy: 'merge', mergeKey });
const set: PatchMeta = { strategy: 'merge' };

export const patchMeta: Readonly<Record<string, PatchMeta>> = {
  'ObjectMeta.ownerReferences': byKey('uid'),
  'ObjectMeta.finalizers': set,

  'PodSpec.volumes': { ...byKey('name'), retainKeys: true },
  'PodSpec.initContainers': byKey('name'),
  'PodSpec.containers': byKey('name'),
  'PodSpec.ephemeralContainers': byKey('name'),
  'PodSpec.imagePullSecrets': byKey('name'),
  'PodSpec.hostAliases': byKey('ip'),
  'PodSpec.topologySpreadConstraints': { ...byKey('topologyKey'), listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
  'PodSpec.schedulingGates': byKey('name'),
  'PodSpec.resourceClaims': { ...byKey('name'), retainKeys: true },
  'Container.ports': { ...byKey('containerPort'), listMapKeys: ['containerPort', 'protocol'] },
  'Container.env': byKey('name'),
  'Container.volumeMounts': byKey('mountPath'),
  'Container.volumeDevices': byKey('devicePath'),
  'PodStatus.conditions': byKey('type'),
  'PodStatus.hostIPs': byKey('ip'),
  'PodStatus.podIPs': byKey('ip'),
  'PodStatus.resourceClaimStatuses': { ...byKey('name'), retainKeys: true },
  'ContainerStatus.volumeMounts': byKey('mountPath'),
  'ContainerStatus.allocatedResourcesStatus': byKey('name'),

  'NodeSpec.podCIDRs': set,
  'NodeStatus.conditions': byKey('type'),
  'NodeStatus.addresses': byKey('type'),
  'NamespaceStatus.conditions': byKey('type'),
  'ServiceSpec.ports': { ...byKey('port'), listMapKeys: ['port', 'protocol'] },
  'ServiceStatus.conditions': byKey('type'),
  'ServiceAccount.secrets': byKey('name'),
  'PersistentVolumeClaimStatus.conditions': byKey('type'),
  'ReplicationControllerStatus.conditions': byKey('type'),
  'ComponentStatus.conditions': byKey('type'),

  // apps/v1, batch/v1, policy/v1, autoscaling/v2, networking/v1
  'DeploymentSpec.strategy': { retainKeys: true },
  'DeploymentStatus.conditions': byKey('type'),
  'ReplicaSetStatus.conditions': byKey('type'),
  'StatefulSetStatus.conditions': byKey('type'),
  'DaemonSetStatus.conditions': byKey('type'),
  'JobStatus.conditions': byKey('type'),
  'PodDisruptionBudgetSpec.selector': { strategy: 'replace' },
  'PodDisruptionBudgetStatus.conditions': byKey('type'),
  'HorizontalPodAutoscalerStatus.conditions': byKey('type'),
  'ServiceCIDRStatus.conditions': byKey('type'),
};

/** The patch metadata of `field` in the type named `typeName` (full or short OpenAPI name). */
export function patchMetaFor(typeName: string | undefined, field: string): PatchMeta | undefined {
  return typeName ? patchMeta[`${shortName(typeName)}.${field}`] : undefined;
}

/** `merge,retainKeys` as the OpenAPI extension spells it. */
export function patchStrategyText(meta: PatchMeta): string | undefined {
  const parts = [...(meta.strategy ? [meta.strategy] : []), ...(meta.retainKeys ? ['retainKeys'] : [])];
  return parts.length ? parts.join(',') : undefined;
}

type Node = v.GenericSchema & { type: string; entries?: Record<string, Node>; item?: Node; value?: Node; wrapped?: Node };

/** A field of a struct (or a value of a map) with its schema and patch metadata; unknown fields have neither. */
export function fieldOf(parent: v.GenericSchema | undefined, key: string): { schema?: v.GenericSchema; meta?: PatchMeta } {
  if (!parent) return {};
  const node = unwrap(parent as Node);
  const child = node.entries ? node.entries[key] : node.type === 'record' ? node.value : undefined;
  return { schema: child ? unwrap(child) : undefined, meta: patchMetaFor(nameOf(node), key) };
}

/** The element schema of a list schema. */
export function itemOf(list: v.GenericSchema | undefined): v.GenericSchema | undefined {
  const node = list ? unwrap(list as Node) : undefined;
  return node?.type === 'array' && node.item ? unwrap(node.item) : undefined;
}
