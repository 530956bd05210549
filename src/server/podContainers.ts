import type { KubeObject } from '../registry/types.ts';
import { prepareContainer, specInput } from '../runtime/container.ts';
import type { ContainerSpec, ContainerStatus } from '../runtime/stages.ts';
import type { ProgramInput } from '../runtime/timeline.ts';
import type { PodSources } from '../runtime/podenv.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { withLayer } from '../runtime/writableLayer.ts';

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

/** One container's filesystem and env; `layerKey` names its writable layer (one container instance: a restart starts afresh). */
export function containerInput(cluster: string, pod: PodView, spec: ContainerSpec, sources: PodSources | undefined): { input: ProgramInput; layerKey: string } {
  const volumePod = pod as unknown as VolumePod;
  const prepared = sources ? prepareContainer(volumePod, spec, sources, pod.status?.podIP) : undefined;
  const made = prepared && !prepared.error ? prepared.input : specInput(volumePod, spec, pod.status?.podIP);
  const containerID = containerStatuses(pod).find((s) => s.name === spec.name)?.containerID ?? '';
  const layerKey = `${cluster}/${pod.metadata.namespace ?? ''}/${pod.metadata.uid ?? ''}/${spec.name}/${containerID}`;
  return { input: { ...made, ...withLayer(layerKey, made.files, made.dirs) }, layerKey };
}
