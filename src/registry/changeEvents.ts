import type { ChangeEvent, Queue } from '../ports.ts';
import type { KubeObject, ResourceDef } from './types.ts';

/**
 * The last step of every committed write: its change event to the queue, which drives the
 * scheduler, the kubelets and the controllers. A lost event is not an error here: the
 * write is committed, and the periodic resync repairs what the event would have started.
 */
export async function emitChange(queue: Queue, cluster: string, def: ResourceDef, obj: KubeObject, type: ChangeEvent['type'], revision: number): Promise<void> {
  const event: ChangeEvent = { cluster, group: def.group, resource: def.plural, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name!, type, revision };
  try {
    await queue.send(event);
  } catch {
    // See above: the resync repairs it.
  }
}
