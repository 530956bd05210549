import type { LabelSelector } from '../apimachinery/selectors.ts';

/**
 * Break-and-fix scenarios as data: what a scenario breaks (ordinary API writes, as the cluster's
 * admin would make them with kubectl) and the checks that say whether a student fixed it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An object by apiVersion, kind, namespace (namespaced kinds) and name. */
export interface ObjectRef { apiVersion: string; kind: string; namespace?: string; name: string }

/** A manifest as `kubectl apply --server-side` takes it. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, unknown>;

export type Write =
  /** Server-side apply (created, or made to say this; the scenario's field manager forces its fields). */
  | { apply: Manifest }
  /** A JSON merge patch, as `kubectl patch --type=merge`. */
  | { patch: ObjectRef; merge: Json }
  /** Deleted if it exists. */
  | { delete: ObjectRef }
  /**
   * A script run as root on a node, as a teacher would over ssh: through the API, as a pod on
   * that node with its root mounted (as `kubectl debug node/…` makes one) that runs
   * `chroot /host sh -c SCRIPT`, waited for and deleted. The script should be idempotent.
   */
  | { onNode: string; script: string };

/** A condition on one value (a field's, or each listed object's), compared as JSON. */
export interface ValueCondition {
  equals?: Json;
  notEquals?: Json;
  atLeast?: number;
  /** The value, as text (JSON for lists and objects), matches this regular expression. */
  matches?: string;
  /** The value is absent (or the object is). */
  absent?: true;
}

/**
 * A field of an object, by a path of keys, list indexes and list items picked by a field
 * (`status.conditions[type=Ready].status`, `spec.template.spec.containers[0].image`), compared.
 */
export interface FieldCheck extends ValueCondition {
  object: ObjectRef;
  path: string;
}

/** Objects of a kind (in a namespace, by a label selector as `kubectl get -l` takes it) whose fields all meet `where`, counted. */
export interface CountCheck {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  where?: Array<{ path: string } & ValueCondition>;
  atLeast?: number;
  atMost?: number;
}

/** A file in a pod's container as `kubectl exec POD -- cat PATH` reads it: it exists (and matches), or it does not. */
export interface FileCheck {
  namespace: string;
  pod: string;
  container?: string;
  path: string;
  /** The content matches this regular expression. */
  matches?: string;
  absent?: true;
}

export type Check = { says: string } & (
  | { field: FieldCheck }
  /** SubjectAccessReview: may `user` (in `groups`) do `verb` on `resource` (and `subresource`)? */
  | { canI: { user: string; groups?: string[]; verb: string; resource: string; subresource?: string; group?: string; namespace?: string }; allowed: boolean }
  /** Was a client certificate for `user` issued (an approved CertificateSigningRequest) that is valid now? */
  | { certificateFor: { user: string } }
  /**
   * Do the namespace's NetworkPolicies let pods labelled `from` reach pods labelled `to` on
   * `port` (TCP)? Evaluated from the policies themselves (podSelector peers in the namespace,
   * numbered ports), the cause a failing `wget` would have.
   */
  | { networkAllows: { namespace: string; from: Record<string, string>; to: Record<string, string>; port: number }; allowed: boolean }
  | { count: CountCheck }
  | { file: FileCheck }
);

export interface Scenario {
  name: string;
  /** One line for `scenario list`. */
  summary: string;
  /** What the student sees, as kubectl shows it. */
  symptom: string;
  /** The documented fix, as kubectl commands. */
  fix: string;
  breaks: Write[];
  checks: Check[];
  /**
   * A kubeconfig handed to the student with the breakage (written as `file`): a user's, with a
   * client certificate from the cluster's CA, expired already when `expired`.
   */
  handsOut?: { file: string; user: string; groups: string[]; namespace?: string; certificate: { expired: boolean } };
}

export type { LabelSelector };
