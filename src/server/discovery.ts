import type { Catalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';

/** Discovery documents, plain and aggregated (apidiscovery.k8s.io/v2), from the declarations. */

interface SubresourceInfo { verbs: string[]; kind: string; group?: string; version?: string }
const subresourceInfo: Record<NonNullable<ResourceDef['subresources']>[number], (def: ResourceDef) => SubresourceInfo> = {
  status: (def) => ({ verbs: ['get', 'patch', 'update'], kind: def.kind }),
  approval: (def) => ({ verbs: ['get', 'patch', 'update'], kind: def.kind }),
  binding: () => ({ verbs: ['create'], kind: 'Binding' }),
  log: () => ({ verbs: ['get'], kind: 'Pod' }),
  eviction: () => ({ verbs: ['create'], kind: 'Eviction', group: 'policy', version: 'v1' }),
  scale: () => ({ verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' }),
  exec: () => ({ verbs: ['create', 'get'], kind: 'PodExecOptions' }),
  attach: () => ({ verbs: ['create', 'get'], kind: 'PodAttachOptions' }),
  portforward: () => ({ verbs: ['create', 'get'], kind: 'PodPortForwardOptions' }),
  token: () => ({ verbs: ['create'], kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' }),
  proxy: (def) => ({ verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: `${def.kind}ProxyOptions` }),
};

export const aggregatedMediaType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | null): boolean {
  return (accept ?? '').split(',').some((r) => r.includes('as=APIGroupDiscoveryList') && r.includes('v=v2') && !r.includes('v=v2beta1'));
}

export function apiResourceList(group: string, version: string, defs: ResourceDef[]) {
  const resources = defs.flatMap((def) => [
    {
      name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs,
      ...(def.shortNames ? { shortNames: def.shortNames } : {}), ...(def.categories ? { categories: def.categories } : {}),
    },
    ...(def.subresources ?? []).map((sub) => {
      const info = subresourceInfo[sub](def);
      return { name: `${def.plural}/${sub}`, singularName: '', namespaced: def.namespaced, ...(info.group ? { group: info.group, version: info.version } : {}), kind: info.kind, verbs: info.verbs };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupVersionsOf(catalog: Catalog) {
  const groups = new Map<string, string[]>();
  for (const gv of catalog.groupVersions) if (gv.group) groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  return groups;
}

export function apiGroup(name: string, versions: string[]) {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(catalog: Catalog) {
  const groups = [...groupVersionsOf(catalog)].map(([name, versions]) => {
    const { kind: _k, apiVersion: _a, ...group } = apiGroup(name, versions);
    return group;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function discoveryResource(def: ResourceDef) {
  return {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs,
    ...(def.shortNames ? { shortNames: def.shortNames } : {}),
    ...(def.categories ? { categories: def.categories } : {}),
    ...(def.subresources?.length ? {
      subresources: def.subresources.map((sub) => {
        const info = subresourceInfo[sub](def);
        return { subresource: sub, responseKind: { group: info.group ?? def.group, version: info.version ?? def.version, kind: info.kind }, verbs: info.verbs };
      }),
    } : {}),
  };
}

/** `/api` (legacy: true) or `/apis` as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(catalog: Catalog, legacy: boolean) {
  const byGroup = new Map<string, Array<{ version: string; resources: ResourceDef[] }>>();
  for (const gv of catalog.groupVersions) {
    if ((gv.group === '') !== legacy) continue;
    byGroup.set(gv.group, [...(byGroup.get(gv.group) ?? []), gv]);
  }
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: [...byGroup].map(([group, versions]) => ({
      metadata: legacy ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: versions.map((gv) => ({ version: gv.version, resources: gv.resources.map(discoveryResource), freshness: 'Current' })),
    })),
  };
}
