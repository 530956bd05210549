import { ApiError, conflict, invalid } from '../../apimachinery/errors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import type { ClusterWriter, KubeObject, ResourceDef } from '../types.ts';

/** What BindingREST answers a Binding with, whichever path it was posted to. */
export const bindingSucceeded = () => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });

/**
 * pods/binding (BindingREST): sets spec.nodeName exactly once, with the
 * PodScheduled condition, through compare-and-swap like every other write.
 * The scheduler binds through it, and so does a POST to pods/<name>/binding.
 */
export async function bindPod(registry: Pick<ClusterWriter, 'mutate' | 'now'>, pods: ResourceDef, namespace: string, name: string, binding: KubeObject, dryRun = false): Promise<KubeObject> {
  const target = (binding as { target?: { name?: string; kind?: string } }).target;
  if (!target?.name) throw new ApiError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, { name, kind: 'Binding', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
  // As ValidatePodBinding: a pod binds to a Node only (anything else would set spec.nodeName to a non-node).
  if (target.kind && target.kind !== 'Node') {
    throw invalid('Binding', '', name, [{ field: 'target.kind', type: 'FieldValueNotSupported', value: target.kind, detail: 'supported values: "Node", "<empty>"' }]);
  }
  if (binding.metadata?.name && binding.metadata.name !== name) throw new ApiError(400, 'BadRequest', `name in URL does not match name in Binding object`);
  const now = timestamp(registry.now());
  return registry.mutate(pods, namespace, name, (pod) => {
    const spec = pod.spec as { nodeName?: string };
    if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods' }, name, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw conflict({ group: '', resource: 'pods' }, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = target.name;
    const status = ((pod as { status?: { conditions?: Array<Record<string, unknown>> } }).status ??= {});
    const conditions = (status.conditions ??= []).filter((cond) => cond.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
    status.conditions = conditions;
    return pod;
  }, { dryRun, subresource: 'binding' });
}
