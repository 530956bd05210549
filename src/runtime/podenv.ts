import type { NodeView } from './nodeFiles.ts';
import { quantityValue } from '../apimachinery/quantity.ts';
import { base64ToUtf8 } from '../apimachinery/utf8.ts';

/**
 * A container's environment as the kubelet builds it (kubelet_pods.go
 * makeEnvironmentVariables): envFrom first, then env with $(VAR) expansion
 * (valueFrom: configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef), then the
 * Kubernetes service variables that nothing else set. Pure: the ConfigMaps,
 * Secrets and Services it reads come in as `PodSources`. The kubelet's own error
 * messages are kept, since they end up in CreateContainerConfigError.
 */

export interface EnvVar { name: string; value: string }
interface KeyRef { name?: string; key: string; optional?: boolean }
export interface EnvSpec {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string }; resourceFieldRef?: ResourceFieldRef;
  };
}
export interface ResourceFieldRef { containerName?: string; resource: string; divisor?: string | number }
export interface EnvFromSpec { prefix?: string; configMapRef?: { name?: string; optional?: boolean }; secretRef?: { name?: string; optional?: boolean } }
export interface Resources { limits?: Record<string, unknown>; requests?: Record<string, unknown> }
export interface EnvContainer { name: string; env?: EnvSpec[]; envFrom?: EnvFromSpec[]; command?: string[]; args?: string[]; resources?: Resources }
export interface PodView {
  metadata: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { nodeName?: string; serviceAccountName?: string; enableServiceLinks?: boolean; containers?: EnvContainer[]; initContainers?: EnvContainer[] };
  status?: { podIP?: string; hostIP?: string; podIPs?: Array<{ ip: string }>; hostIPs?: Array<{ ip: string }> };
}
export interface ServiceView {
  metadata: { name?: string; namespace?: string };
  spec?: { clusterIP?: string; ports?: Array<{ name?: string; port: number; protocol?: string }> };
}
/** A ConfigMap's data, or a Secret's with its base64 values decoded. */
export type KeyValues = Record<string, string>;

/** What a pod's containers read from the API: one namespace's ConfigMaps, Secrets and Services, and the node's allocatable. */
export interface PodSources {
  configMap(name: string): KeyValues | undefined;
  secret(name: string): KeyValues | undefined;
  /** The Services of the pod's namespace and `kubernetes` of `default`. */
  services: ServiceView[];
  nodeAllocatable?: Record<string, unknown>;
  /** The pod's node as its hostPath volumes see it (nodeFiles.ts); absent where nobody read it. */
  node?: NodeView;
  /** The pod's service-account token, signed (where an exec'd process may use it against the API server). */
  serviceAccountToken?: string;
  /** The uid of each PersistentVolumeClaim the pod mounts, by claim name (the claim's contents outlive the pod). */
  claims?: Record<string, string>;
}

export class ConfigError extends Error {}

/** The kubelet's configmap and secret managers answer with these NotFound errors. */
export const notFound = (kind: 'configmap' | 'secret', name: string) => new ConfigError(`${kind} "${name}" not found`);

/** expansion.Expand: $(VAR) from the mapping, $$ for a literal $, anything else as written. */
export function expand(text: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$' || i + 1 >= text.length) { out += text[i]; continue; }
    const next = text[i + 1];
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close > i + 2) {
        const name = text.slice(i + 2, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        i = close;
        continue;
      }
    }
    out += '$';
  }
  return out;
}

/** kubelet's podFieldSelectorRuntimeValue (and the downward API's field paths). */
export function fieldValue(pod: PodView, path: string): string {
  const label = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (label) return (label[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[label[2]] ?? '';
  const pairs = (m: Record<string, string> | undefined) => Object.keys(m ?? {}).sort().map((k) => `${k}="${m![k]}"`).join('\n');
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return pairs(pod.metadata.labels);
    case 'metadata.annotations': return pairs(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(',');
    default: throw new ConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** resource.ExtractContainerResourceValue, limits defaulting to the node's allocatable as the kubelet does. */
export function resourceValue(pod: PodView, container: EnvContainer, ref: ResourceFieldRef, allocatable: Record<string, unknown> = {}): string {
  const target = ref.containerName ? [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new ConfigError(`container ${ref.containerName} not found`);
  const [kind, resource] = ref.resource.includes('.') ? ref.resource.split('.', 2) as ['limits' | 'requests', string] : ['limits', ref.resource] as const;
  const set = kind === 'requests' ? target.resources?.requests : target.resources?.limits;
  let value = quantityValue(set?.[resource]);
  if (!Number.isFinite(value)) value = kind === 'requests' && resource !== 'cpu' ? 0 : quantityValue(allocatable[resource]);
  if (!Number.isFinite(value)) value = 0;
  const divisor = quantityValue(ref.divisor ?? (resource === 'cpu' ? '1' : '1')) || 1;
  // CPU is rounded up in millicores (so 250m with divisor 1 is 1); others up in whole units.
  return String(resource === 'cpu' ? Math.ceil(Math.round(value * 1000) / Math.round(divisor * 1000)) : Math.ceil(value / divisor));
}

/** Docker-links style variables of one Service (envvars.FromServices). */
function serviceVars(svc: ServiceView): EnvVar[] {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || !ports.length) return [];
  const name = (svc.metadata.name ?? '').toUpperCase().replace(/-/g, '_');
  const out: EnvVar[] = [{ name: `${name}_SERVICE_HOST`, value: ip }, { name: `${name}_SERVICE_PORT`, value: String(ports[0].port) }];
  for (const p of ports) if (p.name) out.push({ name: `${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, value: String(p.port) });
  const url = (p: { port: number; protocol?: string }) => `${(p.protocol ?? 'TCP').toLowerCase()}://${ip}:${p.port}`;
  out.push({ name: `${name}_PORT`, value: url(ports[0]) });
  for (const p of ports) {
    const prefix = `${name}_PORT_${p.port}_${(p.protocol ?? 'TCP').toUpperCase()}`;
    out.push({ name: prefix, value: url(p) }, { name: `${prefix}_PROTO`, value: (p.protocol ?? 'TCP').toLowerCase() }, { name: `${prefix}_PORT`, value: String(p.port) }, { name: `${prefix}_ADDR`, value: ip });
  }
  return out;
}

/** The service variables a pod sees: its namespace's Services when service links are on, and always the API server's. */
function serviceEnv(pod: PodView, services: ServiceView[]): EnvVar[] {
  const links = pod.spec.enableServiceLinks !== false;
  const master = (s: ServiceView) => s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes';
  const seen = services.filter((s) => master(s) || (links && s.metadata.namespace === pod.metadata.namespace));
  return seen.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')).flatMap(serviceVars);
}

/** The container's environment, in the order it is set; throws ConfigError with the kubelet's message. */
export function containerEnv(pod: PodView, container: EnvContainer, sources: PodSources): EnvVar[] {
  const env = new Map<string, string>();
  const namespace = pod.metadata.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data = kind === 'configmap' ? sources.configMap(ref.name ?? '') : sources.secret(ref.name ?? '');
    if (!data) { if (ref.optional) continue; throw notFound(kind, ref.name ?? ''); }
    for (const [k, v] of Object.entries(data)) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  const services = serviceEnv(pod, sources.services);
  const serviceMap = new Map(services.map((v) => [v.name, v.value]));
  const lookup = (name: string) => env.get(name) ?? serviceMap.get(name);
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) { env.set(e.name, expand(e.value ?? '', lookup)); continue; }
    if (from.fieldRef) env.set(e.name, fieldValue(pod, from.fieldRef.fieldPath));
    else if (from.resourceFieldRef) env.set(e.name, resourceValue(pod, container, from.resourceFieldRef, sources.nodeAllocatable));
    else {
      const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
      const kind = from.configMapKeyRef ? 'configmap' : 'secret';
      const data = kind === 'configmap' ? sources.configMap(ref.name ?? '') : sources.secret(ref.name ?? '');
      if (!data) { if (ref.optional) continue; throw notFound(kind, ref.name ?? ''); }
      if (!Object.hasOwn(data, ref.key)) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`);
      }
      env.set(e.name, data[ref.key]);
    }
  }
  for (const v of services) if (!env.has(v.name)) env.set(v.name, v.value);
  return [...env].map(([name, value]) => ({ name, value }));
}

/** Command and args with $(VAR) expanded from the environment (ExpandContainerCommandAndArgs). */
export function expandCommand(container: EnvContainer, env: EnvVar[]): { command?: string[]; args?: string[] } {
  const map = new Map(env.map((v) => [v.name, v.value]));
  const one = (list?: string[]) => list?.map((a) => expand(a, (n) => map.get(n)));
  return { command: one(container.command), args: one(container.args) };
}

/** base64 Secret values as the container sees them. */
export const decodeSecret = (data: Record<string, string> | undefined): KeyValues =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => {
    try { return [k, base64ToUtf8(v)]; } catch { return [k, '']; }
  }));
