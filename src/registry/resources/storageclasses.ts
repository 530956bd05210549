import * as schema from '../../schema/storage.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { isQualifiedName } from '../../apimachinery/validation.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';
import { supported } from './volumes.ts';

/**
 * storage.k8s.io/v1 StorageClass: how claims that name it are provisioned and bound.
 * `kubectl get sc` marks the default class `(default)` after its name, as kube-apiserver's printer does.
 */
export type StorageClass = KubeObject & {
  provisioner?: string; parameters?: Record<string, string>; reclaimPolicy?: string; mountOptions?: string[];
  allowVolumeExpansion?: boolean; volumeBindingMode?: string; allowedTopologies?: unknown[];
};

const defaultAnnotations = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
/** storageutil.IsDefaultAnnotation. */
export const isDefaultClass = (sc: KubeObject): boolean => defaultAnnotations.some((a) => sc.metadata.annotations?.[a] === 'true');

/** GetDefaultClass: of the classes marked default, the newest (ties: by name). */
export function defaultClassOf(classes: readonly StorageClass[]): StorageClass | undefined {
  const marked = classes.filter(isDefaultClass);
  marked.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  return marked[0];
}

const reclaimPolicies = ['Delete', 'Retain'];
const bindingModes = ['Immediate', 'WaitForFirstConsumer'];
const forbiddenUpdate = (field: string): FieldError => ({ field, type: 'FieldValueForbidden', detail: `updates to ${field} are forbidden.` });

export const storageclasses = defineResource<StorageClass>({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass', namespaced: false,
  shortNames: ['sc'], verbs: allVerbs, schema: schema.storageClass,
  columns: [
    nameColumn,
    { name: 'Provisioner', type: 'string', description: 'provisioner indicates the type of the provisioner.' },
    { name: 'ReclaimPolicy', type: 'string', description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.' },
    { name: 'VolumeBindingMode', type: 'string', description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'allowVolumeExpansion shows whether the storage class allow volume expand.' },
    ageColumn,
  ],
  row: (sc, { now }) => [
    isDefaultClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete',
    sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false, age(sc, now),
  ],
  strategy: {
    // SetDefaults_StorageClass
    defaults(sc) {
      sc.reclaimPolicy ??= 'Delete';
      sc.volumeBindingMode ??= 'Immediate';
    },
    // ValidateStorageClass
    validate(sc) {
      const errs: FieldError[] = [];
      if (!sc.provisioner) errs.push({ field: 'provisioner', type: 'FieldValueRequired' });
      else for (const detail of isQualifiedName(sc.provisioner.toLowerCase())) errs.push({ field: 'provisioner', type: 'FieldValueInvalid', value: sc.provisioner, detail });
      if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(supported('reclaimPolicy', sc.reclaimPolicy, reclaimPolicies));
      if (!sc.volumeBindingMode) errs.push({ field: 'volumeBindingMode', type: 'FieldValueRequired' });
      else if (!bindingModes.includes(sc.volumeBindingMode)) errs.push(supported('volumeBindingMode', sc.volumeBindingMode, bindingModes));
      return errs;
    },
    // ValidateStorageClassUpdate
    validateUpdate(sc, old) {
      const errs: FieldError[] = [];
      if (JSON.stringify(sc.parameters ?? {}) !== JSON.stringify(old.parameters ?? {})) errs.push(forbiddenUpdate('parameters'));
      if (sc.provisioner !== old.provisioner) errs.push(forbiddenUpdate('provisioner'));
      if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbiddenUpdate('reclaimPolicy'));
      if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push({ field: 'volumeBindingMode', type: 'FieldValueInvalid', value: sc.volumeBindingMode, detail: 'field is immutable' });
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
