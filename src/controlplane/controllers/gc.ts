import type { KubeObject } from '../../registry/types.ts';
import { ApiError } from '../../apimachinery/errors.ts';
import type { ControllerPass, Kind } from './context.ts';
import { isDeleting, ownerReferences, type OwnerReference } from './objects.ts';

/**
 * The garbage collector (pkg/controller/garbagecollector), for the owners and
 * dependents the control plane knows: pods, ReplicaSets, Jobs and ControllerRevisions
 * owned by workloads, mirror pods by their Node, EndpointSlices by their Service, the
 * claims of a StatefulSet whose retention policy deletes them with it.
 *
 * - Background (kubectl's default): the owner is gone; a dependent whose every
 *   owner is gone is deleted, one whose other owners remain loses the reference.
 * - Orphan: the owner waits with the `orphan` finalizer while its dependents
 *   lose their reference to it, then goes.
 * - Foreground: the owner waits with `foregroundDeletion` while its dependents
 *   are deleted (in foreground too); it goes once none that blocks is left.
 *
 * "Gone" is checked with a live read before anything is deleted, as the real
 * collector does, so a list that raced with a create never deletes a live object.
 */

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';

/** Owner kinds by `<group>/<Kind>`, to the pass's list of them. */
const ownerKinds: Record<string, Kind> = {
  '/Node': 'nodes', 'apps/Deployment': 'deployments', 'apps/ReplicaSet': 'replicasets', 'apps/DaemonSet': 'daemonsets',
  'apps/StatefulSet': 'statefulsets', 'batch/Job': 'jobs', 'batch/CronJob': 'cronjobs', '/Service': 'services',
};
const dependentKinds: Kind[] = ['pods', 'replicasets', 'jobs', 'controllerrevisions', 'endpointslices', 'persistentvolumeclaims'];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const ownerKindOf = (ref: OwnerReference): Kind | undefined => ownerKinds[`${groupOf(ref.apiVersion ?? '')}/${ref.kind}`];

/** Is the owner really gone (or replaced by a namesake)? A live read, not the pass's view. */
async function absent(pass: ControllerPass, ref: OwnerReference, kind: Kind, dependent: KubeObject): Promise<boolean> {
  const def = pass.def(kind);
  try {
    const owner = await pass.registry.get(def, def.namespaced ? dependent.metadata.namespace : undefined, ref.name);
    return owner.metadata.uid !== ref.uid;
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return true;
    throw err;
  }
}

const hasFinalizer = (obj: KubeObject, name: string) => isDeleting(obj) && !!obj.metadata.finalizers?.includes(name);

export async function collectGarbage(pass: ControllerPass): Promise<void> {
  const owners = new Map<string, KubeObject>();
  for (const kind of new Set(Object.values(ownerKinds))) for (const obj of pass.objects[kind] as KubeObject[]) owners.set(obj.metadata.uid!, obj);

  for (const kind of dependentKinds) {
    for (const dependent of [...(pass.objects[kind] as KubeObject[])]) {
      const refs = ownerReferences(dependent);
      if (!refs.length) continue;
      const drop = new Set<string>();
      let dangling = 0, foreground = false;
      for (const ref of refs) {
        const ownerKind = ownerKindOf(ref);
        if (!ownerKind) continue;
        const owner = owners.get(ref.uid);
        if (!owner) {
          if (await absent(pass, ref, ownerKind, dependent)) { drop.add(ref.uid); dangling++; }
        } else if (hasFinalizer(owner, orphanFinalizer)) drop.add(ref.uid);
        else if (hasFinalizer(owner, foregroundFinalizer)) foreground = true;
      }
      if (dangling && dangling === refs.length) {
        if (!isDeleting(dependent)) await pass.remove(kind, dependent, { propagationPolicy: 'Background' });
      } else if (drop.size) {
        await pass.update(kind, dependent, (copy) => { copy.metadata.ownerReferences = ownerReferences(copy).filter((r) => !drop.has(r.uid)); });
      } else if (foreground && !isDeleting(dependent)) {
        // Its own dependents go first too, so the whole chain is gone before the owner.
        await pass.remove(kind, dependent, { propagationPolicy: kind === 'pods' ? undefined : 'Foreground' });
      }
    }
  }

  // Owners waiting on the collector: release them once nothing (that blocks) refers to them.
  const waiting = [...owners.values()].filter((o) => hasFinalizer(o, orphanFinalizer) || hasFinalizer(o, foregroundFinalizer));
  if (!waiting.length) return;
  const referenced = new Set<string>(), blocking = new Set<string>();
  for (const kind of dependentKinds) {
    for (const dependent of pass.objects[kind] as KubeObject[]) {
      for (const ref of ownerReferences(dependent)) {
        referenced.add(ref.uid);
        if (ref.blockOwnerDeletion) blocking.add(ref.uid);
      }
    }
  }
  for (const owner of waiting) {
    const done = (owner.metadata.finalizers ?? []).filter((f) =>
      (f === orphanFinalizer && !referenced.has(owner.metadata.uid!)) || (f === foregroundFinalizer && !blocking.has(owner.metadata.uid!)));
    if (!done.length) continue;
    const kind = ownerKinds[`${groupOf(owner.apiVersion ?? '')}/${owner.kind}`];
    // The registry removes an object whose deletion waits on no finalizer any more.
    await pass.update(kind, owner, (copy) => { copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => !done.includes(f)); });
  }
}
