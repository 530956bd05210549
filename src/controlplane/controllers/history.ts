import type { PodTemplateSpec } from '../../registry/podTemplate.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { controllerRef, isDeleting, type ControllerRevision, type Workload } from './objects.ts';

/**
 * ControllerRevisions (pkg/controller/history): the template history of
 * DaemonSets and StatefulSets, one object per template, named `<owner>-<hash>`.
 * `kubectl rollout history` lists them and `kubectl rollout undo` applies one's
 * data back onto the owner, a strategic merge patch replacing the template.
 */

export const revisionName = (owner: KubeObject, hash: string) => `${owner.metadata.name}-${hash}`;

export function revisionObject(owner: Workload, hash: string, revision: number, hashLabel: string): ControllerRevision {
  const template: PodTemplateSpec = structuredClone(owner.spec.template ?? {});
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: revisionName(owner, hash), namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [hashLabel]: hash },
      ownerReferences: [controllerRef(owner)],
    },
    data: { spec: { template: { ...template, $patch: 'replace' } } },
    revision,
  };
}

/**
 * Makes sure the current template has a revision numbered above all others (a
 * rollback re-numbers the one it returns to), and drops unused old ones beyond
 * revisionHistoryLimit. A steady owner costs no write.
 */
export async function syncHistory(pass: ControllerPass, owner: Workload, hash: string, hashLabel: string, inUse: Set<string>): Promise<void> {
  const revisions = pass.ownedBy('controllerrevisions', owner).filter((r) => !isDeleting(r));
  const name = revisionName(owner, hash);
  const current = revisions.find((r) => r.metadata.name === name);
  const max = Math.max(0, ...revisions.map((r) => r.revision ?? 0));
  if (!current) await pass.create('controllerrevisions', owner.metadata.namespace, revisionObject(owner, hash, max + 1, hashLabel));
  else if ((current.revision ?? 0) < max) await pass.update('controllerrevisions', current, (copy) => { (copy as ControllerRevision).revision = max + 1; });
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const old = revisions.filter((r) => r.metadata.name !== name && !inUse.has(r.metadata.labels?.[hashLabel] ?? '')).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) await pass.remove('controllerrevisions', r);
}
