import * as schema from '../../schema/resource.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * resource.k8s.io/v1, dynamic resource allocation: stored and printed as kube-apiserver prints
 * them. No driver publishes devices here and the scheduler allocates no claim, so a claim stays
 * `pending` (as on a cluster without a DRA driver).
 */
type ResourceClaim = KubeObject & { status?: { allocation?: unknown; reservedFor?: unknown[] } };
type ResourceSlice = KubeObject & { spec?: { driver?: string; nodeName?: string; pool?: { name?: string } } };

const dra = { group: 'resource.k8s.io', version: 'v1', verbs: allVerbs } as const;

/** resourceClaimStateString in printers.go: deleted, pending or allocated(,reserved|,deallocating). */
function claimState(claim: ResourceClaim): string {
  const states: string[] = [];
  const deleting = Boolean(claim.metadata.deletionTimestamp);
  if (deleting) states.push('deleted');
  if (!claim.status?.allocation) {
    if (!deleting) states.push('pending');
  } else {
    states.push('allocated');
    if (claim.status.reservedFor?.length) states.push('reserved');
    else if (deleting) states.push('deallocating');
  }
  return states.join(',');
}

export const deviceclasses = defineResource<KubeObject>({
  ...dra, kind: 'DeviceClass', plural: 'deviceclasses', singular: 'deviceclass', namespaced: false, schema: schema.deviceClass,
  columns: [nameColumn, ageColumn],
  row: (dc, { now }) => [dc.metadata.name, age(dc, now)],
});

export const resourceclaims = defineResource<ResourceClaim>({
  ...dra, kind: 'ResourceClaim', plural: 'resourceclaims', singular: 'resourceclaim', namespaced: true, schema: schema.resourceClaim, subresources: ['status'],
  columns: [
    nameColumn,
    { name: 'State', type: 'string', description: 'A summary of the current state (allocated, pending, reserved, etc.).' },
    ageColumn,
  ],
  row: (claim, { now }) => [claim.metadata.name, claimState(claim), age(claim, now)],
});

export const resourceclaimtemplates = defineResource<KubeObject>({
  ...dra, kind: 'ResourceClaimTemplate', plural: 'resourceclaimtemplates', singular: 'resourceclaimtemplate', namespaced: true, schema: schema.resourceClaimTemplate,
  columns: [nameColumn, ageColumn],
  row: (template, { now }) => [template.metadata.name, age(template, now)],
});

export const resourceslices = defineResource<ResourceSlice>({
  ...dra, kind: 'ResourceSlice', plural: 'resourceslices', singular: 'resourceslice', namespaced: false, schema: schema.resourceSlice,
  columns: [
    nameColumn,
    { name: 'Node', type: 'string', description: 'NodeName identifies the node which provides the resources in this pool.' },
    { name: 'Driver', type: 'string', description: 'Driver identifies the DRA driver providing the capacity information.' },
    { name: 'Pool', type: 'string', description: 'Pool describes the pool that this ResourceSlice belongs to.' },
    ageColumn,
  ],
  row: (slice, { now }) => [slice.metadata.name, slice.spec?.nodeName ?? '', slice.spec?.driver ?? '', slice.spec?.pool?.name ?? '', age(slice, now)],
});
