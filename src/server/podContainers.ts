import type { KubeObject } from '../registry/types.ts';
import { prepareContainer, specInput } from '../runtime/container.ts';
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

/** The container's mounts of the pod's emptyDir volumes, each the one layer its containers share. */
export function sharedMounts(cluster: string, pod: PodView, spec: ContainerSpec): SharedMount[] {
  const volumes = (pod as unknown as VolumePod).spec.volumes ?? [];
  const emptyDirs = new Set(volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name));
  return (spec.volumeMounts ?? []).filter((m) => emptyDirs.has(m.name) && !m.subPath).map((m) => ({
    mountPath: m.mountPath, key: `${cluster}/${pod.metadata.namespace ?? ''}/${pod.metadata.uid ?? ''}/volume:${m.name}`, ...(m.readOnly ? { readOnly: true } : {}),
  }));
}

/**
 * One container's filesystem and env; `layerKey` names its writable layer (one container instance:
 * a restart starts afresh), `mounts` the emptyDir layers it shares with the pod's other containers.
 */
export function containerInput(cluster: string, pod: PodView, spec: ContainerSpec, sources: PodSources | undefined): { input: ProgramInput; layerKey: string; mounts: SharedMount[] } {
  const volumePod = pod as unknown as VolumePod;
  const prepared = sources ? prepareContainer(volumePod, spec, sources, pod.status?.podIP) : undefined;
  const made = prepared && !prepared.error ? prepared.input : specInput(volumePod, spec, pod.status?.podIP);
  const containerID = containerStatuses(pod).find((s) => s.name === spec.name)?.containerID ?? '';
  const layerKey = `${cluster}/${pod.metadata.namespace ?? ''}/${pod.metadata.uid ?? ''}/${spec.name}/${containerID}`;
  const mounts = sharedMounts(cluster, pod, spec);
  return { input: { ...made, ...withSharedMounts(withLayer(layerKey, made.files, made.dirs), mounts) }, layerKey, mounts };
}
