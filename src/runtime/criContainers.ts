import { hex64 } from './images.ts';
import { specInput, type RunnableContainer } from './container.ts';
import type { CriContainer } from './nodeFiles.ts';
import { programFor } from './programs.ts';
import type { ContainerStatus } from './stages.ts';
import { linesBetween } from './timeline.ts';
import type { VolumePod } from './volumes.ts';

/**
 * What containerd holds on a node, as `crictl ps -a` lists it: every container of the pods
 * bound there, from their statuses, with the last lines each printed (`crictl logs`), read
 * from its program as `kubectl logs` reads them.
 */

type NodePod = VolumePod & {
  spec: { nodeName?: string; containers?: RunnableContainer[] };
  status?: { containerStatuses?: ContainerStatus[] };
};

const maxLogLines = 200;

export function criContainers(pods: NodePod[], node: string, now: number): CriContainer[] {
  const out: CriContainer[] = [];
  for (const pod of pods) {
    if (pod.spec.nodeName !== node) continue;
    for (const status of pod.status?.containerStatuses ?? []) {
      const spec = ((pod.spec.containers ?? []) as RunnableContainer[]).find((c) => c.name === status.name);
      const started = Date.parse(status.state.running?.startedAt ?? status.state.terminated?.startedAt ?? '');
      if (!spec || !status.containerID || Number.isNaN(started)) continue;
      const finished = Date.parse(status.state.terminated?.finishedAt ?? '');
      const program = programFor(specInput(pod, spec));
      const logs = linesBetween(program, started, started, Number.isNaN(finished) ? now : finished + 1000).map((l) => l.text).slice(-maxLogLines);
      out.push({
        id: status.containerID.replace(/^\w+:\/\//, ''), image: (status.imageID.split('sha256:')[1] ?? hex64(spec.image ?? '')),
        createdAt: started, state: status.state.running ? 'Running' : 'Exited', name: status.name, attempt: status.restartCount,
        podId: hex64(pod.metadata.uid ?? pod.metadata.name ?? ''), pod: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', logs,
      });
    }
  }
  return out;
}
