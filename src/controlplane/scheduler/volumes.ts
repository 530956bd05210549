import type { Pod } from '../../registry/resources/pods.ts';
import {
  claimNamesOf, findMatchingVolume, selectedNodeAnnotation, volumeReachableFrom, waitsForConsumer,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../controllers/volumeBinding.ts';
import type { FilterStatus } from './plugins.ts';
import type { NodeInfo } from './snapshot.ts';

/**
 * kube-scheduler's VolumeBinding plugin (pkg/scheduler/framework/plugins/volumebinding) for one
 * pod: PreFilter refuses a pod whose claims are missing, going, or unbound with Immediate binding;
 * Filter keeps the nodes its bound volumes reach and where its waiting claims can be bound or
 * provisioned; PreBind names the chosen node on those claims and waits for the PV controller
 * to bind them (the pod is bound once they are, on a later pass).
 */

export interface StorageView {
  persistentvolumeclaims: PersistentVolumeClaim[];
  persistentvolumes: PersistentVolume[];
  storageclasses: StorageClass[];
}

export interface PodVolumes {
  /** PreFilter's refusal: the same for every node. */
  refused?: string;
  /** Claims the scheduler already handed to the PV controller: binding is in progress. */
  binding: boolean;
  filter(node: NodeInfo): FilterStatus | undefined;
  /** Claims waiting for a consumer that get the chosen node (PreBind). */
  toSelect: PersistentVolumeClaim[];
}

const unresolvable = (reason: string): FilterStatus => ({ reasons: [reason], unresolvable: true });
const noVolumes: PodVolumes = { binding: false, filter: () => undefined, toSelect: [] };
const noProvisioner = 'kubernetes.io/no-provisioner';

export function podVolumes(pod: Pod, view: StorageView | undefined): PodVolumes {
  const names = claimNamesOf(pod);
  if (!names.length || !view) return noVolumes;
  const classes = new Map(view.storageclasses.map((sc) => [sc.metadata.name!, sc]));
  const claims: PersistentVolumeClaim[] = [];
  for (const name of names) {
    const claim = view.persistentvolumeclaims.find((c) => c.metadata.namespace === pod.metadata.namespace && c.metadata.name === name);
    if (!claim) return { ...noVolumes, refused: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata.deletionTimestamp) return { ...noVolumes, refused: `persistentvolumeclaim "${name}" is being deleted` };
    claims.push(claim);
  }
  const bound = claims.filter((c) => c.spec?.volumeName);
  const unbound = claims.filter((c) => !c.spec?.volumeName);
  if (unbound.some((c) => !waitsForConsumer(c, classes))) return { ...noVolumes, refused: 'pod has unbound immediate PersistentVolumeClaims' };
  if (unbound.some((c) => c.metadata.annotations?.[selectedNodeAnnotation])) return { ...noVolumes, binding: true };
  const volumes = bound.map((c) => view.persistentvolumes.find((v) => v.metadata.name === c.spec!.volumeName)).filter((v): v is PersistentVolume => !!v);
  return {
    binding: false,
    toSelect: unbound,
    filter(node) {
      if (volumes.some((v) => !volumeReachableFrom(v, node))) return unresolvable('node(s) had volume node affinity conflict');
      const bindable = unbound.every((c) => findMatchingVolume(c, view.persistentvolumes, { delayBinding: false, node })
        || ((p) => !!p && p !== noProvisioner)(classes.get(c.spec?.storageClassName ?? '')?.provisioner));
      return bindable ? undefined : unresolvable("node(s) didn't find available persistent volumes to bind");
    },
  };
}
