import * as schema from '../../schema/cluster.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';
import { hash64 } from '../../apimachinery/hash.ts';
import { microTimestamp } from '../../apimachinery/time.ts';

/** coordination.k8s.io/v1 Lease: leader election and node heartbeats. */

type Lease = KubeObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number; renewTime?: string } };

/** Where each node's kubelet keeps its heartbeat lease. */
export const nodeLeaseNamespace = 'kube-node-lease';
/** The kubelet renews its lease every quarter of its 40 s duration. */
const renewIntervalMs = 10_000;

/** A node's own lease: in kube-node-lease, owned by the Node it is named after and held by it. */
const isNodeLease = (lease: Lease) => lease.metadata.namespace === nodeLeaseNamespace && lease.spec?.holderIdentity === lease.metadata.name &&
  (lease.metadata.ownerReferences as Array<{ kind?: string; name?: string }> | undefined ?? []).some((o) => o.kind === 'Node' && o.name === lease.metadata.name);

/**
 * The latest renewal a kubelet would have made by `now`: every 10 s, at an offset of
 * its own (kubelets do not renew in step), to the microsecond as MicroTime shows it.
 */
export function nodeLeaseRenewTime(node: string, now: number): string {
  const offset = parseInt(hash64(node).slice(0, 8), 16) % renewIntervalMs;
  return microTimestamp(Math.floor((now - offset) / renewIntervalMs) * renewIntervalMs + offset);
}

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
    /** Node leases look renewed (virtual, as node heartbeats are): computed when read, so an idle cluster writes nothing. */
    decorate(lease, { now }) {
      if (isNodeLease(lease)) lease.spec!.renewTime = nodeLeaseRenewTime(lease.metadata.name!, now.getTime());
    },
    allowUnconditionalUpdate: true,
  },
});
