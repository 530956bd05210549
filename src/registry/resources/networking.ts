import * as schema from '../../schema/networking.ts';
import { isDNS1123Subdomain, validateName } from '../../apimachinery/validation.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { invalidGo } from '../../apimachinery/goFormat.ts';
import { formatLabelSelector, validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** networking.k8s.io/v1: HTTP routing into the cluster and pod-level firewalls. */

interface Backend { service?: { name?: string; port?: { name?: string; number?: number } }; resource?: { kind?: string; name?: string } }
interface IngressRule { host?: string; http?: { paths?: Array<{ path?: string; pathType?: string; backend?: Backend }> } }
type Ingress = KubeObject & {
  spec?: { ingressClassName?: string; defaultBackend?: Backend; tls?: Array<{ hosts?: string[] }>; rules?: IngressRule[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
};
type IngressClass = KubeObject & { spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } } };
interface Peer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr?: string; except?: string[] } }
interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
type NetworkPolicy = KubeObject & {
  spec?: { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: Array<{ from?: Peer[]; ports?: PolicyPort[] }>; egress?: Array<{ to?: Peer[]; ports?: PolicyPort[] }> };
};

const supported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

/** validateIngressBackend: exactly one of a service (name and port) or a resource. */
function validateBackend(backend: Backend, path: string): FieldError[] {
  const invalid = (detail: string): FieldError[] => [{ field: path, type: 'FieldValueInvalid', value: '', detail }];
  if (backend.service && backend.resource) return invalid('cannot set both resource and service backends');
  if (backend.resource) return backend.resource.name ? [] : [{ field: `${path}.resource.name`, type: 'FieldValueRequired' }];
  if (!backend.service) return invalid('resource or service backend is required');
  const errs: FieldError[] = [];
  if (!backend.service.name) errs.push({ field: `${path}.service.name`, type: 'FieldValueRequired' });
  else errs.push(...validateName(backend.service.name, 'label', `${path}.service.name`));
  const port = backend.service.port ?? {};
  if (port.name && port.number) errs.push(...invalid('cannot set both port name & port number'));
  else if (port.number != null && port.number !== 0) {
    if (port.number < 1 || port.number > 65535) errs.push({ field: `${path}.service.port.number`, type: 'FieldValueInvalid', value: port.number, detail: 'must be between 1 and 65535, inclusive' });
  } else if (!port.name) errs.push({ field: `${path}.service.port`, type: 'FieldValueRequired', detail: 'port name or number is required' });
  return errs;
}

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateIngress(obj: Ingress): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.defaultBackend && !spec.rules?.length) errs.push(invalidGo('spec', 'networking.IngressSpec{...}', 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (spec.ingressClassName) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push({ field: 'spec.ingressClassName', type: 'FieldValueInvalid', value: spec.ingressClassName, detail: m });
  (spec.rules ?? []).forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    if (rule.host) {
      const host = rule.host.startsWith('*.') ? rule.host.slice(2) : rule.host;
      if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) errs.push({ field: `${at}.host`, type: 'FieldValueInvalid', value: rule.host, detail: 'must be a DNS name, not an IP address' });
      else for (const m of isDNS1123Subdomain(host)) errs.push({ field: `${at}.host`, type: 'FieldValueInvalid', value: rule.host, detail: m });
    }
    if (!rule.http) return;
    if (!rule.http.paths?.length) errs.push({ field: `${at}.http.paths`, type: 'FieldValueRequired' });
    (rule.http.paths ?? []).forEach((p, j) => {
      const pathAt = `${at}.http.paths[${j}]`;
      if (!p.pathType) errs.push({ field: `${pathAt}.pathType`, type: 'FieldValueRequired', detail: 'pathType must be specified' });
      else if (!pathTypes.includes(p.pathType)) errs.push(supported(`${pathAt}.pathType`, p.pathType, pathTypes));
      if ((p.pathType === 'Exact' || p.pathType === 'Prefix') && !(p.path ?? '').startsWith('/')) {
        errs.push({ field: `${pathAt}.path`, type: 'FieldValueInvalid', value: p.path ?? '', detail: 'must be an absolute path' });
      }
      errs.push(...validateBackend(p.backend ?? {}, `${pathAt}.backend`));
    });
  });
  return errs;
}

/** formatHosts: the first three hosts rules name, `*` when none does. */
function hostsCell(rules: IngressRule[] | undefined): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (!hosts.length) return '*';
  return more ? `${hosts.join(',')} + ${(rules?.length ?? 0) - 3} more...` : hosts.join(',');
}

/** Load-balancer addresses, shortened to 16 characters unless `-o wide` (ingressLoadBalancerStatusStringer). */
function addressCell(ingress: Ingress): string {
  const all = (ingress.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean).join(',');
  return all.length > 16 ? `${all.slice(0, 13)}...` : all;
}

export const ingresses = defineResource<Ingress>({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', namespaced: true,
  shortNames: ['ing'], verbs: allVerbs, subresources: ['status'], schema: schema.ingress,
  columns: [
    nameColumn,
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule' },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer' },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open' },
    ageColumn,
  ],
  row(ing, { now }) {
    return [ing.metadata.name, ing.spec?.ingressClassName ?? '<none>', hostsCell(ing.spec?.rules), addressCell(ing), ing.spec?.tls?.length ? '80, 443' : '80', age(ing, now)];
  },
  strategy: {
    tracksGeneration: true,
    prepareForCreate(obj) { obj.status = { loadBalancer: {} }; },
    validate: validateIngress,
    allowUnconditionalUpdate: true,
  },
});

export const ingressclasses = defineResource<IngressClass>({
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass', namespaced: false,
  verbs: allVerbs, schema: schema.ingressClass,
  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class' },
    { name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters' },
    ageColumn,
  ],
  row(obj, { now }) {
    const p = obj.spec?.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [obj.metadata.name, obj.spec?.controller ?? '', parameters, age(obj, now)];
  },
  strategy: {
    tracksGeneration: true,
    validate(obj) {
      const controller = obj.spec?.controller;
      if (!controller) return [{ field: 'spec.controller', type: 'FieldValueRequired' }];
      return controller.length > 250 ? [{ field: 'spec.controller', type: 'FieldValueTooLong', detail: 'may not be more than 250 bytes' }] : [];
    },
    validateUpdate(obj, old) {
      const now = obj.spec?.controller, before = old.spec?.controller;
      return now === before ? [] : [{ field: 'spec.controller', type: 'FieldValueInvalid', value: now ?? '', detail: 'field is immutable' }];
    },
    allowUnconditionalUpdate: true,
  },
});

const protocols = ['SCTP', 'TCP', 'UDP'];
const policyTypes = ['Egress', 'Ingress'];

function validatePeers(peers: Peer[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (peers ?? []).forEach((peer, i) => {
    const at = `${path}[${i}]`;
    const kinds = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p != null).length;
    if (!kinds) errs.push({ field: at, type: 'FieldValueRequired', detail: 'must specify a peer' });
    else if (peer.ipBlock && kinds > 1) errs.push({ field: at, type: 'FieldValueForbidden', detail: 'may not specify both ipBlock and another peer' });
    errs.push(...validateLabelSelector(peer.podSelector, `${at}.podSelector`), ...validateLabelSelector(peer.namespaceSelector, `${at}.namespaceSelector`));
    if (peer.ipBlock && !peer.ipBlock.cidr) errs.push({ field: `${at}.ipBlock.cidr`, type: 'FieldValueRequired' });
  });
  return errs;
}

function validatePorts(ports: PolicyPort[] | undefined, path: string): FieldError[] {
  return (ports ?? []).flatMap((p, i) => (p.protocol && !protocols.includes(p.protocol) ? [supported(`${path}[${i}].protocol`, p.protocol, protocols)] : []));
}

export const networkpolicies = defineResource<NetworkPolicy>({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy', namespaced: true,
  shortNames: ['netpol'], verbs: allVerbs, schema: schema.networkPolicy,
  columns: [nameColumn, { name: 'Pod-Selector', type: 'string', description: 'podSelector selects the pods to which this NetworkPolicy object applies.' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, formatLabelSelector(obj.spec?.podSelector ?? {}), age(obj, now)],
  strategy: {
    tracksGeneration: true,
    /** SetDefaults_NetworkPolicy: a policy is at least an ingress policy; ports are TCP unless said. */
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.podSelector ??= {};
      if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
    },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
      (spec.policyTypes ?? []).forEach((t, i) => { if (!policyTypes.includes(t)) errs.push(supported(`spec.policyTypes[${i}]`, t, policyTypes)); });
      (spec.ingress ?? []).forEach((r, i) => errs.push(...validatePorts(r.ports, `spec.ingress[${i}].ports`), ...validatePeers(r.from, `spec.ingress[${i}].from`)));
      (spec.egress ?? []).forEach((r, i) => errs.push(...validatePorts(r.ports, `spec.egress[${i}].ports`), ...validatePeers(r.to, `spec.egress[${i}].to`)));
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
