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

/** Who is asking (user.Info): the authenticated (or impersonated) identity. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * Subresources that are the object itself with only its status writable: `status`, and a
 * CSR's `approval` (its Approved/Denied conditions). The generic handlers serve them.
 */
export const statusSubresources = ['status', 'approval'] as const;
export type StatusSubresource = typeof statusSubresources[number];
export const isStatusSubresource = (name: string | undefined): name is StatusSubresource => statusSubresources.includes(name as StatusSubresource);

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** One RBAC rule (rbac/v1 PolicyRule). */
export interface PolicyRule { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

/** What an authorizer is asked about (authorizer.Attributes): a resource request, or a path that is none. */
export interface ResourceAttributes { verb: string; group: string; resource: string; subresource: string; name: string; namespace: string }
export interface NonResourceAttributes { verb: string; path: string }
export type Attributes = ResourceAttributes | NonResourceAttributes;

export interface Decision { allowed: boolean; reason: string }

/** A cluster's authorizer, as requests and access reviews ask it. */
export interface Access {
  authorize(user: UserInfo, attrs: Attributes): Promise<Decision>;
  /** Every rule that applies to the user in a namespace (RulesFor). */
  rulesFor(user: UserInfo, namespace: string): Promise<PolicyRule[]>;
  /** Who a bearer token of this cluster stands for, as the request's own authentication would find it; null when it is not valid here (TokenReview asks it). */
  reviewToken?(token: string): Promise<UserInfo | null>;
}

/** What a handler knows about the moment and the cluster when it calls a hook. */
export interface HookContext {
  now: Date;
  cluster: string;
  /** The requesting user; absent when the server itself writes (workers, bootstrap). */
  user?: UserInfo;
  /** The cluster's authorizer, when a request drives the registry (access reviews ask it). */
  access?: Access;
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
 * The cluster's objects as a hook may reach them: the registry's verbs, named here as an
 * interface so that declarations depend on what they use, not on the engine that runs them.
 */
export interface ClusterObjects {
  readonly catalog: { find(group: string, version: string, plural: string): ResourceDef | undefined; readonly resources: readonly ResourceDef[] };
  get<T extends KubeObject>(def: ResourceDef<T>, namespace: string | undefined, name: string): Promise<T>;
  list(def: ResourceDef, namespace: string | undefined): Promise<{ items: KubeObject[] }>;
  delete(def: ResourceDef, namespace: string | undefined, name: string, options?: { gracePeriodSeconds?: number }): Promise<KubeObject>;
  create(def: ResourceDef, namespace: string | undefined, obj: KubeObject): Promise<KubeObject>;
  /** Read-modify-write with compare-and-swap, `change` re-run on a conflict (GuaranteedUpdate); `status` writes only the status. */
  mutate(def: ResourceDef, namespace: string | undefined, name: string, change: (obj: KubeObject) => KubeObject | void, options?: { dryRun?: boolean; subresource?: 'status' | 'binding' }): Promise<KubeObject>;
}

/** The cluster's objects with the write a virtual create may make (the top-level `bindings` bind a pod). */
export interface ClusterWriter extends ClusterObjects {
  now(): Date;
}

/**
 * Per-kind behaviour as a handful of optional hooks over generic defaults
 * (kube-apiserver's RESTCreateStrategy / RESTUpdateStrategy / RESTDeleteStrategy, as
 * plain functions). `T` is the kind's own object type: the registry hands a hook only
 * objects of its declaration's kind, so the hooks need no casts.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Fill in defaults a real server applies (pod restartPolicy, dnsPolicy, ...). */
  defaults?(obj: T, ctx: HookContext): void;
  /** Server-owned changes on create (e.g. reset status to Pending). */
  prepareForCreate?(obj: T, ctx: HookContext): void;
  /** Server-owned changes on update of the main resource (e.g. keep the old status). */
  prepareForUpdate?(obj: T, old: T, ctx: HookContext): void;
  /** Semantic validation beyond the schema; field paths like spec.containers[0].image. */
  validate?(obj: T): FieldError[];
  validateUpdate?(obj: T, old: T): FieldError[];
  /**
   * Seconds of graceful deletion for this object (pods bound to a node: the kubelet
   * finishes them); 0 or absent deletes at once.
   */
  gracefulDeletion?(obj: T, options: { gracePeriodSeconds?: number }): number;
  /**
   * Objects of this kind own dependents that the garbage collector tracks (ownerReferences
   * to them): an Orphan or Foreground deletion waits on the collector's finalizer
   * (kube-apiserver's deletionFinalizersForGarbageCollection). For any other kind nothing
   * would ever remove that finalizer, so such deletions go at once.
   */
  ownsDependents?: boolean;
  /**
   * metadata.generation is kept: 1 on create, one more on each change of the spec (the
   * PrepareForCreate/PrepareForUpdate of workloads, policies, flow control…). Kinds without
   * it (ConfigMap, Secret, Service, …) never show a generation, as in kube-apiserver.
   */
  tracksGeneration?: boolean;
  /**
   * The work of the kind's own finalizer, done inline just before the object is removed
   * (a namespace: everything in it goes first, as the namespace controller does). Not
   * called for a dry run.
   */
  finalize?(obj: T, objects: ClusterObjects): Promise<void>;
  /**
   * Work a controller would do at once after a create, done inline so that the next request
   * already sees it (a new namespace's `default` ServiceAccount). Not called for a dry run.
   */
  afterCreate?(obj: T, objects: ClusterObjects): Promise<void>;
  /**
   * A status-like subresource's update (`status`, and `approval` for CSRs): `obj` is the
   * stored object with the request's status; keep what this subresource may not change
   * (kube-apiserver's status and approval strategies' PrepareForUpdate).
   */
  prepareForStatusUpdate?(obj: T, old: T, subresource: StatusSubresource, ctx: HookContext): void;
  /** Validation of such an update against the stored object (ValidateCertificateSigningRequestStatusUpdate and kin). */
  validateStatusUpdate?(obj: T, old: T, subresource: StatusSubresource): FieldError[];
  /** Computed on read, never stored (virtual node heartbeats). */
  decorate?(obj: T, ctx: HookContext): void;
  /** Whether PUT without a resourceVersion is allowed (true for most built-ins). */
  allowUnconditionalUpdate?: boolean;
  /**
   * A create that answers without storing anything (access reviews, kube-apiserver's
   * rest.Creater without a store): gets the defaulted, validated object and returns the
   * response body. Name and namespace checks do not apply.
   */
  virtualCreate?(obj: T, ctx: HookContext, objects: ClusterWriter): Promise<KubeObject>;
}

/**
 * A field selector's getter. Declared as a method so that a declaration's getters over
 * its own kind (`(pod: Pod) => ...`) fit the erased declaration the catalog holds.
 */
type FieldGetter<T> = { get(obj: T): string | undefined }['get'];

export interface ResourceDef<T extends KubeObject = KubeObject> {
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
  /** Subresources beyond the main resource; `status` and `approval` reuse the same object with their own update rules. */
  subresources?: Array<StatusSubresource | 'binding' | 'log' | 'scale' | 'eviction' | 'proxy' | 'exec' | 'attach' | 'portforward' | 'token'>;
  /** The valibot schema used to decode and type-check a body. */
  schema: v.GenericSchema;
  columns: Column[];
  /** One row of cells, in column order, for `kubectl get`. */
  row(obj: T, ctx: HookContext): unknown[];
  /** Field selectors beyond metadata.name/metadata.namespace. */
  fieldSelectors?: Record<string, FieldGetter<T>>;
  strategy?: Strategy<T>;
  /**
   * Objects kept under another resource's keys and converted on the way in and out, as
   * kube-apiserver stores events.k8s.io/v1 Events as core/v1 Events: both APIs see the same objects.
   */
  storedAs?: StoredAs<T>;
  /** A Warning sent with every answer about this resource (kube-apiserver's deprecation warnings). */
  warning?: string;
  /**
   * The kind's OpenAPI schema when it is given as one (a CustomResourceDefinition's), published
   * under `name` instead of the schema derived from `schema`.
   */
  openapi?: { name: string; schema: Record<string, unknown> };
  /** Where the `scale` subresource reads and writes replicas, when not spec.replicas/status.replicas/spec.selector (a CRD's scale paths). */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /**
   * Objects computed on read from other objects and never stored, as an aggregated API serves
   * them (metrics.k8s.io's figures, which metrics-server derives from kubelets): get and list
   * answer from it, and they cost no write. Such a resource declares only `get` and `list`.
   */
  computed?: Computed<T>;
}

/** Declared with methods so that a declaration over its own kind fits the erased one the catalog holds. */
export interface Computed<T> {
  /** Every object in a namespace (or all of them): labels and fields are selected afterwards. */
  list(objects: ClusterObjects, namespace: string | undefined, ctx: HookContext): Promise<T[]>;
  /** The NotFound of a get for a name it does not compute (the serving API's own wording). */
  notFound(namespace: string | undefined, name: string): Error;
}

/** Declared with methods so that a declaration over its own kind fits the erased one the catalog holds. */
export interface StoredAs<T> {
  group: string;
  plural: string;
  toStorage(obj: T): KubeObject;
  fromStorage(obj: KubeObject): T;
}

export const apiVersionOf = (def: Pick<ResourceDef, 'group' | 'version'>) => (def.group ? `${def.group}/${def.version}` : def.version);

/**
 * A resource declaration over its own object type (`defineResource<Pod>({...})`). Every
 * hook is a method, so the typed declaration also fits where any ResourceDef is expected
 * (the catalog's list), and reads through it (`registry.get(pods, ...)`) come back typed.
 */
export function defineResource<T extends KubeObject>(def: ResourceDef<T>): ResourceDef<T> {
  return def;
}
