import * as schema from '../../schema/storage.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * storage.k8s.io/v1 VolumeAttributesClass: CSI parameters a claim can switch between
 * (`volumeAttributesClassName`). Stored and printed; no driver here modifies a volume.
 */
type VolumeAttributesClass = KubeObject & { driverName?: string; parameters?: Record<string, string> };

export const volumeattributesclasses = defineResource<VolumeAttributesClass>({
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttributesClass', plural: 'volumeattributesclasses', singular: 'volumeattributesclass',
  namespaced: false, shortNames: ['vac'], verbs: allVerbs, schema: schema.volumeAttributesClass,
  columns: [
    nameColumn,
    { name: 'DriverName', type: 'string', description: 'Name of the CSI driver This field is immutable.' },
    ageColumn,
  ],
  row: (vac, { now }) => [vac.metadata.name, vac.driverName ?? '', age(vac, now)],
  strategy: {
    // ValidateVolumeAttributesClass(Update): a driver is required and, like the parameters, immutable.
    validate: (vac) => (vac.driverName ? [] : [{ field: 'driverName', type: 'FieldValueRequired' }]),
    validateUpdate: (vac, old) => [
      ...(vac.driverName === old.driverName ? [] : [{ field: 'driverName', type: 'FieldValueInvalid' as const, value: vac.driverName, detail: 'field is immutable' }]),
      ...(JSON.stringify(vac.parameters ?? {}) === JSON.stringify(old.parameters ?? {}) ? [] : [{ field: 'parameters', type: 'FieldValueInvalid' as const, value: vac.parameters, detail: 'field is immutable' }]),
    ],
  },
});
