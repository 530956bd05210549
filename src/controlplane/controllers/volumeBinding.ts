import { quantityValue } from '../../apimachinery/quantity.ts';
import { selectorMatches } from '../../apimachinery/selectors.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import type { StorageClass } from '../../registry/resources/storageclasses.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../../registry/resources/volumes.ts';
import { termMatches } from '../scheduler/plugins.ts';
import type { NodeSelectorTerm } from '../scheduler/snapshot.ts';

/**
 * What the PV controller and the scheduler's VolumeBinding plugin agree on
 * (pkg/controller/volume/persistentvolume/util, component-helpers/storage/volume):
 * a claim's class, whether its binding waits for a consumer, and which volume fits it.
 */

export type { PersistentVolume, PersistentVolumeClaim } from '../../registry/resources/volumes.ts';
export type { StorageClass } from '../../registry/resources/storageclasses.ts';

/** The node the scheduler chose for a claim whose binding waited for its first consumer. */
export const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';

export const claimClass = (claim: PersistentVolumeClaim): string => claim.spec?.storageClassName ?? '';
export const volumeClass = (volume: PersistentVolume): string => volume.spec?.storageClassName ?? '';

/** Claims a pod mounts, by name (ephemeral volumes aside). */
export function claimNamesOf(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => {
    const claimName = (v as { persistentVolumeClaim?: { claimName?: string } }).persistentVolumeClaim?.claimName;
    return claimName ? [claimName] : [];
  });
}

/** IsDelayBindingMode: the claim's class binds on the first consumer. */
export const waitsForConsumer = (claim: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): boolean =>
  classes.get(claimClass(claim))?.volumeBindingMode === 'WaitForFirstConsumer';

interface NodeView { name: string; labels: Record<string, string> }

/** CheckNodeAffinity: a volume without required node affinity is reachable from every node. */
export function volumeReachableFrom(volume: PersistentVolume, node: NodeView): boolean {
  const terms = (volume.spec?.nodeAffinity as { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } } | undefined)?.required?.nodeSelectorTerms;
  return !terms || terms.some((t) => termMatches(t, node));
}

const storageOf = (list: Record<string, string | number> | undefined) => quantityValue(list?.storage ?? 0);

/** Is the volume reserved for this very claim (claimRef by name, and by uid once it has one)? */
export const preBoundTo = (volume: PersistentVolume, claim: PersistentVolumeClaim): boolean => {
  const ref = volume.spec?.claimRef;
  return !!ref && ref.name === claim.metadata.name && (ref.namespace ?? '') === claim.metadata.namespace && (!ref.uid || ref.uid === claim.metadata.uid);
};

/** checkVolumeSatisfyClaim: why the volume cannot serve the claim, or undefined. */
export function mismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (storageOf(volume.spec?.capacity) < storageOf(claim.spec?.resources?.requests)) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if ((volume.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  if (!(claim.spec?.accessModes ?? []).every((m) => volume.spec?.accessModes?.includes(m))) return 'incompatible accessMode';
  return undefined;
}

/**
 * FindMatchingVolume: a volume reserved for the claim if there is one, else the smallest
 * Available volume that satisfies it (capacity, class, mode, access modes, selector). A claim
 * still waiting for its consumer takes only reserved volumes; once a node is chosen, only
 * volumes reachable from that node.
 */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], options: { delayBinding: boolean; node?: NodeView }): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const volume of volumes) {
    if (volume.metadata.deletionTimestamp || mismatch(volume, claim)) continue;
    if (options.node && !volumeReachableFrom(volume, options.node)) continue;
    if (preBoundTo(volume, claim)) return volume;
    if (volume.spec?.claimRef || options.delayBinding || volume.status?.phase !== 'Available') continue;
    // a claim without a selector takes any volume (selectorMatches treats nil as "nothing")
    if (claim.spec?.selector && !selectorMatches(claim.spec.selector, volume.metadata.labels ?? {})) continue;
    if (!best || storageOf(volume.spec?.capacity) < storageOf(best.spec?.capacity)) best = volume;
  }
  return best;
}
