import * as schema from '../../schema/coreExtras.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { validateLabelSelector, type LabelSelector } from '../../apimachinery/selectors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** core/v1 PersistentVolumeClaim and PersistentVolume: storage asked for and storage offered. */

type ResourceList = Record<string, string | number>;
interface ClaimSpec {
  accessModes?: string[]; selector?: LabelSelector; resources?: { requests?: ResourceList; limits?: ResourceList }; volumeName?: string;
  storageClassName?: string; volumeMode?: string; volumeAttributesClassName?: string; [k: string]: unknown;
}
type Claim = KubeObject & { spec?: ClaimSpec; status?: { phase?: string; accessModes?: string[]; capacity?: ResourceList } };
interface VolumeSpec {
  capacity?: ResourceList; accessModes?: string[]; claimRef?: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string }; persistentVolumeReclaimPolicy?: string;
  storageClassName?: string; volumeMode?: string; volumeAttributesClassName?: string; [k: string]: unknown;
}
type Volume = KubeObject & { spec?: VolumeSpec; status?: { phase?: string; reason?: string; message?: string; lastPhaseTransitionTime?: string } };
export type { Claim as PersistentVolumeClaim, ClaimSpec as PersistentVolumeClaimSpec, Volume as PersistentVolume, VolumeSpec as PersistentVolumeSpec };

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];
/** helper.GetAccessModesAsString: short names in a fixed order. */
const shortModes: Array<[string, string]> = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
const modesCell = (modes: string[] | undefined) => shortModes.filter(([m]) => modes?.includes(m)).map(([, s]) => s).join(',');

/** field.NotSupported. */
export const supported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

function validateModes(modes: string[] | undefined, path: string): FieldError[] {
  if (!modes?.length) return [{ field: path, type: 'FieldValueRequired', detail: 'at least 1 access mode is required' }];
  const errs = modes.filter((m) => !accessModes.includes(m)).map((m) => supported(path, m, accessModes));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errs.push({ field: path, type: 'FieldValueForbidden', detail: 'may not use ReadWriteOncePod with other access modes' });
  }
  return errs;
}

/** `<unset>` for the optional class and mode cells. */
const unset = (value: string | undefined) => value ?? '<unset>';

export const persistentvolumeclaims = defineResource<Claim>({
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true,
  shortNames: ['pvc'], verbs: allVerbs, subresources: ['status'], schema: schema.persistentVolumeClaim,
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'phase represents the current phase of PersistentVolumeClaim.' },
    { name: 'Volume', type: 'string', description: 'volumeName is the binding reference to the PersistentVolume backing this claim.' },
    { name: 'Capacity', type: 'string', description: 'capacity represents the actual resources of the underlying volume.' },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains the actual access modes the volume backing the PVC has.' },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc' },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc' },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.' },
  ],
  row(pvc, { now }) {
    const spec = pvc.spec ?? {};
    const bound = !!spec.volumeName;
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
    return [pvc.metadata.name, phase, spec.volumeName ?? '', bound ? String(pvc.status?.capacity?.storage ?? '') : '', bound ? modesCell(pvc.status?.accessModes) : '',
      spec.storageClassName ?? '', unset(spec.volumeAttributesClassName), age(pvc, now), unset(spec.volumeMode)];
  },
  fieldSelectors: { 'spec.volumeName': (o) => o.spec?.volumeName ?? '' },
  strategy: {
    defaults(obj) { (obj.spec ??= {}).volumeMode ??= 'Filesystem'; },
    prepareForCreate(obj) { obj.status = { phase: 'Pending' }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = [...validateModes(spec.accessModes, 'spec.accessModes'), ...validateLabelSelector(spec.selector, 'spec.selector')];
      if (spec.resources?.requests?.storage == null) errs.push({ field: 'spec.resources[storage]', type: 'FieldValueRequired' });
      if (spec.volumeMode && !volumeModes.includes(spec.volumeMode)) errs.push(supported('spec.volumeMode', spec.volumeMode, volumeModes));
      return errs;
    },
    /** ValidatePersistentVolumeClaimUpdate: only requests may grow (and the attributes class change) after creation. */
    validateUpdate(obj, old) {
      const frozen = (o: Claim) => {
        const spec = structuredClone(o.spec ?? {});
        delete spec.resources;
        delete spec.volumeAttributesClassName;
        // binding fills the volume name in once; a claim without a class may get the default one later (RetroactiveDefaultStorageClass)
        if (!old.spec?.volumeName) delete spec.volumeName;
        if (old.spec?.storageClassName == null) delete spec.storageClassName;
        return JSON.stringify(Object.entries(spec).sort());
      };
      if (frozen(obj) === frozen(old)) return [];
      return [{ field: 'spec', type: 'FieldValueForbidden', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }];
    },
    allowUnconditionalUpdate: true,
  },
});

/** PersistentVolumeSource members: a volume names exactly one. */
const volumeSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker',
  'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];

export const persistentvolumes = defineResource<Volume>({
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume', namespaced: false,
  shortNames: ['pv'], verbs: allVerbs, subresources: ['status'], schema: schema.persistentVolume,
  columns: [
    nameColumn,
    { name: 'Capacity', type: 'string', description: 'capacity is the description of the persistent volume\'s resources and capacity.' },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains all ways the volume can be mounted.' },
    { name: 'Reclaim Policy', type: 'string', description: 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.' },
    { name: 'Status', type: 'string', description: 'phase indicates if a volume is available, bound to a claim, or released by a claim.' },
    { name: 'Claim', type: 'string', description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.' },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv' },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv' },
    { name: 'Reason', type: 'string', description: 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.' },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.' },
  ],
  row(pv, { now }) {
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
    return [pv.metadata.name, String(spec.capacity?.storage ?? ''), modesCell(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim,
      spec.storageClassName ?? '', unset(spec.volumeAttributesClassName), pv.status?.reason ?? '', age(pv, now), unset(spec.volumeMode)];
  },
  strategy: {
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.persistentVolumeReclaimPolicy ||= 'Retain';
      spec.volumeMode ??= 'Filesystem';
    },
    // PersistentVolumeLastPhaseTransitionTime (GA in 1.31): every phase change is stamped
    prepareForCreate(obj, { now }) { obj.status = { phase: 'Pending', lastPhaseTransitionTime: timestamp(now) }; },
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs = validateModes(spec.accessModes, 'spec.accessModes');
      const capacity = Object.keys(spec.capacity ?? {});
      if (!capacity.length) errs.push({ field: 'spec.capacity', type: 'FieldValueRequired' });
      else if (!capacity.includes('storage') || capacity.length > 1) errs.push(supported('spec.capacity', spec.capacity, ['storage']));
      const sources = volumeSources.filter((s) => spec[s] != null);
      if (!sources.length) errs.push({ field: 'spec', type: 'FieldValueRequired', detail: 'must specify a volume type' });
      else if (sources.length > 1) errs.push({ field: `spec.${sources[1]}`, type: 'FieldValueForbidden', detail: 'may not specify more than 1 volume type' });
      if (spec.persistentVolumeReclaimPolicy && !reclaimPolicies.includes(spec.persistentVolumeReclaimPolicy)) {
        errs.push(supported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, reclaimPolicies));
      }
      if (spec.volumeMode && !volumeModes.includes(spec.volumeMode)) errs.push(supported('spec.volumeMode', spec.volumeMode, volumeModes));
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
