import * as schema from '../../schema/core.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type KubeObject } from '../types.ts';

interface ServicePort { name?: string; port?: number; targetPort?: number | string; nodePort?: number; protocol?: string }
export type Service = KubeObject & {
  spec: { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[]; selector?: Record<string, string>; externalName?: string; externalIPs?: string[]; [k: string]: unknown };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
};

const serviceTypes = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** A ClusterIP from 10.96.0.0/16, avoiding the addresses kubeadm reserves (kubernetes .1, kube-dns .10). */
function allocateClusterIP(): string {
  let a = 0, b = 0;
  while ((a === 0 && b <= 10)) { a = randomInt(0, 255); b = randomInt(1, 254); }
  return `10.96.${a}.${b}`;
}

function serviceDefaults(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
}

function prepareServiceCreate(svc: Service): void {
  const spec = svc.spec;
  if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && !spec.clusterIP) spec.clusterIP = allocateClusterIP();
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') for (const p of spec.ports ?? []) p.nodePort ??= randomInt(30000, 32767);
  svc.status = { loadBalancer: {} };
}

function validateService(obj: Service): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.type && !serviceTypes.includes(spec.type)) errs.push({ field: 'spec.type', type: 'FieldValueNotSupported', value: spec.type, detail: `supported values: ${serviceTypes.map((t) => `"${t}"`).join(', ')}` });
  if (spec.type === 'ExternalName' && !spec.externalName) errs.push({ field: 'spec.externalName', type: 'FieldValueRequired' });
  if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && !spec.ports?.length) errs.push({ field: 'spec.ports', type: 'FieldValueRequired' });
  (spec.ports ?? []).forEach((p, i) => {
    if (p.port === undefined) errs.push({ field: `spec.ports[${i}].port`, type: 'FieldValueRequired' });
    else if (p.port < 1 || p.port > 65535) errs.push({ field: `spec.ports[${i}].port`, type: 'FieldValueInvalid', value: p.port, detail: 'must be between 1 and 65535, inclusive' });
    if ((spec.ports?.length ?? 0) > 1 && !p.name) errs.push({ field: `spec.ports[${i}].name`, type: 'FieldValueRequired' });
  });
  return errs;
}

export function portsCell(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}

function externalIPCell(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ExternalName': return spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    default: return external.length ? external.join(',') : '<none>';
  }
}

export const services = defineResource<Service>({
  group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true,
  shortNames: ['svc'], categories: ['all'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'proxy'], nameRule: 'dns1035-label', schema: schema.service,
  columns: [
    nameColumn,
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.' },
    { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service.' },
    { name: 'External-IP', type: 'string', description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.' },
    { name: 'Port(s)', type: 'string', description: 'The list of ports that are exposed by this service.' },
    ageColumn,
    { name: 'Selector', type: 'string', priority: 1, description: 'Route service traffic to pods with label keys and values matching this selector.' },
  ],
  row(svc, { now }) {
    const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    return [svc.metadata.name, svc.spec?.type, svc.spec?.clusterIP || '<none>', externalIPCell(svc), portsCell(svc), age(svc, now), selector || '<none>'];
  },
  strategy: { defaults: serviceDefaults, prepareForCreate: prepareServiceCreate, validate: validateService, allowUnconditionalUpdate: true },
});
