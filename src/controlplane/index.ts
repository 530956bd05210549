import type { ChangeEvent, Ports, QueueMessage } from '../ports.ts';
import { syncIngressStatuses, ingressStatusInputs } from './controllers/ingressStatus.ts';
import { clusterPrefix, ClusterGoneError, type KeyValue } from '../storage/store.ts';
import { pacedStore } from '../storage/paced.ts';
import { Catalog } from '../registry/catalog.ts';
import { Registry, type DecodedObjects } from '../registry/generic.ts';
import { backgroundPace, nextTurn } from '../apimachinery/nextTurn.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import type { KubeObject } from '../registry/types.ts';
import type { LoadingNetworkView } from '../runtime/network.ts';
import { noObjects, runControllers, type ClusterObjects } from './controllers/index.ts';
import { syncClusterRoleAggregation } from './controllers/clusterroleaggregation.ts';
import { releasesQuota, syncResourceQuotas } from './controllers/resourcequota.ts';
import { gatewayInputs, syncGateways } from './controllers/gateway.ts';
import { signApprovedRequests } from './controllers/signer.ts';
import { runKubelets, type ClusterSources, type ObjectLookup } from './kubelet.ts';
import { nodeStates } from './nodeStates.ts';
import { caFromConfigMap, readNodeStates } from '../registry/nodeFilesystem.ts';
import { syncStaticPods } from './staticPods.ts';
import { syncNodeLifecycle } from './nodeLifecycle.ts';
import { anyPending, nodesMoved, schedulePending, type SchedulingTrigger } from './scheduler.ts';
import { parseStoredObject } from '../registry/storedFields.ts';

/**
 * The one entry both runtimes call with queue messages (the Node entry's
 * in-process queue, the Cluster Durable Object's dispatch on Cloudflare).
 *
 * The control plane is level-triggered: a message only says "look at cluster X again".
 * A pass reads the cluster's nodes, pods and workloads (apps and batch), runs
 * the controllers, the scheduler over pending pods and the kubelets over bound
 * ones, and acts through the registry with compare-and-swap. Passes for one
 * cluster never overlap in a process: messages arriving during a pass are
 * folded into one more pass, so a burst of a thousand events costs a handful
 * of passes, not a thousand.
 */
export interface ControlPlaneContext {
  ports: Ports;
  catalog: Catalog;
  /** The cluster network as a pod's own commands reach it (the entry passes server/clusterNetwork.ts); without it they reach nothing. */
  podNetwork?: (registry: Registry, pod: Pod) => () => Promise<LoadingNetworkView>;
  /**
   * Each cluster's share of a loop the clusters share (the Node entry's, given with `onSharedLoop`,
   * which also paces the store through it): a pass steps through it between its phases, and is
   * charged up to its end. Without it, the phases only go on the loop's background pace.
   */
  loop?: LoopShare;
}

/** A share of a loop the clusters share, as the control plane steps through it (tenancy/controlPlaneShare.ts). */
export interface LoopShare {
  /** Before a step (a phase of a pass, a store operation): may wait for the cluster's share. */
  step(cluster: string): Promise<void>;
  /** A store operation answered: the cluster runs again. */
  resumed(cluster: string): void;
  /** The cluster's work for a message is done. */
  idle(cluster: string): void;
}

/** The control plane on a loop it shares: its store paced through the share, operation by operation (storage/paced.ts). */
export function onSharedLoop(ctx: ControlPlaneContext, loop: LoopShare): ControlPlaneContext {
  const step = (cluster: string) => loop.step(cluster);
  const ports = {
    ...ctx.ports,
    store: pacedStore(ctx.ports.store, { before: step, after: (cluster) => loop.resumed(cluster) }),
    // A long list's slices and a large write's steps are steps of the share too: the turns between them are other tasks'.
    turn: step,
  };
  return { ...ctx, ports, loop };
}

interface ClusterWork {
  running: Promise<void> | null;
  pending: SchedulingTrigger | null;
  /** Due time of the wake-up this process last queued for the cluster. */
  wakeAt?: number;
  /** Decoded objects by key, reused while their revision is unchanged (the control plane never mutates them): this pass's, */
  objects: Map<string, { revision: number; obj: KubeObject }>;
  /** and the last pass's, which this one reads from. */
  previous: Map<string, { revision: number; obj: KubeObject }>;
  /** What this pass read at its start, by key prefix (a store with listMany), each taken by its first read. */
  prefetched?: Map<string, KeyValue[]>;
  passes: number;
}

/** Per store (one per process or Durable Object), per cluster. */
const work = new WeakMap<object, Map<string, ClusterWork>>();

function workFor(ctx: ControlPlaneContext, cluster: string): ClusterWork {
  let clusters = work.get(ctx.ports.store);
  if (!clusters) work.set(ctx.ports.store, (clusters = new Map()));
  let state = clusters.get(cluster);
  if (!state) clusters.set(cluster, (state = { running: null, pending: null, objects: new Map(), previous: new Map(), passes: 0 }));
  return state;
}

const merge = (a: SchedulingTrigger | null, b: SchedulingTrigger): SchedulingTrigger =>
  a ? { retryRevision: Math.max(a.retryRevision, b.retryRevision), flush: a.flush || b.flush } : b;

/** Runs (or joins) the passes that cover this trigger. */
function reconcile(ctx: ControlPlaneContext, cluster: string, trigger: SchedulingTrigger): Promise<void> {
  const state = workFor(ctx, cluster);
  state.pending = merge(state.pending, trigger);
  if (!state.running) {
    state.running = (async () => {
      try {
        while (state.pending) {
          const next = state.pending;
          state.pending = null;
          try {
            await pass(ctx, cluster, next);
          } finally {
            // Between passes only this pass's decoded objects are held, not the last one's too.
            state.previous = new Map();
            state.prefetched = undefined;
          }
        }
      } finally {
        state.running = null;
      }
    })();
  }
  return state.running;
}

/** Every object of a core resource (nodes, pods) at the current revision. */
async function current<T extends KubeObject>(registry: Registry, state: ClusterWork, plural: string, seen: ClusterWork['objects']): Promise<T[]> {
  return (await underPrefix(registry, state, corePrefix(registry, plural), seen)).map(([, obj]) => obj as T);
}

/** Where a core (v1) resource's objects are stored. */
const corePrefix = (registry: Registry, plural: string) => Catalog.prefix(registry.cluster, registry.catalog.find('', 'v1', plural)!);
/** Where an API group's objects, of every kind, are stored. */
const groupPrefix = (registry: Registry, group: string) => `${clusterPrefix(registry.cluster)}${group}/`;

/** API groups read whole (one list per group): the controllers need all their kinds. */
const workloadGroups = ['apps', 'batch'];
const serviceGroups = ['discovery.k8s.io', 'policy', 'autoscaling'];
/** Storage classes (and the CSI kinds beside them, a handful per cluster) for the PV controller. */
const storageGroups = ['storage.k8s.io'];
const controllerGroups = [...workloadGroups, ...serviceGroups, ...storageGroups];

/** Everything the controllers read beyond nodes and pods: workloads, services and what is derived from them. */
async function controllerObjects(registry: Registry, state: ClusterWork, seen: ClusterWork['objects'], nodes: Node[], pods: Pod[]): Promise<ClusterObjects> {
  const objects: ClusterObjects = { ...noObjects(), nodes, pods };
  objects.services = await current(registry, state, 'services', seen);
  objects.endpoints = await current(registry, state, 'endpoints', seen);
  objects.persistentvolumeclaims = await current(registry, state, 'persistentvolumeclaims', seen);
  objects.persistentvolumes = await current(registry, state, 'persistentvolumes', seen);
  for (const group of controllerGroups) {
    const prefix = groupPrefix(registry, group);
    for (const [key, obj] of await underPrefix(registry, state, prefix, seen)) {
      const plural = key.slice(prefix.length, key.indexOf('/', prefix.length)) as keyof ClusterObjects;
      if (plural in objects && plural !== 'nodes' && plural !== 'pods') (objects[plural] as KubeObject[]).push(obj);
    }
  }
  return objects;
}

/**
 * Every object under a key prefix. A pass reads them all (that is what makes it
 * level-triggered), so only objects whose revision changed since the last pass
 * are decoded again; the same objects also key the kubelet's and scheduler's
 * per-pod caches. Read-time decorations (node heartbeats) are skipped: controllers
 * do not need them.
 */
async function underPrefix(registry: Registry, state: ClusterWork, prefix: string, seen: ClusterWork['objects']): Promise<Array<[string, KubeObject]>> {
  return (await recordsUnder(registry, state, prefix)).map((kv) => [kv.key, decodedOnce(state, seen, kv)]);
}

/**
 * The key prefixes a pass reads before it acts: nodes and pods, what the controllers read, and the
 * ConfigMaps and Secrets the kubelets read.
 */
function passPrefixes(registry: Registry): string[] {
  const core = ['nodes', 'pods', 'services', 'endpoints', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps', 'secrets'];
  return [
    ...core.map((plural) => corePrefix(registry, plural)),
    ...controllerGroups.map((group) => groupPrefix(registry, group)),
  ];
}

/**
 * On a store whose every read is a round trip (DynamoDB: each list reads the revision, the objects
 * and the revision again), the pass's first reads are made as one: the revision read once, every
 * prefix at once. Elsewhere (memory, a Durable Object's SQLite) each is read when it is needed.
 */
async function prefetch(registry: Registry): Promise<Map<string, KeyValue[]> | undefined> {
  if (!registry.store.listMany) return undefined;
  const prefixes = passPrefixes(registry);
  const lists = await registry.store.listMany(prefixes);
  return new Map(prefixes.map((prefix, i) => [prefix, lists[i].items]));
}

/** The stored records under a key prefix, not decoded: what the pass prefetched, the first time it is asked for, else read now. */
async function recordsUnder(registry: Registry, state: ClusterWork, prefix: string): Promise<KeyValue[]> {
  const prefetched = state.prefetched?.get(prefix);
  if (prefetched) {
    state.prefetched!.delete(prefix);
    return prefetched;
  }
  const out: KeyValue[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await registry.store.list(prefix, { startAfter, limit: 5000 });
    for (const kv of page.items) out.push(kv);
    if (!page.more || !page.items.length) return out;
    startAfter = page.items[page.items.length - 1].key;
  }
}

/** A record's object: the last pass's if its revision is unchanged, else decoded now; kept for the next pass. */
function decodedOnce(state: ClusterWork, seen: ClusterWork['objects'], kv: KeyValue): KubeObject {
  let entry = seen.get(kv.key) ?? state.previous.get(kv.key);
  if (!entry || entry.revision !== kv.modRevision) {
    const obj = parseStoredObject(kv.value);
    obj.metadata.resourceVersion = String(kv.modRevision);
    entry = { revision: kv.modRevision, obj };
  }
  seen.set(kv.key, entry);
  return entry.obj;
}

/**
 * The pass's decoded objects, as its writes see them (registry/generic.ts, DecodedObjects): a write
 * starts from the one at its revision, and what it wrote is the next pass's, unless that pass finds
 * the record changed again.
 */
function heldBy(state: ClusterWork): DecodedObjects {
  return {
    get: (key, revision) => {
      const entry = state.objects.get(key) ?? state.previous.get(key);
      return entry?.revision === revision ? entry.obj : undefined;
    },
    set: (key, revision, obj) => { state.objects.set(key, { revision, obj }); },
  };
}

/**
 * The ConfigMaps or Secrets of the cluster by `namespace/name`, each decoded only when a
 * container reads it (and then kept while its revision is unchanged): most are
 * read by no pod, and one that is large (a 1 MiB ConfigMap, a 600 KB one of 12,000
 * finalizers) would otherwise be decoded, or held decoded, for nothing.
 */
async function sourcesOf(registry: Registry, state: ClusterWork, plural: string, seen: ClusterWork['objects']): Promise<ObjectLookup> {
  const prefix = corePrefix(registry, plural);
  const records = new Map<string, KeyValue>();
  for (const kv of await recordsUnder(registry, state, prefix)) {
    records.set(kv.key.slice(prefix.length), kv);
    // Decoded before and unchanged: kept, whether or not this pass reads it.
    const kept = state.previous.get(kv.key);
    if (kept?.revision === kv.modRevision) seen.set(kv.key, kept);
  }
  return { get: (key) => { const kv = records.get(key); return kv && decodedOnce(state, seen, kv); } };
}

/**
 * One level-triggered pass over the cluster. Its phases go on the loop's background pace
 * (nextTurn.ts): on a memory store nothing in them waits, and a new cluster's first passes
 * (its static pods' manifests parsed, its mirror pods and system pods created) would otherwise
 * hold a loop other clusters share for tens of milliseconds.
 */
async function pass(ctx: ControlPlaneContext, cluster: string, trigger: SchedulingTrigger): Promise<void> {
  const state = workFor(ctx, cluster);
  const registry = new Registry(ctx.catalog, { ...ctx.ports, decoded: heldBy(state) }, cluster);
  const pace = ctx.loop ? () => ctx.loop!.step(cluster) : backgroundPace;
  state.passes++;
  // This pass reads the last one's decoded objects and keeps what it reads for the next (the
  // ConfigMaps and Secrets the kubelets read come late in the pass: they are kept too).
  state.previous = state.objects;
  const seen: ClusterWork['objects'] = new Map();
  state.objects = seen;
  state.prefetched = await prefetch(registry);
  // Pods before their workloads: an owner missing from these lists is re-checked with a live read before anything goes.
  const nodes = await current<Node>(registry, state, 'nodes', seen);
  const pods = await current<Pod>(registry, state, 'pods', seen);
  await pace();
  const objects = await controllerObjects(registry, state, seen, nodes, pods);
  // A dropped (or empty) cluster keeps nothing in this process's memory.
  if (!seen.size) { work.get(ctx.ports.store)?.delete(cluster); return; }
  // What containers read: their env and volumes (ConfigMaps, Secrets) and the service variables.
  await pace();
  const sources: ClusterSources = { configMaps: await sourcesOf(registry, state, 'configmaps', seen), secrets: await sourcesOf(registry, state, 'secrets', seen), services: objects.services };
  // The nodes' own files and units: static pod manifests, a stopped kubelet.
  const ca = caFromConfigMap(sources.configMaps.get('kube-system/kube-root-ca.crt'));
  const hosts = nodeStates(await readNodeStates(registry.store), nodes, ca, pods, registry.now().getTime());
  // Each component writes as its own field manager, as in a kubeadm cluster's managedFields.
  await pace();
  const components = await syncStaticPods(registry.as('kubelet'), nodes, pods, hosts);
  // A control-plane component whose static pod does not run does none of its work.
  await pace();
  const controllersDue = components.controllers ? await runControllers(registry, objects) : undefined;
  await pace();
  if (components.scheduler) {
    await schedulePending(registry.as('kube-scheduler'), nodes, pods, trigger, objects, ctx.ports.traces);
    // A node changed while it decided: another pass tries every pod left unschedulable (scheduler.ts, nodesMoved).
    if (anyPending(pods) && nodesMoved(nodes, await current<Node>(registry, state, 'nodes', seen))) state.pending = merge(state.pending, { retryRevision: Number.MAX_SAFE_INTEGER, flush: false });
  }
  await pace();
  const kubelet = registry.as('kubelet');
  const network = ctx.podNetwork;
  const kubeletsDue = await runKubelets(kubelet, nodes, pods, sources, hosts, network && ((pod) => network(kubelet, pod)));
  // A node whose kubelet stopped: NotReady after the grace period, then its pods evicted.
  await pace();
  const lifecycleDue = await syncNodeLifecycle(registry.as('node-controller'), nodes, pods, hosts);
  const due = [controllersDue, kubeletsDue, lifecycleDue].filter((t): t is number => t !== undefined);
  await scheduleWake(ctx, cluster, due.length ? Math.min(...due) : undefined);
}

/**
 * A far wake-up (a daily CronJob) is re-armed on the way: queues cap delivery
 * delays (Cloudflare Queues at 12 hours), and the pass it brings recomputes
 * what is due anyway. The hourly pass of such an idle cluster writes nothing.
 */
const maxWakeDelayMs = 3_600_000;

/** Queues one wake-up for the earliest due stage, unless an earlier one is already queued. */
async function scheduleWake(ctx: ControlPlaneContext, cluster: string, due: number | undefined): Promise<void> {
  if (due === undefined) return;
  const state = workFor(ctx, cluster);
  const now = ctx.ports.clock.now().getTime();
  const at = Math.min(due, now + maxWakeDelayMs);
  if (state.wakeAt !== undefined && state.wakeAt > now && state.wakeAt <= at) return;
  state.wakeAt = at;
  await ctx.ports.queue.send({ kind: 'wake', cluster, group: '', resource: 'pods', namespace: '', name: '' }, { delaySeconds: Math.max(0, at - now) / 1000 });
}

/**
 * Periodic repair: re-examines every pending and bound pod and every approved CSR, so a lost event or wake-up costs only time.
 * Each step on a turn of its own: on a memory store nothing in them waits, so run back to back they
 * would hold a loop other clusters share for the whole repair (a few ms a cluster).
 */
async function resyncCluster(ctx: ControlPlaneContext, cluster: string): Promise<void> {
  const registry = () => new Registry(ctx.catalog, ctx.ports, cluster);
  const steps = [
    () => aggregateClusterRoles(ctx, cluster),
    () => syncResourceQuotas(registry(), undefined),
    () => reconcile(ctx, cluster, { retryRevision: 0, flush: true }),
    () => signApprovedRequests(registry()),
    () => syncGateways(registry()),
    () => syncIngressStatuses(registry()),
  ];
  for (const step of steps) {
    await nextTurn();
    await step();
  }
}

/**
 * ClusterRole aggregation has a pass of its own: it reads only ClusterRoles, so pod and
 * workload events do not pay for it, and a role change does not bring a scheduler pass.
 */
function aggregateClusterRoles(ctx: ControlPlaneContext, cluster: string): Promise<void> {
  return syncClusterRoleAggregation(new Registry(ctx.catalog, ctx.ports, cluster));
}

/**
 * The quota controller's share of an event: a quota changed (count it if its limits are not
 * counted yet), or something in a namespace with quotas was released (recount them).
 */
async function syncQuotas(ctx: ControlPlaneContext, event: ChangeEvent): Promise<void> {
  const registry = new Registry(ctx.catalog, ctx.ports, event.cluster);
  if (event.group === '' && event.resource === 'resourcequotas') {
    if (event.type !== 'DELETED') await syncResourceQuotas(registry, event.namespace, true);
  } else if (await releasesQuota(registry, event)) {
    await syncResourceQuotas(registry, event.namespace);
  }
}

/** API groups whose changes wake the CSR signer rather than the workload pass. */
const signerGroups = ['certificates.k8s.io'];

/**
 * Changes that can give the controllers, scheduler or kubelets work. Endpoints and
 * EndpointSlices are the controllers' own output: only their deletion (by someone else)
 * asks for a pass; an edit is put right by the next resync.
 */
function watched(event: ChangeEvent): boolean {
  // ConfigMaps and Secrets: a pod waiting for one (CreateContainerConfigError, FailedMount) starts when it appears.
  if (event.group === '') return ['pods', 'nodes', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes'].includes(event.resource) || (event.resource === 'endpoints' && event.type === 'DELETED');
  if (event.group === 'discovery.k8s.io') return event.type === 'DELETED';
  if (storageGroups.includes(event.group)) return event.resource === 'storageclasses';
  return workloadGroups.includes(event.group) || event.group === 'policy' || event.group === 'autoscaling';
}

export async function handleMessage(ctx: ControlPlaneContext, message: QueueMessage): Promise<void> {
  try {
    await dispatch(ctx, message);
  } catch (err) {
    // A cluster deleted under a pass: its work ended with it (the store refused every write).
    if (err instanceof ClusterGoneError) { work.get(ctx.ports.store)?.delete(message.cluster); return; }
    throw err;
  } finally {
    ctx.loop?.idle(message.cluster);
  }
}

async function dispatch(ctx: ControlPlaneContext, message: QueueMessage): Promise<void> {
  if ('kind' in message) {
    if (message.kind === 'resync') return resyncCluster(ctx, message.cluster);
    const state = workFor(ctx, message.cluster);
    if (state.wakeAt !== undefined && state.wakeAt <= ctx.ports.clock.now().getTime()) state.wakeAt = undefined;
    return reconcile(ctx, message.cluster, { retryRevision: 0, flush: false });
  }
  const event = message as ChangeEvent;
  if (event.group === 'rbac.authorization.k8s.io' && event.resource === 'clusterroles') return aggregateClusterRoles(ctx, event.cluster);
  if (signerGroups.includes(event.group)) return signApprovedRequests(new Registry(ctx.catalog, ctx.ports, event.cluster));
  // The gateway controller has a pass of its own: it reads only the Gateway API objects (and the Services, Secrets, namespaces they name).
  if (gatewayInputs(event)) await syncGateways(new Registry(ctx.catalog, ctx.ports, event.cluster));
  // So has ingress-nginx's status sync: it reads Ingresses first and stops where there are none.
  if (ingressStatusInputs(event)) await syncIngressStatuses(new Registry(ctx.catalog, ctx.ports, event.cluster));
  await syncQuotas(ctx, event);
  if (event.group === '' && event.resource === 'resourcequotas') {
    // A quota raised, recounted lower or removed may let through a create it refused: the
    // controllers try again at once (kube's ReplicaSet controller retries a refused create with
    // back-off). Without this the retry waited for whatever woke the cluster next, up to a
    // Deployment's progress deadline ten minutes on. A new quota only refuses more.
    if (event.type !== 'ADDED') await reconcile(ctx, event.cluster, { retryRevision: 0, flush: false });
    return;
  }
  if (!watched(event)) return;
  // Node changes and pod deletions may make room for unschedulable pods (kube-scheduler's queueing hints).
  // So do claims and volumes: a claim bound or a volume made may let a pod that mounts it in.
  const helps = event.resource === 'nodes' || (event.resource === 'pods' && event.type === 'DELETED')
    || ['persistentvolumeclaims', 'persistentvolumes', 'storageclasses'].includes(event.resource);
  return reconcile(ctx, event.cluster, { retryRevision: helps ? event.revision : 0, flush: false });
}

/** Passes run for a cluster in this process (benchmarks report it). */
export function passCount(ctx: ControlPlaneContext, cluster: string): number {
  return workFor(ctx, cluster).passes;
}
