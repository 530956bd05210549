import { timestamp } from '../../apimachinery/time.ts';
import { defaultClassOf } from '../../registry/resources/storageclasses.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { isDeleting, isTerminal } from './objects.ts';
import {
  claimClass, claimNamesOf, findMatchingVolume, mismatch, preBoundTo, selectedNodeAnnotation, waitsForConsumer,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from './volumeBinding.ts';

/**
 * The persistent volume controllers of kube-controller-manager (pkg/controller/volume/
 * persistentvolume, pvcprotection, pvprotection) plus the external provisioner a kubeadm
 * cluster installs for its default class (rancher.io/local-path, as kind's `standard`).
 *
 * Claims: an unbound claim binds the smallest Available volume that satisfies it (or the one
 * reserved for it through claimRef or volumeName); a claim of a class that waits for its first
 * consumer is left Pending until the scheduler names a node (volume.kubernetes.io/selected-node);
 * a claim of a provisioning class gets a new volume `pvc-<uid>` on that node. Volumes: Available,
 * Bound while their claim lives, then Released and reclaimed (Retain keeps them, Delete removes
 * them, Recycle makes them Available again). Protection finalizers go once nothing uses the object.
 * Every step reads the current state and writes only what differs, so passes are idempotent.
 */

const component = 'persistentvolume-controller';
const pvcProtection = 'kubernetes.io/pvc-protection';
const pvProtection = 'kubernetes.io/pv-protection';
const boundByController = 'pv.kubernetes.io/bound-by-controller';
const bindCompleted = 'pv.kubernetes.io/bind-completed';
const provisionedBy = 'pv.kubernetes.io/provisioned-by';
const provisionerAnnotations = ['volume.beta.kubernetes.io/storage-provisioner', 'volume.kubernetes.io/storage-provisioner'];
const noProvisioner = 'kubernetes.io/no-provisioner';

/** Provisioners this cluster runs (as data: the volume each makes, and the component its events name). */
const provisioners: Record<string, { component: string; volume(name: string, claim: PersistentVolumeClaim, node: string | undefined): Record<string, unknown> }> = {
  'rancher.io/local-path': {
    component: 'rancher.io/local-path_local-path-provisioner',
    volume: (name, claim) => ({ hostPath: { path: `/opt/local-path-provisioner/${name}_${claim.metadata.namespace}_${claim.metadata.name}`, type: 'DirectoryOrCreate' } }),
  },
};

type Kind = 'persistentvolumeclaims' | 'persistentvolumes';

/** The object as the pass holds it now (an earlier step of this pass may have rewritten it). */
function latest<T extends KubeObject>(pass: ControllerPass, kind: Kind, obj: T): T | undefined {
  return (pass.objects[kind] as KubeObject[]).find((o) => o.metadata.uid === obj.metadata.uid) as T | undefined;
}

const withAnnotation = (obj: KubeObject, key: string, value: string) => { (obj.metadata.annotations ??= {})[key] = value; };

async function ensureFinalizer<T extends KubeObject>(pass: ControllerPass, kind: Kind, obj: T, finalizer: string): Promise<T | undefined> {
  if (obj.metadata.finalizers?.includes(finalizer)) return obj;
  return await pass.update(kind, obj, (copy) => { copy.metadata.finalizers = [...(copy.metadata.finalizers ?? []), finalizer]; }) as T | undefined;
}

async function dropFinalizer(pass: ControllerPass, kind: Kind, obj: KubeObject, finalizer: string): Promise<void> {
  if (!obj.metadata.finalizers?.includes(finalizer)) return;
  await pass.update(kind, obj, (copy) => { copy.metadata.finalizers = copy.metadata.finalizers!.filter((f) => f !== finalizer); });
}

/** A volume's status with its phase, stamped when the phase changes. */
async function setVolumePhase(pass: ControllerPass, volume: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume | undefined> {
  const status = volume.status ?? {};
  const changed = status.phase !== phase;
  const next = {
    phase, ...(message ? { message } : {}),
    lastPhaseTransitionTime: changed || !status.lastPhaseTransitionTime ? timestamp(pass.now) : status.lastPhaseTransitionTime,
  };
  return await pass.writeStatus('persistentvolumes', volume, next);
}

/** bindVolumeToClaim + bindClaimToVolume: both sides, each written only where it differs. */
async function bind(pass: ControllerPass, volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
  const ref = volume.spec?.claimRef;
  let pv: PersistentVolume | undefined = volume;
  if (ref?.uid !== claim.metadata.uid || ref?.name !== claim.metadata.name) {
    pv = await pass.update('persistentvolumes', volume, (copy) => {
      const spec = ((copy as PersistentVolume).spec ??= {});
      if (!spec.claimRef) withAnnotation(copy, boundByController, 'yes');
      spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
    }) as PersistentVolume | undefined;
  }
  if (!pv) return;
  pv = await setVolumePhase(pass, pv, 'Bound');
  if (!pv) return;
  let pvc: PersistentVolumeClaim | undefined = claim;
  if (claim.spec?.volumeName !== pv.metadata.name || claim.metadata.annotations?.[bindCompleted] !== 'yes') {
    pvc = await pass.update('persistentvolumeclaims', claim, (copy) => {
      const spec = ((copy as PersistentVolumeClaim).spec ??= {});
      if (!spec.volumeName) withAnnotation(copy, boundByController, 'yes');
      spec.volumeName = pv!.metadata.name;
      withAnnotation(copy, bindCompleted, 'yes');
    }) as PersistentVolumeClaim | undefined;
  }
  if (!pvc) return;
  await pass.writeStatus('persistentvolumeclaims', pvc, { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity });
}

/** provisionClaimOperation(External) and the provisioner's own work: a volume made for the claim, reserved for it. */
async function provision(pass: ControllerPass, claim: PersistentVolumeClaim, sc: StorageClass): Promise<PersistentVolume | undefined> {
  const provisioner = sc.provisioner!;
  let pvc: PersistentVolumeClaim | undefined = claim;
  if (provisionerAnnotations.some((a) => claim.metadata.annotations?.[a] !== provisioner)) {
    pvc = await pass.update('persistentvolumeclaims', claim, (copy) => { for (const a of provisionerAnnotations) withAnnotation(copy, a, provisioner); }) as PersistentVolumeClaim | undefined;
    if (!pvc) return undefined;
  }
  await pass.eventOnce(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`, component);
  const simulated = provisioners[provisioner];
  if (!simulated) return undefined; // nothing runs it, as on a cluster without that provisioner
  const name = `pvc-${pvc.metadata.uid}`;
  const node = pvc.metadata.annotations?.[selectedNodeAnnotation];
  await pass.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`, simulated.component);
  const created = await pass.create('persistentvolumes', undefined, {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [provisionedBy]: provisioner, ...(node ? { 'local.path.provisioner/selected-node': node } : {}) } },
    spec: {
      accessModes: pvc.spec?.accessModes, capacity: { storage: pvc.spec?.resources?.requests?.storage },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc.metadata.name, namespace: pvc.metadata.namespace, resourceVersion: pvc.metadata.resourceVersion, uid: pvc.metadata.uid },
      ...simulated.volume(name, pvc, node),
      ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete', storageClassName: sc.metadata.name, volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
    },
  } as KubeObject) as PersistentVolume | undefined;
  if (!created) return undefined; // made by a racing pass (it binds next pass) or refused by the cluster's budget
  await pass.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`, simulated.component);
  return created;
}

/** syncUnboundClaim for a claim naming no volume. */
async function syncUnboundClaim(pass: ControllerPass, claim: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): Promise<void> {
  const selected = claim.metadata.annotations?.[selectedNodeAnnotation];
  const node = selected ? pass.objects.nodes.find((n) => n.metadata.name === selected) : undefined;
  const delayBinding = waitsForConsumer(claim, classes) && !selected;
  const volume = findMatchingVolume(claim, pass.objects.persistentvolumes, { delayBinding, node: node && { name: selected!, labels: node.metadata.labels ?? {} } });
  if (volume) return bind(pass, volume, claim);
  const className = claimClass(claim);
  const sc = classes.get(className);
  if (delayBinding) return pass.eventOnce(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', component);
  if (!className) return pass.eventOnce(claim, 'Warning', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set', component);
  if (!sc) return pass.eventOnce(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`, component);
  if (!sc.provisioner || sc.provisioner === noProvisioner) return pass.eventOnce(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${sc.provisioner ?? ''}`, component);
  const created = await provision(pass, claim, sc);
  const current = latest(pass, 'persistentvolumeclaims', claim);
  if (created && current) await bind(pass, created, current);
}

/** syncUnboundClaim for a claim that names its volume, and syncBoundClaim. */
async function syncClaimWithVolume(pass: ControllerPass, claim: PersistentVolumeClaim): Promise<void> {
  const name = claim.spec!.volumeName!;
  const volume = pass.objects.persistentvolumes.find((v) => v.metadata.name === name);
  if (!volume) {
    if (claim.metadata.annotations?.[bindCompleted] !== 'yes') return; // waits for the volume to appear
    await pass.writeStatus('persistentvolumeclaims', claim, { ...claim.status, phase: 'Lost' });
    return pass.eventOnce(claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!', component);
  }
  if (!volume.spec?.claimRef) {
    const why = mismatch(volume, claim);
    if (why) return pass.eventOnce(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${name}": ${why}`, component);
    return bind(pass, volume, claim);
  }
  if (preBoundTo(volume, claim)) return bind(pass, volume, claim);
  if (claim.metadata.annotations?.[bindCompleted] === 'yes') {
    await pass.writeStatus('persistentvolumeclaims', claim, { ...claim.status, phase: 'Lost' });
    return pass.eventOnce(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly', component);
  }
  return pass.eventOnce(claim, 'Warning', 'FailedBinding', `volume "${name}" already bound to a different claim.`, component);
}

/** pvcprotection: a deleted claim keeps its finalizer while a pod that is not finished mounts it. */
const inUse = (pass: ControllerPass, claim: PersistentVolumeClaim) =>
  pass.inNamespace('pods', claim.metadata.namespace).some((pod) => !isTerminal(pod) && claimNamesOf(pod).includes(claim.metadata.name!));

async function syncClaim(pass: ControllerPass, claim: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): Promise<void> {
  if (isDeleting(claim)) {
    if (!inUse(pass, claim)) await dropFinalizer(pass, 'persistentvolumeclaims', claim, pvcProtection);
    return;
  }
  let current = await ensureFinalizer(pass, 'persistentvolumeclaims', claim, pvcProtection);
  if (!current) return;
  if (current.spec?.volumeName) return syncClaimWithVolume(pass, current);
  // RetroactiveDefaultStorageClass: a claim made before there was a default class gets it now.
  const fallback = current.spec?.storageClassName == null ? defaultClassOf(pass.objects.storageclasses) : undefined;
  if (fallback) {
    current = await pass.update('persistentvolumeclaims', current, (copy) => { ((copy as PersistentVolumeClaim).spec ??= {}).storageClassName = fallback.metadata.name; }) as PersistentVolumeClaim | undefined;
    if (!current) return;
  }
  return syncUnboundClaim(pass, current, classes);
}

/** reclaimVolume for a volume whose claim is gone. */
async function reclaim(pass: ControllerPass, volume: PersistentVolume): Promise<void> {
  switch (volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
    case 'Retain': return;
    case 'Recycle': {
      const recycled = await pass.update('persistentvolumes', volume, (copy) => { delete (copy as PersistentVolume).spec!.claimRef; });
      if (!recycled) return;
      await setVolumePhase(pass, recycled as PersistentVolume, 'Available');
      return pass.event(recycled, 'Normal', 'VolumeRecycled', `Volume recycled`, component);
    }
    default: {
      const provisioner = volume.metadata.annotations?.[provisionedBy];
      if (provisioner && provisioners[provisioner]) {
        if (!isDeleting(volume)) await pass.remove('persistentvolumes', volume);
        return;
      }
      const message = `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`;
      if (volume.status?.phase === 'Failed') return;
      await setVolumePhase(pass, volume, 'Failed', message);
      return pass.eventOnce(volume, 'Warning', 'VolumeFailedDelete', message, component);
    }
  }
}

async function syncVolume(pass: ControllerPass, volume: PersistentVolume): Promise<void> {
  // pvprotection: a deleted volume goes once no claim is bound to it.
  if (isDeleting(volume) && volume.status?.phase !== 'Bound') return dropFinalizer(pass, 'persistentvolumes', volume, pvProtection);
  const current = isDeleting(volume) ? volume : await ensureFinalizer(pass, 'persistentvolumes', volume, pvProtection);
  if (!current) return;
  const ref = current.spec?.claimRef;
  // Free, or reserved for a claim that has not come yet.
  if (!ref?.uid) { if (current.status?.phase !== 'Available') await setVolumePhase(pass, current, 'Available'); return; }
  const claim = pass.inNamespace('persistentvolumeclaims', ref.namespace).find((c) => c.metadata.name === ref.name);
  if (claim && claim.metadata.uid === ref.uid) {
    if (claim.spec?.volumeName === current.metadata.name && current.status?.phase !== 'Bound') await setVolumePhase(pass, current, 'Bound');
    return; // otherwise the claim's own sync finishes the binding
  }
  if (current.status?.phase !== 'Released' && current.status?.phase !== 'Failed') {
    const released = await setVolumePhase(pass, current, 'Released');
    if (released) await reclaim(pass, released);
    return;
  }
  if (current.status?.phase === 'Released') await reclaim(pass, current);
}

export async function syncPersistentVolumes(pass: ControllerPass): Promise<void> {
  const classes = new Map(pass.objects.storageclasses.map((sc) => [sc.metadata.name!, sc]));
  for (const claim of [...pass.objects.persistentvolumeclaims]) {
    const current = latest(pass, 'persistentvolumeclaims', claim);
    if (current) await syncClaim(pass, current, classes);
  }
  for (const volume of [...pass.objects.persistentvolumes]) {
    const current = latest(pass, 'persistentvolumes', volume);
    if (current) await syncVolume(pass, current);
  }
}
