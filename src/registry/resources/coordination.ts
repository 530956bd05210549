import * as schema from '../../schema/cluster.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** coordination.k8s.io/v1 Lease: leader election and node heartbeats. */

type Lease = KubeObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number } };

export const leases = defineResource<Lease>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true,
  verbs: allVerbs, schema: schema.lease,
  columns: [nameColumn, { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, obj.spec?.holderIdentity ?? '', age(obj, now)],
  strategy: {
    validate(obj) {
      const spec = obj.spec ?? {};
      const errs: FieldError[] = [];
      if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
        errs.push({ field: 'spec.leaseDurationSeconds', type: 'FieldValueInvalid', value: spec.leaseDurationSeconds, detail: 'must be greater than 0' });
      }
      if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
        errs.push({ field: 'spec.leaseTransitions', type: 'FieldValueInvalid', value: spec.leaseTransitions, detail: 'must be greater than or equal to 0' });
      }
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
