import type { KubeObject } from '../registry/types.ts';
import { prepareContainer, specInput } from '../runtime/container.ts';
import { programFor } from '../runtime/programs.ts';
import type { ContainerSpec, ContainerStatus } from '../runtime/stages.ts';
import type { ProgramInput } from '../runtime/timeline.ts';
import type { PodSources } from '../runtime/podenv.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { withLayer, withSharedMounts, type SharedMount } from '../runtime/writableLayer.ts';

/**
 * A pod's containers as the kubelet's streaming server finds them (exec, attach, port-forward):
 * which are running, and each one's files and env as the kubelet made them and exec'd
 * processes left them (its writable layer).
 */

export interface PodView extends KubeObject {
  spec: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[]; nodeName?: string };
  status?: { podIP?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[] };
}

export const allContainers = (pod: PodView) => [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];

export const containerStatuses = (pod: PodView) =>
  [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];

export const isRunning = (pod: PodView, container: string) => containerStatuses(pod).some((s) => s.name === container && s.state?.running);

/** The container's whole-volume mounts of the pod's writable volumes (emptyDirs and claims), with each volume. */
function writableMounts(pod: PodView, spec: ContainerSpec) {
  const volumes = new Map(((pod as unknown as VolumePod).spec.volumes ?? []).filter((v) => v.emptyDir !== undefined || v.persistentVolumeClaim !== undefined).map((v) => [v.name, v]));
  return (spec.volumeMounts ?? []).filter((m) => volumes.has(m.name) && !m.subPath).map((m) => ({ ...m, volume: volumes.get(m.name)! }));
}

/**
 * The container's mounts of the pod's emptyDirs and claims, each one layer every container mounting it
 * shares: an emptyDir's is the pod's (its uid in the key), a claim's is the claim's (its uid), so what is
 * written there outlives the pod and any pod mounting the claim reads it. `claims`: claim name → uid
 * (a claim not found is not mounted: the kubelet would not have started the container).
 */
export function sharedMounts(cluster: string, pod: PodView, spec: ContainerSpec, claims: Record<string, string> = {}): SharedMount[] {
  return writableMounts(pod, spec).flatMap((m) => {
    const claim = m.volume.persistentVolumeClaim;
    const claimUid = claim && claims[claim.claimName ?? ''];
    if (claim && !claimUid) return [];
    const namespace = pod.metadata.namespace ?? '';
    const key = claim ? `${cluster}/${namespace}/claim:${claimUid}` : `${cluster}/${namespace}/${pod.metadata.uid ?? ''}/volume:${m.name}`;
    return [{ mountPath: m.mountPath, key, ...(m.readOnly || claim?.readOnly ? { readOnly: true } : {}) }];
  });
}

/**
 * One container's filesystem and env; `layerKey` names its writable layer (one container instance:
 * a restart starts afresh), `mounts` the emptyDir layers it shares with the pod's other containers.
 */
export function containerInput(cluster: string, pod: PodView, spec: ContainerSpec, sources: PodSources | undefined, nowMs: number): { input: ProgramInput; layerKey: string; mounts: SharedMount[] } {
  const made = withProgramWrites(pod, spec, madeInput(pod, spec, sources), sources, nowMs);
  const containerID = containerStatuses(pod).find((s) => s.name === spec.name)?.containerID ?? '';
  const layerKey = `${cluster}/${pod.metadata.namespace ?? ''}/${pod.metadata.uid ?? ''}/${spec.name}/${containerID}`;
  const mounts = sharedMounts(cluster, pod, spec, sources?.claims);
  return { input: { ...made, ...withSharedMounts(withLayer(layerKey, made.files, made.dirs), mounts) }, layerKey, mounts };
}

/** The container's env and files as the kubelet made them (its spec alone where a source is missing). */
function madeInput(pod: PodView, spec: ContainerSpec, sources: PodSources | undefined): ProgramInput {
  const volumePod = pod as unknown as VolumePod;
  const prepared = sources ? prepareContainer(volumePod, spec, sources, pod.status?.podIP) : undefined;
  return prepared && !prepared.error ? prepared.input : specInput(volumePod, spec, pod.status?.podIP);
}

/**
 * The files a container sees once the pod's own programs have run until `nowMs`: what its command
 * wrote anywhere (`sh -c 'date > /tmp/out'`), and what the pod's other containers wrote under an
 * emptyDir or claim it mounts too (an init container filling nginx's html), init containers first, as they
 * ran first. exec'd processes' writes go over these (the writable layers).
 */
function withProgramWrites(pod: PodView, spec: ContainerSpec, made: ProgramInput, sources: PodSources | undefined, nowMs: number): ProgramInput {
  const mine = new Map(writableMounts(pod, spec).map((m) => [m.name, m.mountPath.replace(/\/+$/, '')]));
  let files: Record<string, string> | undefined;
  const statuses = containerStatuses(pod);
  for (const other of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? []), ...(pod.spec.ephemeralContainers ?? [])]) {
    const state = statuses.find((s) => s.name === other.name)?.state;
    const startedAt = Date.parse(state?.running?.startedAt ?? state?.terminated?.startedAt ?? '');
    if (Number.isNaN(startedAt)) continue;
    const events = programFor(other.name === spec.name ? made : madeInput(pod, other, sources)).fileEvents;
    if (!events?.length) continue;
    // Where `other`'s path lands in this container: anywhere if it is this one, else under a shared emptyDir.
    const place = other.name === spec.name ? (path: string) => path : sharedPlace(writableMounts(pod, other), mine);
    for (const e of events) {
      if (e.offsetMs > nowMs - startedAt) break;
      const at = place(e.path);
      if (at === undefined) continue;
      files ??= { ...made.files };
      if (e.content === null) delete files[at];
      else files[at] = e.content;
    }
  }
  return files ? { ...made, files } : made;
}

/** Maps a path under another container's emptyDir mounts (`others`) onto this container's mount of the same volume (`mine`: volume → mount path). */
function sharedPlace(others: Array<{ name: string; mountPath: string }>, mine: Map<string, string>): (path: string) => string | undefined {
  const theirs = others.filter((m) => mine.has(m.name)).map((m) => [m.mountPath.replace(/\/+$/, ''), mine.get(m.name)!] as const);
  return (path) => {
    for (const [from, to] of theirs) if (path.startsWith(`${from}/`)) return to + path.slice(from.length);
    return undefined;
  };
}
