import type * as v from 'valibot';
import type { FieldError } from '../apimachinery/errors.ts';
import type { NameRule } from '../apimachinery/validation.ts';

/** A Kubernetes object as the registry handles it: JSON with metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: unknown[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Who is asking: the token's subject and groups (user.Info). */
export interface UserInfo {
  username: string;
  groups: string[];
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** What a handler knows about the moment and the cluster when it calls a hook. */
export interface HookContext {
  now: Date;
  cluster: string;
  /** The requesting user; absent when the server itself writes (workers, bootstrap). */
  user?: UserInfo;
}

/** A printer column (metav1.TableColumnDefinition); priority 1 shows only with `-o wide`. */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority?: 0 | 1;
}

/**
 * Per-kind behaviour as a handful of optional hooks over generic defaults
 * (kube-apiserver's RESTCreateStrategy / RESTUpdateStrategy, as plain functions).
 */
export interface Strategy {
  /** Fill in defaults a real server applies (pod restartPolicy, dnsPolicy, ...). */
  defaults?(obj: KubeObject, ctx: HookContext): void;
  /** Server-owned changes on create (e.g. reset status to Pending). */
  prepareForCreate?(obj: KubeObject, ctx: HookContext): void;
  /** Server-owned changes on update of the main resource (e.g. keep the old status). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: HookContext): void;
  /** Semantic validation beyond the schema; field paths like spec.containers[0].image. */
  validate?(obj: KubeObject): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * Seconds of graceful deletion for this object (pods bound to a node: the kubelet
   * finishes them); 0 or absent deletes at once.
   */
  gracefulDeletion?(obj: KubeObject, options: { gracePeriodSeconds?: number }): number;
  /** Computed on read, never stored (virtual node heartbeats). */
  decorate?(obj: KubeObject, ctx: HookContext): void;
  /** Whether PUT without a resourceVersion is allowed (true for most built-ins). */
  allowUnconditionalUpdate?: boolean;
  /**
   * A create that answers without storing anything (access reviews, kube-apiserver's
   * rest.Creater without a store): gets the defaulted, validated object and returns the
   * response body. Name and namespace checks do not apply; `read` is the cluster's registry.
   */
  virtualCreate?(obj: KubeObject, ctx: HookContext, read: RegistryReader): Promise<KubeObject>;
}

/**
 * The cluster's registry as a hook reads it (generic.ts's Registry is one). Declared
 * here, not imported from the engine, so declarations and the engine do not import
 * each other.
 */
export interface RegistryReader {
  readonly catalog: { find(group: string, version: string, plural: string): ResourceDef | undefined };
  get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(def: ResourceDef, namespace: string | undefined): Promise<{ items: KubeObject[] }>;
}

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  listKind?: string;
  /** Plural resource name, as in URLs: `pods`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  /** How metadata.name is validated (default: DNS subdomain). */
  nameRule?: NameRule;
  shortNames?: string[];
  categories?: string[];
  verbs: Verb[];
  /** Subresources beyond the main resource; `status` reuses the same object with its own update rule. */
  subresources?: Array<'status' | 'binding' | 'log' | 'scale' | 'eviction' | 'proxy' | 'exec' | 'attach' | 'portforward'>;
  /** The valibot schema used to decode and type-check a body. */
  schema: v.GenericSchema;
  columns: Column[];
  /** One row of cells, in column order, for `kubectl get`. */
  row(obj: KubeObject, ctx: HookContext): unknown[];
  /** Field selectors beyond metadata.name/metadata.namespace. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  strategy?: Strategy;
}

export const apiVersionOf = (def: Pick<ResourceDef, 'group' | 'version'>) => (def.group ? `${def.group}/${def.version}` : def.version);

export function defineResource(def: ResourceDef): ResourceDef {
  return def;
}
