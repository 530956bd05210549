import { timestamp } from '../apimachinery/time.ts';
import type { Registry } from './generic.ts';
import type { KubeObject, ResourceDef } from './types.ts';

/**
 * A container's process ended outside its program's timeline: the shell a client attached to
 * on the container's held-open stdin (`kubectl debug node/… -it`, `kubectl run -it`) read
 * `exit`. The kubelet learns it from the runtime and reports the container terminated; a pod
 * that will not restart it ends (`Completed`, or `Error` for a non-zero code), as a debug pod
 * does. Written as the kubelet, through status, only while that container instance still runs.
 */

interface Terminated { exitCode: number; reason: string; startedAt?: string; finishedAt: string; containerID?: string }
interface Status { name: string; state: { running?: { startedAt?: string }; terminated?: Terminated; waiting?: unknown }; ready: boolean; started?: boolean; containerID?: string }
interface PodStatus { phase?: string; containerStatuses?: Status[]; conditions?: Array<{ type: string; status: string; reason?: string; lastTransitionTime?: string; message?: string }> }

/** Thrown inside the read-modify-write to leave the pod untouched. */
class Unchanged extends Error {}

export async function recordContainerExit(registry: Registry, def: ResourceDef, pod: KubeObject, container: string, containerID: string, code: number): Promise<void> {
  const finishedAt = timestamp(registry.now());
  try {
    await registry.as('kubelet').mutate(def, pod.metadata.namespace, pod.metadata.name!, (current) => {
      if (current.metadata.uid !== pod.metadata.uid) throw new Unchanged();
      const status = (current.status ?? {}) as PodStatus;
      const entry = status.containerStatuses?.find((s) => s.name === container && s.containerID === containerID && s.state.running);
      if (!entry) throw new Unchanged();
      entry.state = { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: entry.state.running?.startedAt, finishedAt, containerID } };
      entry.ready = false;
      entry.started = false;
      const policy = (current.spec as { restartPolicy?: string }).restartPolicy ?? 'Always';
      const restarts = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
      const all = status.containerStatuses ?? [];
      if (!restarts && all.every((s) => s.state.terminated)) {
        status.phase = all.every((s) => s.state.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed';
        for (const c of status.conditions ?? []) {
          if (!['Ready', 'ContainersReady', 'PodReadyToStartContainers'].includes(c.type) || c.status === 'False') continue;
          Object.assign(c, { status: 'False', lastTransitionTime: finishedAt }, c.type === 'PodReadyToStartContainers' ? {} : { reason: 'PodCompleted' });
        }
      }
      current.status = status;
      return current;
    }, { subresource: 'status' });
  } catch {
    // The pod went, or that container is no longer the one that ran: nothing to report.
  }
}
