import { hash64 } from '../apimachinery/hash.ts';
import { quantityValue } from '../apimachinery/quantity.ts';
import { usage, type Usage, type UsageInput } from './usage.ts';

/**
 * Usage of running pods and nodes, as metrics-server would report it, on top of the
 * per-container model of usage.ts: a container runs only once its status says so, a
 * busy loop burns a core, and a load generator (`while true; do wget -q -O- http://web;
 * done`, the Kubernetes HPA walkthrough's) makes the pods behind the Service it calls
 * busy, its load shared among them. Pure functions of the objects: nothing is stored,
 * so an idle cluster still writes nothing, and the same objects always give the same figures.
 */

export type { Usage } from './usage.ts';

/** The fields of a pod (core/v1) the model reads. */
export interface UsagePod {
  metadata: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string; containers?: UsageContainer[] };
  status?: { phase?: string; containerStatuses?: Array<{ name: string; state?: { running?: { startedAt?: string } } }> };
}
export interface UsageContainer extends Omit<UsageInput, 'image'> { image?: string; name?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }
/** The fields of a Service the model reads. */
export interface UsageService { metadata: { name?: string; namespace?: string }; spec?: { selector?: Record<string, string> | null; clusterIP?: string } }

/** CPU one load generator's requests cost the pods that answer them (shared among them): 500m, as php-apache in the walkthrough. */
export const loadPerGeneratorMillis = 500;
/** What a request loop costs its own container (wget or curl started again and again). */
const generatorOwnMillis = 10;
/** One core: what a loop without pauses, `yes` or `md5sum /dev/zero` burns. */
const busyMillis = 1000;

const Mi = 1024 * 1024;

/** A deterministic factor in [1 - spread, 1 + spread] for a container, so figures differ a little, as they do. */
const jitter = (key: string, spread: number) => 1 - spread + (2 * spread * (Number.parseInt(hash64(key).slice(0, 6), 16) / 0xffffff));

const scriptOf = (c: Pick<UsageInput, 'command' | 'args'>) => [...(c.command ?? []), ...(c.args ?? [])].join(' ');
const loops = (script: string) => /\b(while|until|for)\b[\s\S]*\bdo\b/.test(script);
const requestTools = /\b(wget|curl)\b/;

/** A command that keeps a core busy: a loop with no pause and no request in it, or a known CPU burner. */
function burnsCpu(script: string): boolean {
  if (/(^|[\s;&|(])(yes|md5sum \/dev\/(zero|urandom)|sha\d*sum \/dev\/(zero|urandom)|cat \/dev\/urandom)\b/.test(script) || /\bdd\b[^;]*if=\/dev\/(zero|urandom)/.test(script)) return true;
  return loops(script) && !/\bsleep\b/.test(script) && !requestTools.test(script);
}

/** The host a request loop calls (`wget -q -O- http://web`, `curl -s web.default.svc:8080/`), if the command is one. */
export function loadTarget(container: Pick<UsageInput, 'command' | 'args'>): string | undefined {
  const script = scriptOf(container);
  if (!loops(script)) return undefined;
  const call = /\b(?:wget|curl)\b([^;|&]*)/.exec(script);
  if (!call) return undefined;
  const words = call[1].trim().split(/\s+/).filter(Boolean);
  const url = words.find((w) => /^https?:\/\//.test(w)) ?? words.find((w, i) => !w.startsWith('-') && !/^-[oO]$/.test(words[i - 1] ?? '') && w !== 'done');
  if (!url) return undefined;
  const host = url.replace(/^https?:\/\//, '').split(/[/:?]/)[0].replace(/^['"]|['"]$/g, '');
  return host || undefined;
}

/** A host name a pod in `namespace` would resolve to this service (cluster DNS search path), or its ClusterIP. */
function names(service: UsageService, namespace: string | undefined, host: string): boolean {
  const { name, namespace: ns } = service.metadata;
  if (host === service.spec?.clusterIP) return true;
  const full = [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
  return (host === name && ns === namespace) || full.includes(host);
}

const running = (pod: UsagePod, name: string | undefined, now: Date) => {
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return undefined;
  const startedAt = pod.status.containerStatuses?.find((s) => s.name === name)?.state?.running?.startedAt;
  return startedAt !== undefined && Date.parse(startedAt) <= now.getTime() ? startedAt : undefined;
};

const selects = (service: UsageService, pod: UsagePod) => {
  const selector = service.spec?.selector;
  return !!selector && Object.keys(selector).length > 0 && service.metadata.namespace === pod.metadata.namespace
    && Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
};

/**
 * Extra CPU (millicores) each pod (by uid) serves for load generators: each running
 * generator calling a Service adds `loadPerGeneratorMillis`, shared evenly among the
 * running pods the Service selects. More replicas, less each: what the HPA acts on.
 */
export function serviceLoad(pods: UsagePod[], services: UsageService[], now: Date): Map<string, number> {
  const load = new Map<string, number>();
  for (const generator of pods) {
    for (const c of generator.spec?.containers ?? []) {
      const host = loadTarget(c);
      if (!host || !running(generator, c.name, now)) continue;
      const service = services.find((s) => names(s, generator.metadata.namespace, host));
      if (!service) continue;
      const backends = pods.filter((p) => selects(service, p) && (p.spec?.containers ?? []).some((bc) => running(p, bc.name, now)));
      for (const p of backends) load.set(p.metadata.uid ?? '', (load.get(p.metadata.uid ?? '') ?? 0) + loadPerGeneratorMillis / backends.length);
    }
  }
  return load;
}

/**
 * One container's usage, or undefined if it is not running (metrics-server has no
 * figures for it). `servedMillis` is the pod's share of load generators' requests
 * (serviceLoad), borne by its first container. CPU is throttled at the container's limit.
 */
export function containerUsage(pod: UsagePod, container: UsageContainer, now: Date, servedMillis = 0): Usage | undefined {
  if (!running(pod, container.name, now)) return undefined;
  const script = scriptOf(container);
  const key = `${pod.metadata.uid ?? pod.metadata.name}/${container.name}`;
  const base = usage({ ...container, image: container.image ?? '' });
  let cpu = base.cpuMillis * jitter(`cpu:${key}`, 0.25);
  if (burnsCpu(script)) cpu = Math.max(cpu, busyMillis);
  if (loadTarget(container)) cpu += generatorOwnMillis;
  // Serving includes what the server does idle: the busier of the two, not their sum (four pods sharing 500m use 125m each).
  if ((pod.spec?.containers ?? [])[0] === container) cpu = Math.max(cpu, servedMillis);
  const limit = quantityValue(container.resources?.limits?.cpu) * 1000;
  return { cpuMillis: Number.isFinite(limit) ? Math.min(cpu, limit) : cpu, memoryBytes: Math.round(base.memoryBytes * jitter(`mem:${key}`, 0.1)) };
}

/** What a node uses beyond its pods (the OS, kubelet, containerd), as `kubectl top node` counts it. */
export function nodeSystemUsage(nodeName: string): Usage {
  return { cpuMillis: Math.round(30 * jitter(`node-cpu:${nodeName}`, 0.2)), memoryBytes: Math.round(420 * Mi * jitter(`node-mem:${nodeName}`, 0.1)) };
}

/** Each running container's figures (metrics-server's PodMetrics): none when no container runs. */
export function podUsage(pod: UsagePod, now: Date, load: Map<string, number>): Array<{ name: string; usage: Usage }> {
  const served = load.get(pod.metadata.uid ?? '') ?? 0;
  return (pod.spec?.containers ?? []).flatMap((c) => {
    const usage = containerUsage(pod, c, now, served);
    return usage ? [{ name: c.name ?? '', usage }] : [];
  });
}
