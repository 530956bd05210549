import { ApiError } from '../apimachinery/errors.ts';
import { changedSince, snapshotPaths } from '../trace/diff.ts';
import type { RequestTrace } from '../trace/requestTrace.ts';
import type { ClusterObjects, HookContext, KubeObject, ResourceDef } from './types.ts';

/**
 * Admission (k8s.io/apiserver/pkg/admission): plugins that see every write after it is
 * decoded and before it is stored. Mutating plugins run first and may change the object;
 * then the kind's own validation; then validating plugins, which may only refuse.
 * A plugin refuses by throwing an ApiError, which the client gets as its Status.
 */

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
  /** The server made `name` from metadata.generateName (the client named no object). */
  nameGenerated?: boolean;
  /** The object as it would be stored (CREATE, UPDATE); a mutating plugin may change it in place. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** `status` or `binding` when the write goes through that subresource. */
  subresource?: string;
  dryRun: boolean;
  /** The moment, the cluster and the requesting user (absent when the server itself writes). */
  ctx: HookContext;
  /** Warnings for the client (admission.Attributes' AddWarning): sent as `Warning:` headers kubectl prints. */
  warnings: string[];
}

export interface AdmissionPlugin {
  /** As kube-apiserver's --enable-admission-plugins names it (`NamespaceLifecycle`). */
  name: string;
  phase: 'mutating' | 'validating';
  /** The resources (plurals) it acts on, when it names them: a trace compares the object only around those plugins. */
  resources?: readonly string[];
  admit(request: AdmissionRequest, objects: ClusterObjects): Promise<void>;
}

/** Runs the chain's plugins of one phase, in the chain's order (each one a step of the request's trace, when it has one). */
export async function runAdmission(chain: readonly AdmissionPlugin[], phase: AdmissionPlugin['phase'], request: AdmissionRequest, objects: ClusterObjects, trace?: RequestTrace): Promise<void> {
  if (trace) return tracedAdmission(chain, phase, request, objects, trace);
  for (const plugin of chain) if (plugin.phase === phase) await plugin.admit(request, objects);
}

/** metadata.managedFields is the registry's own bookkeeping, recorded after admission. */
const untracked = new Set(['metadata.managedFields']);

/** The chain with each plugin recorded: what a mutating plugin changed, or that a plugin refused (and why). */
async function tracedAdmission(chain: readonly AdmissionPlugin[], phase: AdmissionPlugin['phase'], request: AdmissionRequest, objects: ClusterObjects, trace: RequestTrace): Promise<void> {
  // Compared piecewise after each plugin that may act on this resource (a plugin declaring others is only run).
  let before = phase === 'mutating' && request.object ? snapshotPaths(request.object) : undefined;
  for (const plugin of chain) {
    if (plugin.phase !== phase) continue;
    const forOthers = plugin.resources && !plugin.resources.includes(request.def.plural);
    await trace.step('admission', plugin.name, () => plugin.admit(request, objects), () => {
      if (phase === 'validating' || !before || forOthers) return `${phase}: ${phase === 'mutating' ? 'no change' : 'admitted'}`;
      const after = snapshotPaths(request.object);
      const changed = changedSince(before, after, untracked);
      before = after;
      return changed.length ? `mutating: changed ${changed.join(', ')}` : 'mutating: no change';
    });
  }
}

/**
 * admission.NewForbidden: `pods "web" is forbidden: <why>`. An object created with
 * generateName is named as the client asked for it (`web-7d4b9c-`), as kube-apiserver's
 * admission sees it before the name is generated.
 */
export function admissionForbidden(request: AdmissionRequest, why: string): ApiError {
  const { def } = request;
  const name = request.nameGenerated ? request.object!.metadata.generateName! : request.name;
  const resource = def.group ? `${def.plural}.${def.group}` : def.plural;
  return new ApiError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, { name, group: def.group || undefined, kind: def.plural });
}

/** Whether the request writes a kind's main resource (not a subresource such as status or binding). */
export const writes = (request: AdmissionRequest, group: string, plural: string, operation: AdmissionRequest['operation'] = 'CREATE') =>
  request.operation === operation && !request.subresource && request.def.group === group && request.def.plural === plural;
