import { writes, type AdmissionPlugin } from '../admission.ts';
import type { KubeObject } from '../types.ts';
import { defaultClassOf, storageclasses, type StorageClass } from './storageclasses.ts';
import { persistentvolumeclaims, persistentvolumes } from './volumes.ts';

/**
 * kube-apiserver's storage admission plugins, in its order:
 * DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a new claim that
 * names no class (not even "") gets the default one, the newest if several are marked;
 * StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection): new
 * claims and volumes carry the protection finalizers the controllers remove once nothing uses them.
 */

type Claim = KubeObject & { spec?: { storageClassName?: string } };
const betaClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  phase: 'mutating',
  resources: ['persistentvolumeclaims'],
  async admit(request, objects) {
    if (!writes(request, '', persistentvolumeclaims.plural)) return;
    const pvc = request.object as Claim;
    if (pvc.spec?.storageClassName != null || pvc.metadata.annotations?.[betaClassAnnotation] != null) return;
    const def = defaultClassOf((await objects.list(storageclasses, undefined)).items as StorageClass[]);
    if (def) (pvc.spec ??= {}).storageClassName = def.metadata.name;
  },
};

const protectionFinalizers: Record<string, string> = {
  [persistentvolumeclaims.plural]: 'kubernetes.io/pvc-protection',
  [persistentvolumes.plural]: 'kubernetes.io/pv-protection',
};

export const storageObjectInUseProtection: AdmissionPlugin = {
  name: 'StorageObjectInUseProtection',
  phase: 'mutating',
  resources: ['persistentvolumeclaims', 'persistentvolumes'],
  async admit(request) {
    const finalizer = protectionFinalizers[request.def.plural];
    if (!finalizer || !writes(request, '', request.def.plural)) return;
    const meta = request.object!.metadata;
    if (!meta.finalizers?.includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  },
};
