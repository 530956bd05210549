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
  /** The object as it would be stored (CREATE, UPDATE); a mutating plugin may change it in place. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** `status` or `binding` when the write goes through that subresource. */
  subresource?: string;
  dryRun: boolean;
  /** The moment, the cluster and the requesting user (absent when the server itself writes). */
  ctx: HookContext;
}

export interface AdmissionPlugin {
  /** As kube-apiserver's --enable-admission-plugins names it (`NamespaceLifecycle`). */
  name: string;
  phase: 'mutating' | 'validating';
  admit(request: AdmissionRequest, objects: ClusterObjects): Promise<void>;
}

/** Runs the chain's plugins of one phase, in the chain's order. */
export async function runAdmission(chain: readonly AdmissionPlugin[], phase: AdmissionPlugin['phase'], request: AdmissionRequest, objects: ClusterObjects): Promise<void> {
  for (const plugin of chain) if (plugin.phase === phase) await plugin.admit(request, objects);
}
