import type { Registry } from '../registry/generic.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { imageInfo, type ImageInfo } from '../runtime/images.ts';
import { programFor } from '../runtime/programs.ts';
import { containerProgram, keptNetworkProgram, programUsesNetwork } from '../runtime/networkPrograms.ts';
import type { LoadingNetworkView } from '../runtime/network.ts';
import type { Program, ProgramInput } from '../runtime/timeline.ts';
import { prepareContainer, referencedSources, specInput, type Prepared } from '../runtime/container.ts';
import type { PodSources } from '../runtime/podenv.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { decodeSecret } from '../runtime/podenv.ts';
import type { KubeObject } from '../registry/types.ts';
import { timestamp } from '../apimachinery/time.ts';
import { hostWritesOf, unitActive, type NodeView } from '../runtime/nodeFiles.ts';
import { applyHostWrites } from '../registry/nodeFilesystem.ts';
import type { NodeStates } from './nodeStates.ts';
import { recordEvent, type EventSpec } from './recorder.ts';
import { restarts, stageFor, type ContainerSpec, type ContainerStatus, type ContainerView } from '../runtime/stages.ts';

/**
 * The simulated kubelets: one logical kubelet per node, each an interpreter over
 * the declared container stages (stages.ts). For every pod bound to its node it
 * fires the stages that are due, in time order, stamping each transition with
 * its own due time; derives phase and conditions; writes the status with
 * compare-and-swap; and records the events of the transitions it committed.
 * An idle pod has nothing due, so an idle cluster writes nothing.
 */

/** How long stopping containers takes after a graceful delete (SIGTERM is honoured). */
const stopMs = 1_000;

interface Condition { type: string; status: string; reason?: string; message?: string; lastProbeTime: string | null; lastTransitionTime: string; observedGeneration?: number }
interface Status {
  phase?: string; conditions?: Condition[]; hostIP?: string; hostIPs?: Array<{ ip: string }>; podIP?: string; podIPs?: Array<{ ip: string }>;
  startTime?: string; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[]; qosClass?: string; observedGeneration?: number;
  [k: string]: unknown;
}
type PodSpecView = { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; restartPolicy?: string; hostNetwork?: boolean; nodeName?: string };

const memo = <T>(make: (key: string) => T) => {
  const cache = new Map<string, T>();
  return (key: string) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = make(key);
      if (cache.size > 5000) cache.delete(cache.keys().next().value!);
      cache.set(key, value);
    }
    return value;
  };
};
const imageOf = memo<ImageInfo>(imageInfo);
const programOf = memo<Program>((key) => programFor(JSON.parse(key)));

export const nodeIP = (node: Node) => node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);

/** When the pod was bound: the kubelet accepts it then. */
function boundAt(pod: Pod): number {
  const scheduled = (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  return ms(scheduled?.lastTransitionTime) || ms(pod.metadata.creationTimestamp) || 0;
}

const waiting = (spec: ContainerSpec, reason: string): ContainerStatus => ({
  name: spec.name, state: { waiting: { reason } }, lastState: {}, ready: false, restartCount: 0, image: spec.image ?? '', imageID: '', started: false,
});

/** An init container is done when it completed, or (a sidecar) once it started. */
function initDone(c: ContainerStatus | undefined, sidecar: boolean): number | undefined {
  if (!c) return undefined;
  if (sidecar) return c.started || c.restartCount > 0 ? ms(c.state.running?.startedAt ?? c.lastState.terminated?.startedAt) || 0 : undefined;
  return c.state.terminated?.exitCode === 0 ? ms(c.state.terminated.finishedAt) : undefined;
}

/** When the pod's latest readiness result was reported (the Ready condition's lastProbeTime). */
const probedAtOf = (status: Status) => ms(status.conditions?.find((c) => c.type === 'Ready')?.lastProbeTime ?? undefined) || undefined;

/** What a container is started with: its env and files, or (a source is missing) its spec alone. */
function containerInput(pod: Pod, c: ContainerSpec, sources: PodSources, podIP: string | undefined): { prepared: Prepared; input: ProgramInput } {
  const prepared: Prepared = prepareContainer(pod as unknown as VolumePod, c, sources, podIP);
  return { prepared, input: prepared.error ? specInput(pod as unknown as VolumePod, c, podIP) : prepared.input };
}

/** When the container's current instance started (running, or since terminated), if it has. */
const runStartedAt = (s: ContainerStatus | undefined) => {
  const started = ms(s?.state.running?.startedAt ?? s?.state.terminated?.startedAt);
  return Number.isNaN(started) ? undefined : started;
};

/** How the kubelet reads the cluster network for a pod's own commands (server/clusterNetwork.ts, passed in by the entry). */
export type PodNetwork = (pod: Pod) => () => Promise<LoadingNetworkView>;

/**
 * Runs, against the network as it is now, the command of each of the pod's started containers that
 * reaches it and has no kept run yet; true if it ran any (the pod's stages are then worked out again).
 */
async function runNetworkCommands(pod: Pod, status: Status | undefined, sources: PodSources, network: PodNetwork): Promise<boolean> {
  const spec = pod.spec as PodSpecView;
  const uid = pod.metadata.uid ?? '';
  let ran = false;
  const all: Array<[ContainerSpec, ContainerStatus | undefined]> = [
    ...(spec.initContainers ?? []).map((c, i): [ContainerSpec, ContainerStatus | undefined] => [c, status?.initContainerStatuses?.[i]]),
    ...(spec.containers ?? []).map((c, i): [ContainerSpec, ContainerStatus | undefined] => [c, status?.containerStatuses?.[i]]),
  ];
  for (const [c, s] of all) {
    const startedAt = runStartedAt(s);
    if (startedAt === undefined || !programUsesNetwork(c) || keptNetworkProgram(uid, c.name, startedAt)) continue;
    await containerProgram(containerInput(pod, c, sources, status?.podIP).input, { podUID: uid, container: c.name, startedAt }, network(pod));
    ran = true;
  }
  return ran;
}

/** The stage interpreter's view of every container, init containers first. */
function containerViews(pod: Pod, status: Status, sources: PodSources): ContainerView[] {
  const spec = pod.spec as PodSpecView;
  const start = ms(status.startTime);
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const probedAt = probedAtOf(status);
  const view = (c: ContainerSpec, s: ContainerStatus, init: boolean, since: number | undefined, index: number): ContainerView => {
    const { prepared, input } = containerInput(pod, c, sources, status.podIP);
    const started = runStartedAt(s);
    // A command that reached the network runs as it did when this instance started (networkPrograms.ts).
    const program = (started !== undefined && keptNetworkProgram(pod.metadata.uid ?? '', c.name, started)) || programOf(JSON.stringify(input));
    return {
      spec: c, status: s, init, sidecar: init && c.restartPolicy === 'Always', image: imageOf(c.image ?? ''),
      program, input, ...(prepared.error ? { blocked: prepared.error } : {}), probedAt, jitterMs: index * 50,
      since, podRestartPolicy: spec.restartPolicy ?? 'Always', podUID: pod.metadata.uid ?? '', podRef,
    };
  };
  const views: ContainerView[] = [];
  let ready: number | undefined = start;
  (spec.initContainers ?? []).forEach((c, i) => {
    const s = status.initContainerStatuses?.[i] ?? waiting(c, 'PodInitializing');
    views.push(view(c, s, true, ready, i));
    const done = ready === undefined ? undefined : initDone(s, c.restartPolicy === 'Always');
    ready = done === undefined ? undefined : Math.max(ready!, done);
  });
  (spec.containers ?? []).forEach((c, i) => {
    views.push(view(c, status.containerStatuses?.[i] ?? waiting(c, spec.initContainers?.length ? 'PodInitializing' : 'ContainerCreating'), false, ready, (spec.initContainers?.length ?? 0) + i));
  });
  return views;
}

/** kubelet's getPhase. */
function podPhase(pod: Pod, views: ContainerView[]): string {
  const spec = pod.spec as PodSpecView;
  const inits = views.filter((v) => v.init);
  if (inits.some((v) => v.status.state.terminated && v.status.state.terminated.exitCode !== 0 && !restarts(v, v.status.state.terminated.exitCode))) return 'Failed';
  if (views.some((v) => !v.init && v.since === undefined)) return 'Pending';
  let waitingCount = 0, running = 0, stopped = 0, succeeded = 0;
  for (const v of views.filter((x) => !x.init)) {
    const s = v.status.state;
    if (s.running) running++;
    else if (s.terminated) { stopped++; if (s.terminated.exitCode === 0) succeeded++; }
    else if (v.status.lastState.terminated) stopped++;
    else waitingCount++;
  }
  if (waitingCount > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  if ((spec.restartPolicy ?? 'Always') === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return spec.restartPolicy === 'Never' ? 'Failed' : 'Running';
}

/** Phase and the five pod conditions, keeping transition times of unchanged conditions. */
function deriveStatus(pod: Pod, status: Status, views: ContainerView[], at: number, probedAt: number | undefined): void {
  status.phase = podPhase(pod, views);
  const generation = pod.metadata.generation ?? 1;
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  const unready = views.filter((v) => !v.init && !v.status.ready).map((v) => v.spec.name);
  const incomplete = views.filter((v) => v.init && (v.since === undefined || initDone(v.status, v.sidecar) === undefined)).map((v) => v.spec.name);
  const old = new Map((status.conditions ?? []).map((c) => [c.type, c]));
  const condition = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const previous = old.get(type);
    const value = ok ? 'True' : 'False';
    return {
      observedGeneration: generation, type, status: value, lastProbeTime: null,
      lastTransitionTime: previous?.status === value ? previous.lastTransitionTime : timestamp(at),
      ...(ok ? {} : { ...(reason ? { reason } : {}), ...(message ? { message } : {}) }),
    };
  };
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  status.conditions = [
    condition('PodReadyToStartContainers', !!status.podIP && !terminal),
    condition('Initialized', !incomplete.length, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    { ...condition('Ready', !unready.length && !terminal, readyReason, readyMessage), lastProbeTime: probedAt === undefined ? null : timestamp(probedAt) },
    condition('ContainersReady', !unready.length && !terminal, readyReason, readyMessage),
    { ...condition('PodScheduled', true), lastTransitionTime: old.get('PodScheduled')?.status === 'True' ? old.get('PodScheduled')!.lastTransitionTime : timestamp(boundAt(pod)) },
  ];
  status.observedGeneration = generation;
}

export interface PodSync {
  /** The new status, when a stage fired. */
  status?: Status;
  events: EventSpec[];
  /** When the next stage of this pod falls due. */
  nextDue?: number;
}

/**
 * Fires every due stage of one pod, in time order, from its recorded status.
 * `allocateIP` hands out an address from the node's podCIDR when the sandbox starts.
 */
function syncPod(pod: Pod, node: Node, now: number, allocateIP: () => string, sources: PodSources): PodSync {
  const spec = pod.spec as PodSpecView;
  const status = structuredClone((pod.status ?? {}) as Status);
  const events: EventSpec[] = [];
  const source = { component: 'kubelet', host: node.metadata.name! };
  let changed = false;
  let latest = 0;
  if (!status.startTime) {
    const accept = boundAt(pod);
    if (accept > now) return { events, nextDue: accept };
    const hostIP = nodeIP(node);
    status.phase = 'Pending';
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
    status.startTime = timestamp(accept);
    status.initContainerStatuses = (spec.initContainers ?? []).map((c) => waiting(c, 'PodInitializing'));
    status.containerStatuses = (spec.containers ?? []).map((c) => waiting(c, spec.initContainers?.length ? 'PodInitializing' : 'ContainerCreating'));
    if (!status.initContainerStatuses.length) delete status.initContainerStatuses;
    // The admitted pod's first status (Pending, its containers creating) is written on its own, as the kubelet's
    // status manager reports it before any container starts: a pass that comes late (a loaded host) still shows
    // it, instead of writing Running straight away; the stages that are due follow in the next pass, at once.
    deriveStatus(pod, status, containerViews(pod, status, sources), accept, probedAtOf(status));
    return { status, events, nextDue: now };
  }
  let nextDue: number | undefined;
  let probedAt = probedAtOf(status);
  for (let step = 0; step < 10_000; step++) {
    const views = containerViews(pod, status, sources);
    let best: { view: ContainerView; index: number; due: number } | undefined;
    nextDue = undefined;
    views.forEach((view, index) => {
      const stage = stageFor(view);
      const due = stage?.due(view, now);
      if (due === undefined || Number.isNaN(due)) return;
      if (due > now) { nextDue = Math.min(nextDue ?? Infinity, due); return; }
      if (!best || due < best.due) best = { view, index, due };
    });
    if (!best) break;
    const { view, index, due } = best as { view: ContainerView; index: number; due: number };
    const transition = stageFor(view)!.next(view, due);
    if (transition.probedAt !== undefined) {
      probedAt = transition.probedAt;
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      if (ready) ready.lastProbeTime = timestamp(probedAt);
    }
    const inits = spec.initContainers?.length ?? 0;
    if (view.init) (status.initContainerStatuses ??= [])[index] = transition.status;
    else (status.containerStatuses ??= [])[index - inits] = transition.status;
    const fieldPath = `spec.${view.init ? 'initContainers' : 'containers'}{${view.spec.name}}`;
    for (const e of transition.events) events.push({ involved: pod, fieldPath, type: e.type, reason: e.reason, message: e.message, source, at: e.at });
    // The sandbox (and its IP) exists before any container does anything.
    if (!status.podIP) {
      const ip = spec.hostNetwork ? status.hostIP ?? nodeIP(node) : allocateIP();
      status.podIP = ip;
      status.podIPs = [{ ip }];
    }
    changed = true;
    latest = Math.max(latest, due);
  }
  if (!changed) return { events, nextDue };
  deriveStatus(pod, status, containerViews(pod, status, sources), latest, probedAt);
  return { status, events, nextDue };
}

/** Lowest free address of the node's podCIDR (host-local IPAM), from .2 on. */
function ipAllocator(node: Node, used: Set<string>): () => string {
  const cidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR ?? '10.244.0.0/24';
  const [a, b, c] = cidr.split('/')[0].split('.');
  return () => {
    for (let i = 2; i < 255; i++) {
      const ip = `${a}.${b}.${c}.${i}`;
      if (!used.has(ip)) { used.add(ip); return ip; }
    }
    return `${a}.${b}.${c}.254`;
  };
}

/**
 * When an unchanged pod object next needs its kubelet (null: never). The control plane
 * reuses decoded pods while their revision is unchanged, so a settled pod costs
 * one lookup per pass.
 */
const settled = new WeakMap<Pod, { due: number | null; inputs: string }>();

/** What the API objects a pod reads (its ConfigMaps and Secrets) are now: their resourceVersions, or absence. */
function inputsOf(pod: Pod, sources: ClusterSources, hosts: NodeStates): string {
  // A pod with hostPath volumes reads its node's files too.
  const versions = sourceVersions(pod, sources);
  return usesHostPath(pod) ? `node@${hosts.states.get(pod.spec?.nodeName ?? '')?.revision ?? 0}|${versions}` : versions;
}

function sourceVersions(pod: Pod, sources: ClusterSources): string {
  const refs = referencedSources(pod as unknown as VolumePod);
  if (!refs.configMaps.length && !refs.secrets.length) return '';
  const ns = pod.metadata.namespace ?? '';
  const version = (list: ObjectLookup, name: string) => list.get(`${ns}/${name}`)?.metadata.resourceVersion ?? '-';
  return [...refs.configMaps.map((n) => version(sources.configMaps, n)), '|', ...refs.secrets.map((n) => version(sources.secrets, n))].join(',');
}

/** Objects by `namespace/name`: a Map, or one that decodes each only when it is asked for. */
export interface ObjectLookup { get(key: string): KubeObject | undefined }

/** The API objects containers read, by `namespace/name`, as the control plane's pass listed them. */
export interface ClusterSources { configMaps: ObjectLookup; secrets: ObjectLookup; services: KubeObject[] }

/** One namespace's view of the sources, for the runtime (runtime/podenv.ts); `hostNode`: the node as hostPath volumes see it. */
function namespaceSources(sources: ClusterSources, namespace: string, node: Node, hostNode?: NodeView): PodSources {
  const cm = (name: string) => sources.configMaps.get(`${namespace}/${name}`) as (KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> }) | undefined;
  const secret = (name: string) => sources.secrets.get(`${namespace}/${name}`) as (KubeObject & { data?: Record<string, string> }) | undefined;
  return {
    configMap: (name) => { const o = cm(name); return o && { ...o.data }; },
    secret: (name) => { const o = secret(name); return o && decodeSecret(o.data); },
    services: sources.services.filter((s) => s.metadata.namespace === namespace || (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes')),
    nodeAllocatable: node.status?.allocatable as Record<string, unknown> | undefined,
    ...(hostNode ? { node: hostNode } : {}),
  };
}

const usesHostPath = (pod: Pod) => ((pod.spec as { volumes?: Array<{ hostPath?: unknown }> }).volumes ?? []).some((v) => v.hostPath !== undefined);

/**
 * What a container's own program wrote under its hostPath mounts (a `kubectl debug node/… -- sh -c
 * 'sed -i …'`): kept on the node once, when that container instance starts.
 */
async function keepHostWrites(registry: Registry, pod: Pod, before: Status | undefined, after: Status, sources: PodSources): Promise<void> {
  const node = pod.spec?.nodeName;
  if (!node || !usesHostPath(pod)) return;
  const spec = pod.spec as PodSpecView;
  for (const status of after.containerStatuses ?? []) {
    if (!status.containerID || (before?.containerStatuses ?? []).some((s) => s.containerID === status.containerID)) continue;
    const container = (spec.containers ?? []).find((c) => c.name === status.name);
    if (!container) continue;
    const prepared = prepareContainer(pod as unknown as VolumePod, container, sources, after.podIP);
    if (prepared.error) continue;
    const writes = hostWritesOf(pod as unknown as Parameters<typeof hostWritesOf>[0], container as Parameters<typeof hostWritesOf>[1], programFor(prepared.input).fileEvents ?? []);
    if (!writes) continue;
    for (const [on, w] of writes) {
      try { await applyHostWrites(registry, on || node, w); } catch { /* a full node disk keeps nothing more */ }
    }
  }
}

const benign = (err: unknown) => err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound');

/** Finishes a graceful deletion: containers stop, then the pod object goes. */
async function finishDeletion(registry: Registry, pod: Pod, node: Node | undefined, now: number): Promise<number | undefined> {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
  const requested = ms(pod.metadata.deletionTimestamp) - grace * 1000;
  // A pod bound to a node that does not exist has no kubelet: PodGC removes it at once.
  const due = node ? requested + stopMs : now;
  if (due > now) return due;
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  try {
    await registry.delete(podsDef, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  } catch (err) {
    if (benign(err)) return undefined;
    throw err;
  }
  if (!node) return undefined;
  const source = { component: 'kubelet', host: node.metadata.name! };
  for (const [list, field] of [[pod.status?.initContainerStatuses, 'initContainers'], [pod.status?.containerStatuses, 'containers']] as const) {
    for (const c of (list ?? []) as Array<{ name: string; state?: { running?: unknown } }>) {
      if (!c.state?.running) continue;
      await recordEvent(registry, { involved: pod, fieldPath: `spec.${field}{${c.name}}`, type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, source, at: requested });
    }
  }
  return undefined;
}

/** What each pod's FailedMount events were last reported for (by uid): a new revision of the pod alone reports nothing again. */
const mountReported = new Map<string, string>();

/** FailedMount for each volume of a pod still creating that cannot be set up (kubelet's volume manager). */
async function reportMountFailures(registry: Registry, pod: Pod, status: Status, sources: PodSources, inputs: string, node: Node, now: number): Promise<void> {
  const creating = (status.containerStatuses ?? []).some((c) => c.state.waiting?.reason === 'ContainerCreating' || c.state.waiting?.reason === 'PodInitializing');
  if (!creating) return;
  if (mountReported.size > 5000) mountReported.delete(mountReported.keys().next().value!);
  mountReported.set(pod.metadata.uid ?? '', inputs);
  const messages = new Set<string>();
  for (const c of [...((pod.spec as PodSpecView).initContainers ?? []), ...((pod.spec as PodSpecView).containers ?? [])]) {
    const prepared = prepareContainer(pod as unknown as VolumePod, c, sources, status.podIP);
    if (prepared.error?.kind === 'mount') messages.add(prepared.error.message);
  }
  for (const message of messages) {
    await recordEvent(registry, { involved: pod, type: 'Warning', reason: 'FailedMount', message, source: { component: 'kubelet', host: node.metadata.name! }, at: now });
  }
}

/** Every kubelet of the cluster, one pass. Returns when the next stage falls due. */
export async function runKubelets(registry: Registry, nodes: Node[], pods: Pod[], sources: ClusterSources, hosts: NodeStates, network?: PodNetwork): Promise<number | undefined> {
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const now = registry.now().getTime();
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    if (!name) continue;
    (byNode.get(name) ?? byNode.set(name, []).get(name)!).push(pod);
  }
  let nextDue: number | undefined;
  const later = (t: number | undefined) => { if (t !== undefined) nextDue = Math.min(nextDue ?? Infinity, t); };
  for (const [nodeName, bound] of byNode) {
    const node = byName.get(nodeName);
    // A stopped kubelet does nothing: its pods stay as last reported, deletions wait (`systemctl stop kubelet`).
    if (node && !unitActive(hosts.states.get(nodeName)?.state, 'kubelet')) continue;
    const used = new Set(bound.filter((p) => !(p.spec as PodSpecView).hostNetwork && p.status?.podIP).map((p) => p.status!.podIP!));
    const allocate = node ? ipAllocator(node, used) : () => '';
    // In key order (namespace, name): a deterministic order for handing out addresses.
    for (const pod of bound) {
      if (pod.metadata.deletionTimestamp) { later(await finishDeletion(registry, pod, node, now)); continue; }
      if (!node) continue;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const inputs = inputsOf(pod, sources, hosts);
      const known = settled.get(pod);
      let sourcesOfPod: PodSources | undefined;
      const podSources = () => (sourcesOfPod ??= namespaceSources(sources, pod.metadata.namespace ?? '', node, usesHostPath(pod) ? hosts.view(node) : undefined));
      // A started container whose command reaches the network and has no run in this process yet is worked out again with one.
      const ranNetwork = network ? await runNetworkCommands(pod, pod.status as Status | undefined, podSources(), network) : false;
      if (!ranNetwork && known !== undefined && known.inputs === inputs && (known.due === null || known.due > now)) { later(known.due ?? undefined); continue; }
      const sync = syncPod(pod, node, now, allocate, podSources());
      later(sync.nextDue);
      // A volume that cannot be set up: reported once per change of what the pod reads, as the pod waits in ContainerCreating.
      if (mountReported.get(pod.metadata.uid ?? '') !== inputs) await reportMountFailures(registry, pod, sync.status ?? pod.status as Status, podSources(), inputs, node, now);
      if (!sync.status) { settled.set(pod, { due: sync.nextDue ?? null, inputs }); continue; }
      let written: Pod;
      try {
        written = await registry.mutate(podsDef, pod.metadata.namespace, pod.metadata.name!, (current) => {
          current.status = sync.status;
          return current;
        }, { subresource: 'status', expectedResourceVersion: pod.metadata.resourceVersion }) as Pod;
      } catch (err) {
        // Changed meanwhile: that change has its own event, and the next pass starts from it.
        if (benign(err)) continue;
        throw err;
      }
      for (const event of sync.events) await recordEvent(registry, { ...event, involved: written });
      await keepHostWrites(registry, written, pod.status as Status | undefined, sync.status, podSources());
      // A container this pass started that reaches the network: its run, and the stages it brings, at once.
      if (network && await runNetworkCommands(written, sync.status, podSources(), network)) later(now);
    }
  }
  return nextDue;
}
