import * as schema from '../../schema/networking.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * networking.k8s.io/v1 ServiceCIDR and IPAddress: the ranges Service ClusterIPs are taken from
 * and, on a real cluster, an object for each address taken. Here they are stored and printed
 * (a new cluster has kube-apiserver's default ServiceCIDR `kubernetes`); ClusterIPs are not
 * allocated through them. Columns as kube-apiserver's printers.go.
 */
type ServiceCIDR = KubeObject & { spec?: { cidrs?: string[] }; status?: { conditions?: unknown[] } };
type IPAddress = KubeObject & { spec?: { parentRef?: { group?: string; resource?: string; namespace?: string; name?: string } } };

const networking = { group: 'networking.k8s.io', version: 'v1', verbs: allVerbs, namespaced: false } as const;

export const servicecidrs = defineResource<ServiceCIDR>({
  ...networking, kind: 'ServiceCIDR', plural: 'servicecidrs', singular: 'servicecidr', schema: schema.serviceCIDR, subresources: ['status'],
  columns: [
    nameColumn,
    { name: 'CIDRs', type: 'string', description: 'CIDRs defines the IP blocks in CIDR notation (e.g. "192.168.0.0/24" or "2001:db8::/64") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable.' },
    ageColumn,
  ],
  row: (cidr, { now }) => [cidr.metadata.name, (cidr.spec?.cidrs ?? []).join(','), age(cidr, now)],
});

/** printIPAddress: the parent as `resource[.group][/namespace]/name`, lower-cased; `<none>` without one. */
function parentRefName(ip: IPAddress): string {
  const ref = ip.spec?.parentRef;
  if (!ref) return '<none>';
  const resource = (ref.group ? `${ref.resource ?? ''}.${ref.group}` : ref.resource ?? '').toLowerCase();
  return [resource, ref.namespace, ref.name].filter((part) => part).join('/');
}

export const ipaddresses = defineResource<IPAddress>({
  ...networking, kind: 'IPAddress', plural: 'ipaddresses', singular: 'ipaddress', shortNames: ['ip'], schema: schema.ipAddress,
  columns: [
    nameColumn,
    { name: 'ParentRef', type: 'string', description: 'ParentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object.' },
  ],
  row: (ip) => [ip.metadata.name, parentRefName(ip)],
});
