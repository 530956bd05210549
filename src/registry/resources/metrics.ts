import { notFound as notFoundError } from '../../apimachinery/errors.ts';
import { formatQuantity, quantityValue } from '../../apimachinery/quantity.ts';
import { timestamp } from '../../apimachinery/time.ts';
import { nodeSystemUsage, podUsage, serviceLoad, type Usage, type UsagePod, type UsageService } from '../../runtime/podUsage.ts';
import * as schema from '../../schema/metrics.ts';
import { defineResource, type ClusterObjects, type Column, type HookContext, type KubeObject } from '../types.ts';

/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, as metrics-server serves them behind its
 * APIService (`kubectl top` reads them; so does the HPA controller). Computed on every read from
 * the pods, nodes and services (src/runtime/podUsage.ts): nothing is stored, so figures cost no
 * write. Figures are those of the last 15-second scrape, as metrics-server's resolution.
 */
type Resources = { cpu: string; memory: string };
export type NodeMetrics = KubeObject & { timestamp: string; window: string; usage: Resources };
export type PodMetrics = KubeObject & { timestamp: string; window: string; containers: Array<{ name: string; usage: Resources }> };

const group = 'metrics.k8s.io', version = 'v1beta1';
const scrapeMs = 15_000;

/** Quantity.String() of nanocores, as metrics-server's resource.NewScaledQuantity(n, Nano) prints them. */
export function nanoCores(millis: number): string {
  const n = Math.round(millis * 1e6);
  if (n === 0) return '0';
  for (const [scale, suffix] of [[1e9, ''], [1e6, 'm'], [1e3, 'u']] as const) if (n % scale === 0) return `${n / scale}${suffix}`;
  return `${n}n`;
}

/** Memory in whole KiB, written as Quantity.String() writes a BinarySI amount. */
const memory = (bytes: number) => formatQuantity(Math.round(bytes / 1024) * 1024 * 1000, 'BinarySI');
const resources = (u: Usage): Resources => ({ cpu: nanoCores(u.cpuMillis), memory: memory(u.memoryBytes) });

/** The moment of the last scrape, and when the figures were read. */
const scrape = (now: Date) => timestamp(new Date(Math.floor(now.getTime() / scrapeMs) * scrapeMs));

interface Node extends KubeObject { status?: { conditions?: Array<{ type: string; status: string }> } }
interface Observed { pods: Array<UsagePod & KubeObject>; nodes: Node[]; load: Map<string, number> }

async function observe(objects: ClusterObjects, ctx: HookContext, withNodes: boolean): Promise<Observed> {
  const core = (plural: string) => objects.catalog.find('', 'v1', plural)!;
  const pods = (await objects.list(core('pods'), undefined)).items as Array<UsagePod & KubeObject>;
  const services = (await objects.list(core('services'), undefined)).items as Array<UsageService & KubeObject>;
  const nodes = withNodes ? (await objects.list(core('nodes'), undefined)).items : [];
  return { pods, nodes, load: serviceLoad(pods, services, ctx.now) };
}

const columns = (): Column[] => [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource' },
  { name: 'cpu', type: 'string', format: 'quantity', description: '' },
  { name: 'memory', type: 'string', format: 'quantity', description: '' },
  { name: 'Window', type: 'string', format: 'duration', description: '' },
];

/** metrics-server names the resources nodemetrics and podmetrics in its NotFound answers; a pod's name with its namespace. */
const notFound = (resource: string, name: string) => notFoundError({ group, resource }, name);

export const nodemetrics = defineResource<NodeMetrics>({
  group, version, kind: 'NodeMetrics', listKind: 'NodeMetricsList', plural: 'nodes', singular: 'node', namespaced: false,
  verbs: ['get', 'list'], schema: schema.nodeMetrics,
  columns: columns(),
  row: (m) => [m.metadata.name, m.usage.cpu, m.usage.memory, m.window],
  computed: {
    async list(objects, _namespace, ctx) {
      const observed = await observe(objects, ctx, true);
      const at = scrape(ctx.now);
      return observed.nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((node) => {
        const total = nodeSystemUsage(node.metadata.name!);
        for (const pod of observed.pods) {
          if (pod.spec?.nodeName !== node.metadata.name) continue;
          for (const c of podUsage(pod, ctx.now, observed.load)) { total.cpuMillis += c.usage.cpuMillis; total.memoryBytes += c.usage.memoryBytes; }
        }
        return {
          kind: 'NodeMetrics', apiVersion: `${group}/${version}`,
          metadata: { name: node.metadata.name, creationTimestamp: timestamp(ctx.now), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
          timestamp: at, window: '20s', usage: resources(total),
        };
      });
    },
    notFound: (_namespace, name) => notFound('nodemetrics', name),
  },
});

export const podmetrics = defineResource<PodMetrics>({
  group, version, kind: 'PodMetrics', listKind: 'PodMetricsList', plural: 'pods', singular: 'pod', namespaced: true,
  verbs: ['get', 'list'], schema: schema.podMetrics,
  columns: columns(),
  row(m) {
    const sum = (of: (c: Resources) => string) => m.containers.reduce((total, c) => total + quantityValue(of(c.usage)), 0);
    return [m.metadata.name, nanoCores(sum((u) => u.cpu) * 1000), memory(sum((u) => u.memory)), m.window];
  },
  computed: {
    async list(objects, namespace, ctx) {
      const observed = await observe(objects, ctx, false);
      const at = scrape(ctx.now);
      return observed.pods.filter((p) => !namespace || p.metadata.namespace === namespace).flatMap((pod) => {
        const containers = podUsage(pod, ctx.now, observed.load);
        if (!containers.length) return [];
        return [{
          kind: 'PodMetrics', apiVersion: `${group}/${version}`,
          metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: timestamp(ctx.now), ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}) },
          timestamp: at, window: '15s', containers: containers.map((c) => ({ name: c.name, usage: resources(c.usage) })),
        }];
      });
    },
    notFound: (namespace, name) => notFound('podmetrics', `${namespace ?? ''}/${name}`),
  },
});
