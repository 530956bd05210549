import jsonpatch from 'fast-json-patch';
import type { ChangeEvent, Ports } from '../ports.ts';
import { ApiError, alreadyExists, badRequest, conflict, expired, invalid, notFound } from '../apimachinery/errors.ts';
import { matches, parseFieldSelector, parseLabelSelectorInTurns, type Selector } from '../apimachinery/selectors.ts';
import { CompactedError, FutureRevisionError, valueLength, type ClusterStore, type KeyValue, type Store } from '../storage/store.ts';
import { runAdmission, type AdmissionRequest } from './admission.ts';
import { Catalog } from './catalog.ts';
import { emitChange } from './changeEvents.ts';
import { validateObject } from './validateObject.ts';
import { apiVersionOf, isStatusSubresource, type Access, type HookContext, type KubeObject, type ResourceDef, type StatusSubresource, type UserInfo } from './types.ts';
import { timestamp } from '../apimachinery/time.ts';
import { nextTurn } from '../apimachinery/nextTurn.ts';
import { ownershipScope, recordUpdate, recordUpdateInTurns, type Writer } from './managedFields.ts';
import { managedFieldsToStorage, parseStoredObject } from './storedFields.ts';
import type { RequestTrace } from '../trace/requestTrace.ts';
import { jsonCopy } from '../apimachinery/jsonCopy.ts';
import { tracedCommit, tracedNoWrite, tracedValidation } from './writeTrace.ts';

/** Is `next` what `stored` is (both as read: the object's resourceVersion aside, keys in any order)? */
function unchanged(next: KubeObject, stored: KubeObject): boolean {
  const { resourceVersion: _next, ...metadata } = next.metadata;
  const { resourceVersion: _stored, ...storedMetadata } = stored.metadata;
  return jsonpatch._areEquals({ ...next, metadata }, { ...stored, metadata: storedMetadata });
}

/** How much a list decodes and matches (in bytes of stored objects) between two turns of the loop: ~2 ms. */
const workPerTurn = 512 * 1024;

/** Stored objects past this size are written in steps (see `pace`), and the request pays one rate-limit token per KiB of them. */
const largeObjectBytes = 64 * 1024;

/**
 * Between the steps of a write to a large object (decode, patch, validate, record its fields,
 * encode), a turn of the loop, so the requests of other clusters that came meanwhile are served
 * in between: on one shared loop (the Node entry) a 12,000-element list patched in one go would
 * hold every cluster's requests for the whole of it. Small objects go straight through.
 */
export type Pace = () => Promise<void> | undefined;
const isLarge = (stored: KeyValue) => valueLength(stored) > largeObjectBytes;
const noPace: Pace = () => undefined;
const pacer = (stored: KeyValue, turn: () => Promise<void>): Pace => (isLarge(stored) ? turn : noPace);
/** A request body past the large-object size is written in paced steps too (create, PUT). */
export const largeBody = (bytes: number | undefined) => (bytes ?? 0) > largeObjectBytes;
/** The object a create or PUT writes: the request's own as handed over (`requestBodyBytes`), else a private copy. */
const writable = (input: KubeObject, options: WriteOptions) => (options.requestBodyBytes === undefined ? structuredClone(input) : input);

/**
 * Paced writes to one key take turns. Two at once would both do all their work from the same
 * revision, and the compare-and-swap would throw one away to start over: with the work spread
 * over turns of the loop, that is what a client sending such writes in parallel would cause.
 * Per store, per key; an entry lives while a write to that key is paced.
 */
const pacedWrites = new WeakMap<Store, Map<string, Promise<void>>>();
async function takeTurn(store: Store, key: string): Promise<() => void> {
  let queue = pacedWrites.get(store);
  if (!queue) pacedWrites.set(store, (queue = new Map()));
  const before = queue.get(key);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = (before ?? Promise.resolve()).then(() => mine);
  queue.set(key, tail);
  await before;
  return () => {
    release();
    if (queue.get(key) === tail) queue.delete(key);
  };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  /** What happens to dependents (ownerReferences): Background (the default), Orphan or Foreground. */
  propagationPolicy?: 'Background' | 'Orphan' | 'Foreground';
}

/** The garbage collector's finalizer an Orphan or Foreground deletion waits on, for kinds that own dependents. */
const gcFinalizer = (def: ResourceDef, policy: DeleteOptions['propagationPolicy']) =>
  !def.strategy?.ownsDependents ? undefined : policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;

export interface WriteOptions {
  dryRun?: boolean;
  /**
   * `status`: only status may change (the /status subresource); `approval` likewise, with the
   * kind's own rule (a CSR's conditions).
   * `binding`: the server's own bind of a pod to a node (spec.nodeName and status).
   */
  subresource?: StatusSubresource | 'binding';
  /** Where admission plugins' warnings go (the handler sends them as `Warning:` headers). */
  warnings?: string[];
  /** The field manager recorded in managedFields (`?fieldManager=`); else the registry's own. */
  fieldManager?: string;
  /** The subresource a managedFields entry names when the write came through one the registry does not see (`scale`). */
  managedSubresource?: string;
  /** `Apply`: the caller already set managedFields (server-side apply); nothing is recorded as an Update. */
  operation?: 'Apply' | 'Update';
  /**
   * The object is the request's own, freshly decoded from a body of this many bytes: it is
   * written without a private copy (a 3 MiB object's copy alone holds the loop ~15 ms), and
   * one from a large body in paced steps.
   */
  requestBodyBytes?: number;
}

const conflictMessage = 'the object has been modified; please apply your changes to the latest version and try again';
const gr = (def: ResourceDef) => ({ group: def.group, resource: def.plural });

interface ContinueToken { v: 'meta.k8s.io/v1'; rv: number; start: string }
const encodeContinue = (token: ContinueToken) => btoa(JSON.stringify(token));
function decodeContinue(value: string): ContinueToken {
  try {
    const token = JSON.parse(atob(value)) as ContinueToken;
    // As kube-apiserver: the start key must be clean (no `.`/`..` segments), the revision one we could have issued.
    const clean = typeof token.start === 'string' && !token.start.startsWith('/') && !token.start.split('/').some((s) => s === '.' || s === '..');
    if (token.v === 'meta.k8s.io/v1' && Number.isSafeInteger(token.rv) && token.rv > 0 && clean) return token;
  } catch { /* fall through */ }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function parseResourceVersion(value: string | undefined, what = 'resourceVersion'): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw badRequest(`invalid ${what}: "${value}"`);
  return Number(value);
}

/** Does this selector key ask about the object's labels or fields? */
export function fieldGetter(def: ResourceDef, obj: KubeObject) {
  return (key: string): string | undefined => {
    if (key === 'metadata.name') return obj.metadata.name;
    if (key === 'metadata.namespace') return obj.metadata.namespace ?? '';
    const get = def.fieldSelectors?.[key];
    if (!get) throw badRequest(`field label not supported: ${key}`);
    return get(obj);
  };
}

/** Throws unless every field-selector key is one the resource supports (checked before any read). */
export function checkFieldSelector(def: ResourceDef, selector: Selector): void {
  for (const r of selector) {
    if (r.key !== 'metadata.name' && r.key !== 'metadata.namespace' && !def.fieldSelectors?.[r.key]) {
      throw badRequest(`field label not supported: ${r.key}`);
    }
  }
}

/** A store fault met while listing, as kube-apiserver words it (`continued`: the list named a continue token). */
function listError(err: unknown, continued: boolean): unknown {
  if (err instanceof CompactedError && continued) {
    return expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  }
  if (err instanceof CompactedError) return expired(`The resourceVersion for the provided list is too old.`);
  // A continue token from the future was never issued by this server: a forged one, not a wait.
  if (err instanceof FutureRevisionError && continued) return badRequest('continue key is not valid: the encoded resourceVersion is in the future');
  if (err instanceof FutureRevisionError) return new ApiError(504, 'Timeout', `Too large resource version: ${err.requested}, current: ${err.current}`);
  return err;
}

/**
 * Stored objects as a reader already decoded them (parseStoredObject, resourceVersion set; no
 * read-time decoration), by key and revision, which nobody changes: the control plane's pass
 * holds every object of its cluster so. A write to one of them (`mutate`) starts from a copy of
 * it that shares its strings, and leaves what it wrote there for the next pass, where it would
 * otherwise parse the stored value two more times and the pass once more: each a copy of every
 * string in it that lives long enough to be promoted to V8's old generation (a pod with a 25 KB
 * string costs 25 KB a parse).
 */
export interface DecodedObjects {
  get(key: string, revision: number): KubeObject | undefined;
  set(key: string, revision: number, obj: KubeObject): void;
}

/** The generic registry: one implementation of every verb, driven by resource declarations. */
export class Registry {
  constructor(
    readonly catalog: Catalog,
    /** `turn`: how it gives the loop back between slices of its work (the control plane's, through its share). */
    private readonly ports: Pick<Ports, 'store' | 'queue' | 'clock' | 'turn'> & {
      /**
       * The request's rate-limit bucket, when a request drives this registry: a write to a
       * large object also pays for the object's size (it is decoded, merged, compared and
       * encoded whole), as a large body does.
       */
      charge?: (tokens: number) => void;
      /** The request's trace, when a traced request drives this registry: the write's steps go there. */
      trace?: RequestTrace;
      /** Objects its driver holds decoded (the control plane's pass): a write starts from them, and leaves its result there. */
      decoded?: DecodedObjects;
    },
    readonly cluster: string,
    /** The requesting user, when a request (not a worker) drives this registry. */
    readonly user?: UserInfo,
    /** The cluster's authorizer, when a request drives this registry (access reviews ask it). */
    readonly access?: Access,
    /**
     * Who writes when a write names no field manager: the control plane component driving
     * this registry (`kube-scheduler`, `kubelet`); controllers and the server's own inline
     * work (a namespace's ServiceAccount) are kube-controller-manager's, as on a kubeadm cluster.
     */
    readonly fieldManager = 'kube-controller-manager',
  ) {}

  /** The same registry writing as another field manager (a worker's component). */
  as(fieldManager: string): Registry {
    return new Registry(this.catalog, this.ports, this.cluster, this.user, this.access, fieldManager);
  }

  /**
   * managedFields for a write that is an Update (create, PUT, a non-apply patch, a worker's
   * change): on a create every field set, on an update what changed from `old`, becomes the
   * writer's. A bind is the scheduler's own storage write and records nothing, as with kube-apiserver.
   */
  private recordCreatedFields(def: ResourceDef, obj: KubeObject, options: WriteOptions): void {
    const writer = this.fieldsWriter(def, options);
    if (writer) recordUpdate(undefined, obj, writer, ownershipScope(def, options.subresource), def.schema);
  }

  /** The same for an update: what changed from `old`, compared at the write's pace (a large object's in slices). */
  private async recordUpdatedFields(def: ResourceDef, old: KubeObject, obj: KubeObject, options: WriteOptions, pace: Pace): Promise<void> {
    const writer = this.fieldsWriter(def, options);
    if (writer) await recordUpdateInTurns(old, obj, writer, ownershipScope(def, options.subresource), def.schema, pace);
  }

  /** Who an Update's managedFields name; undefined for a write that records none. */
  private fieldsWriter(def: ResourceDef, options: WriteOptions): Writer | undefined {
    if (options.operation === 'Apply' || options.subresource === 'binding') return undefined;
    const subresource = options.subresource ?? options.managedSubresource;
    return { manager: options.fieldManager ?? this.fieldManager, apiVersion: apiVersionOf(def), time: this.timestamp(), ...(subresource ? { subresource } : {}) };
  }

  get store(): ClusterStore {
    return this.ports.store.cluster(this.cluster);
  }

  /** Asks the control plane for a pass over the cluster: state it reads changed outside the resources (a node's files). */
  wake(): Promise<void> {
    return this.ports.queue.send({ kind: 'wake', cluster: this.cluster, group: '', resource: '', namespace: '', name: '' });
  }

  /** A turn of the loop given back (see `ports.turn`). */
  private readonly turn = (): Promise<void> => (this.ports.turn ? this.ports.turn(this.cluster) : nextTurn());

  /** The cluster's notion of now (the Clock port: tests move it by hand). */
  now(): Date {
    return this.ports.clock.now();
  }

  ctx(): HookContext {
    return { now: this.ports.clock.now(), cluster: this.cluster, ...(this.user ? { user: this.user } : {}), ...(this.access ? { access: this.access } : {}) };
  }

  private timestamp(): string {
    return timestamp(this.ports.clock.now());
  }

  /** A stored record as the API shows it: resourceVersion from the revision, read-time fields computed. */
  decode(def: ResourceDef, kv: KeyValue, ctx = this.ctx()): KubeObject {
    return this.written(def, this.parse(def, kv.value), kv, ctx);
  }

  /** A stored value as an object of the declaration's kind (converted when it is stored as another's). */
  private parse(def: ResourceDef, value: string): KubeObject {
    const stored = parseStoredObject(value);
    return def.storedAs ? def.storedAs.fromStorage(stored) : stored;
  }

  /** The object just written, as a read of it would show it, without parsing back what was stored. */
  private written(def: ResourceDef, obj: KubeObject, kv: KeyValue, ctx = this.ctx()): KubeObject {
    obj.metadata.resourceVersion = String(kv.modRevision);
    def.strategy?.decorate?.(obj, ctx);
    return obj;
  }

  private encode(def: ResourceDef, obj: KubeObject): string {
    const stored = def.storedAs ? def.storedAs.toStorage(obj) : obj;
    const { resourceVersion: _rv, ...metadata } = stored.metadata;
    if (metadata.managedFields) metadata.managedFields = managedFieldsToStorage(metadata.managedFields);
    return JSON.stringify({ ...stored, metadata });
  }

  private key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return Catalog.key(this.cluster, def, def.namespaced ? namespace : undefined, name);
  }

  /** One object; typed as its declaration's kind when the caller holds the typed declaration. */
  async get<T extends KubeObject>(def: ResourceDef<T>, namespace: string | undefined, name: string): Promise<T> {
    if (def.computed) {
      const found = (await def.computed.list(this, def.namespaced ? namespace : undefined, this.ctx())).find((o) => o.metadata.name === name);
      if (!found) throw def.computed.notFound(namespace, name);
      return found;
    }
    const kv = await this.store.get(this.key(def, namespace, name));
    if (!kv) throw notFound(gr(def), name);
    this.chargeRead(valueLength(kv));
    // Sound by construction: what is stored under a declaration's key was decoded by its schema.
    return this.decode(def, kv) as T;
  }

  async list(def: ResourceDef, namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    const labels = await parseLabelSelectorInTurns(options.labelSelector, this.turn);
    const fields = parseFieldSelector(options.fieldSelector);
    checkFieldSelector(def, fields);
    if (def.computed) {
      const computed = await def.computed.list(this, def.namespaced ? namespace : undefined, this.ctx());
      const selected = computed.filter((obj) => matches(labels, (k) => obj.metadata.labels?.[k]) && matches(fields, fieldGetter(def, obj)));
      return { items: selected, resourceVersion: '' };
    }
    const prefix = Catalog.prefix(this.cluster, def, namespace);
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (options.continue) {
      const token = decodeContinue(options.continue);
      revision = token.rv;
      startAfter = prefix + token.start;
    } else if (options.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(options.resourceVersion);
      if (revision === undefined || revision === 0) throw badRequest('resourceVersionMatch "Exact" requires a non-zero resourceVersion');
    } else {
      await this.notFuture(options.resourceVersion);
    }
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const items: KubeObject[] = [];
    const ctx = this.ctx();
    let readRevision = revision ?? 0;
    let lastKey: string | undefined;
    let more = false;
    // Work since the last turn of the loop, in bytes decoded (a requirement checked counts as 16).
    let work = 0, read = 0;
    const matchingWork = 16 * (labels.length + fields.length);
    try {
      do {
        const page = await this.store.list(prefix, { startAfter, limit: limit ? Math.max(limit - items.length, 50) : undefined, revision: readRevision || undefined });
        readRevision = page.revision;
        more = page.more;
        for (const kv of page.items) {
          // A list of thousands of objects (or one matched against a selector of thousands of
          // requirements) is worked through in slices, other clusters' requests served between them.
          work += kv.value.length + matchingWork;
          read += kv.value.length;
          if (work > workPerTurn) { work = 0; await this.turn(); }
          startAfter = kv.key;
          const obj = this.decode(def, kv, ctx);
          if (!matches(labels, (k) => obj.metadata.labels?.[k]) || !matches(fields, fieldGetter(def, obj))) continue;
          items.push(obj);
          lastKey = kv.key;
          if (limit && items.length >= limit) {
            more = more || page.items[page.items.length - 1] !== kv;
            break;
          }
        }
        if (limit && items.length >= limit) break;
      } while (more);
    } catch (err) {
      throw listError(err, !!options.continue);
    }
    this.chargeRead(read);
    const result: ListResult = { items, resourceVersion: String(readRevision) };
    if (limit && more && lastKey) result.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv: readRevision, start: lastKey.slice(prefix.length) });
    return result;
  }

  /**
   * Every record of a resource at one revision, as stored (not yet decoded): a watch's initial
   * state, which the watch encodes itself and may share with other watches. resourceVersion
   * means what it means for a list: absent, the current revision; else at least that one.
   */
  async records(def: ResourceDef, namespace: string | undefined, resourceVersion?: string): Promise<{ items: KeyValue[]; revision: number }> {
    await this.notFuture(resourceVersion);
    const prefix = Catalog.prefix(this.cluster, def, namespace);
    const items: KeyValue[] = [];
    let revision = 0, startAfter: string | undefined, more = false;
    try {
      do {
        const page = await this.store.list(prefix, { startAfter, revision: revision || undefined });
        revision = page.revision;
        more = page.more;
        for (const kv of page.items) items.push(kv);
        startAfter = page.items.at(-1)?.key;
      } while (more && startAfter !== undefined);
    } catch (err) {
      throw listError(err, false);
    }
    this.chargeRead(items.reduce((n, kv) => n + kv.value.length, 0));
    return { items, revision };
  }

  /** A list or watch may ask for a revision at least N; one the cluster has not reached is a 504 with a retry. */
  private async notFuture(resourceVersion: string | undefined): Promise<void> {
    const min = parseResourceVersion(resourceVersion) ?? 0;
    const current = min ? await this.store.currentRevision() : 0;
    if (min > current) throw new ApiError(504, 'Timeout', `Too large resource version: ${min}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  }

  /** The catalog's admission chain, one phase of it (mutating plugins may change request.object). */
  private admit(phase: 'mutating' | 'validating', request: AdmissionRequest): Promise<void> {
    return runAdmission(this.catalog.admission, phase, request, this, this.ports.trace);
  }

  /** After a commit: its change event to the queue (`key` and `since`, the start of the store write, are for the trace). */
  private notify(def: ResourceDef, obj: KubeObject, type: ChangeEvent['type'], revision: number, key: string, since?: number): Promise<void> {
    return tracedCommit(this.ports.trace, key, obj, type, revision, since, () => emitChange(this.ports.queue, this.cluster, def, obj, type, revision));
  }

  private validate(def: ResourceDef, obj: KubeObject, old?: KubeObject, subresource?: WriteOptions['subresource']): void {
    tracedValidation(this.ports.trace, def, () => validateObject(def, obj, old, subresource));
  }

  async create(def: ResourceDef, namespace: string | undefined, input: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ctx = this.ctx();
    const obj = writable(input, options);
    const pace = largeBody(options.requestBodyBytes) ? this.turn : noPace;
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (def.strategy?.virtualCreate) return this.virtualCreate(def, obj, ctx);
    const generated = !meta.name && !!meta.generateName;
    const generate = () => `${meta.generateName}${Math.random().toString(36).slice(2, 7).padEnd(5, '0')}`;
    if (generated) meta.name = generate();
    for (const f of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete meta[f];
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = this.timestamp();
    if (def.strategy?.tracksGeneration) meta.generation = 1; else delete meta.generation;
    def.strategy?.defaults?.(obj, ctx);
    // From here, kube-apiserver's order: mutating admission, the kind's preparation and
    // validation, validating admission, the store, the change event.
    const admission: AdmissionRequest = { operation: 'CREATE', def, namespace, name: meta.name!, nameGenerated: generated, object: obj, dryRun: !!options.dryRun, ctx, warnings: options.warnings ?? [] };
    await this.admit('mutating', admission);
    def.strategy?.prepareForCreate?.(obj, ctx);
    await pace();
    this.validate(def, obj);
    await this.admit('validating', admission);
    this.recordCreatedFields(def, obj, options);
    await pace();
    const key = this.key(def, namespace, meta.name!);
    if (options.dryRun) {
      if (await this.store.get(key)) throw alreadyExists(gr(def), meta.name!);
      tracedNoWrite(this.ports.trace, 'dry run: nothing written');
      return obj;
    }
    const since = this.ports.trace?.now();
    let result = await this.store.create(key, this.encode(def, obj));
    // A generated name that happens to be taken is retried with another, as kube-apiserver does (RetryGenerateName).
    for (let attempt = 0; !result.ok && generated && attempt < 7; attempt++) {
      meta.name = generate();
      result = await this.store.create(this.key(def, namespace, meta.name), this.encode(def, obj));
    }
    if (!result.ok) throw alreadyExists(gr(def), meta.name!);
    await this.notify(def, obj, 'ADDED', result.kv.modRevision, result.kv.key, since);
    const created = this.written(def, obj, result.kv, ctx);
    await def.strategy?.afterCreate?.(structuredClone(created), this);
    return created;
  }

  /** A create answered by the kind's hook and never stored (reviews): defaults and kind validation only. */
  private async virtualCreate(def: ResourceDef, obj: KubeObject, ctx: HookContext): Promise<KubeObject> {
    def.strategy?.defaults?.(obj, ctx);
    const errors = def.strategy?.validate?.(obj) ?? [];
    if (errors.length) throw invalid(def.kind, def.group, obj.metadata.name ?? '', errors);
    return def.strategy!.virtualCreate!(obj, ctx, this);
  }

  /** PUT: replace the object (or only its status), with resourceVersion compare-and-swap. */
  async update(def: ResourceDef, namespace: string | undefined, name: string, input: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const key = this.key(def, namespace, name);
    const current = await this.store.get(key);
    if (!current) throw notFound(gr(def), name);
    if (input.metadata?.name && input.metadata.name !== name) throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && input.metadata?.namespace && input.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const expected = parseResourceVersion(input.metadata?.resourceVersion, 'resourceVersion') ?? (def.strategy?.allowUnconditionalUpdate ? current.modRevision : undefined);
    if (expected === undefined) throw invalid(def.kind, def.group, name, [{ field: 'metadata.resourceVersion', type: 'FieldValueInvalid', value: 0, detail: 'must be specified for an update' }]);
    if (expected !== current.modRevision) throw conflict(gr(def), name, conflictMessage);
    const pace = largeBody(options.requestBodyBytes) ? this.turn : pacer(current, this.turn);
    this.chargeFor(current);
    const old = this.parse(def, current.value);
    await pace();
    const obj = await this.prepareUpdate(def, writable(input, options), old, options);
    await pace();
    return this.commitUpdate(def, key, obj, old, current.modRevision, options, pace);
  }

  /**
   * A read pays for what it reads past the first 64 KiB of stored objects, 1 token per 4 KiB (what a
   * body of that size costs): each byte is decoded, encoded and sent again, and a watch's initial
   * state is all of them at once, so a loop of watches over a few large objects (or of GETs of one)
   * would otherwise have the server encode and encrypt megabytes a second for a token a request.
   * Like kube-apiserver's priority and fairness, which counts a list's and a watch's initial
   * objects; the control plane's own reads (no request's bucket) pay nothing.
   */
  private chargeRead(bytes: number): void {
    if (bytes > largeObjectBytes) this.ports.charge?.(Math.floor((bytes - largeObjectBytes) / 4096));
  }

  /** A write to a large object pays for its size, once per attempt (each reads, merges and encodes it again). */
  private chargeFor(current: KeyValue): void {
    if (isLarge(current)) this.ports.charge?.(Math.ceil(valueLength(current) / 1024));
  }

  private updateRequest(def: ResourceDef, obj: KubeObject, old: KubeObject, options: WriteOptions, ctx = this.ctx()): AdmissionRequest {
    return { operation: 'UPDATE', def, namespace: old.metadata.namespace, name: old.metadata.name!, object: obj, oldObject: old, subresource: options.subresource, dryRun: !!options.dryRun, ctx, warnings: options.warnings ?? [] };
  }

  /** The object an update would store: server-owned fields kept, defaults, mutating admission, the kind's own preparation. */
  private async prepareUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject, options: WriteOptions): Promise<KubeObject> {
    const ctx = this.ctx();
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    obj.metadata ??= {};
    if (isStatusSubresource(options.subresource)) {
      // Only status changes through /status (ResetObjectMetaForStatus + keep the spec).
      const next = jsonCopy(old);
      next.status = obj.status;
      // A server-side apply through /status has already worked out who owns what.
      if (options.operation === 'Apply') next.metadata.managedFields = obj.metadata.managedFields;
      def.strategy?.prepareForStatusUpdate?.(next, old, options.subresource, ctx);
      await this.admit('mutating', this.updateRequest(def, next, old, options, ctx));
      return next;
    }
    if (options.subresource === 'binding') {
      await this.admit('mutating', this.updateRequest(def, obj, old, options, ctx));
      return obj;
    }
    for (const f of ['uid', 'creationTimestamp', 'namespace', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) {
      if (old.metadata[f] === undefined) delete obj.metadata[f]; else obj.metadata[f] = old.metadata[f] as never;
    }
    obj.metadata.name = old.metadata.name;
    def.strategy?.defaults?.(obj, ctx);
    await this.admit('mutating', this.updateRequest(def, obj, old, options, ctx));
    if ('status' in old && (def.subresources ?? []).includes('status')) obj.status = old.status;
    def.strategy?.prepareForUpdate?.(obj, old, ctx);
    const specOf = (o: KubeObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });
    if (def.strategy?.tracksGeneration && specOf(obj) !== specOf(old)) obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    return obj;
  }

  private async commitUpdate(def: ResourceDef, key: string, obj: KubeObject, old: KubeObject, revision: number, options: WriteOptions, pace: Pace): Promise<KubeObject> {
    this.validate(def, obj, old, options.subresource);
    await pace();
    await this.admit('validating', this.updateRequest(def, obj, old, options));
    await this.recordUpdatedFields(def, old, obj, options, pace);
    await pace();
    const name = old.metadata.name!;
    // An object being deleted whose last finalizer is gone is removed now.
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length && !this.inGracePeriod(def, obj)) {
      if (options.dryRun) return obj;
      const since = this.ports.trace?.now();
      const result = await this.store.delete(key, revision);
      if (!result.ok) throw conflict(gr(def), name, conflictMessage);
      await this.notify(def, obj, 'DELETED', result.kv.modRevision, key, since);
      return obj;
    }
    // A write that would store what is stored already writes nothing: no new resourceVersion, no
    // MODIFIED event. GuaranteedUpdate compares the encoded bytes, which Go writes in struct
    // order; here the values are compared whatever order a client sent their keys in.
    if (unchanged(obj, old) || options.dryRun) {
      tracedNoWrite(this.ports.trace, options.dryRun ? 'dry run: nothing written' : `nothing written: the object is unchanged (still revision ${revision}, no event)`);
      await pace();
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
    }
    await pace();
    const since = this.ports.trace?.now();
    const result = await this.store.update(key, this.encode(def, obj), revision);
    if (!result.ok) {
      if (!result.current) throw notFound(gr(def), name);
      throw conflict(gr(def), name, conflictMessage);
    }
    await this.notify(def, obj, 'MODIFIED', result.kv.modRevision, key, since);
    this.keepDecoded(def, key, obj, result.kv);
    // The caller's answer (the object encoded again) on a turn of its own.
    await pace();
    return this.written(def, obj, result.kv);
  }

  /**
   * The stored object a write starts from (as `parse` gives it): a copy of the one its driver
   * holds decoded at that revision, else parsed. Stored as another kind's object, it is parsed.
   */
  private decodedBefore(def: ResourceDef, key: string, current: KeyValue): KubeObject {
    const held = def.storedAs ? undefined : this.ports.decoded?.get(key, current.modRevision);
    if (!held) return this.parse(def, current.value);
    const old = jsonCopy(held);
    delete old.metadata.resourceVersion;
    return old;
  }

  /** What a write stored, handed to the driver that holds its objects decoded (as a decode of the record would give it). */
  private keepDecoded(def: ResourceDef, key: string, obj: KubeObject, kv: KeyValue): void {
    if (!this.ports.decoded || def.storedAs) return;
    const copy = jsonCopy(obj);
    copy.metadata.resourceVersion = String(kv.modRevision);
    this.ports.decoded.set(key, kv.modRevision, copy);
  }

  /** Is a graceful deletion still running (strategy.gracefulDeletion: a pod on a node is stopped by its kubelet)? */
  private inGracePeriod(def: ResourceDef, obj: KubeObject): boolean {
    return (def.strategy?.gracefulDeletion?.(obj, {}) ?? 0) > 0 && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflict (GuaranteedUpdate):
   * used by PATCH, bindings and the workers. `mutate` gets a private copy.
   */
  async mutate(def: ResourceDef, namespace: string | undefined, name: string, mutate: (obj: KubeObject, pace: Pace) => KubeObject | void | Promise<KubeObject | void>, options: WriteOptions & { expectedResourceVersion?: string } = {}): Promise<KubeObject> {
    const key = this.key(def, namespace, name);
    for (let attempt = 0; ; attempt++) {
      // A retried attempt runs admission again: only its warnings stand.
      if (options.warnings) options.warnings.length = 0;
      let current = await this.store.get(key);
      if (!current) throw notFound(gr(def), name);
      const pace = pacer(current, this.turn);
      // A large object is written in paced steps, one such write to it at a time (read again once it is this one's turn).
      const done = isLarge(current) ? await takeTurn(this.ports.store, key) : undefined;
      try {
        if (done) current = await this.store.get(key);
        if (!current) throw notFound(gr(def), name);
        this.chargeFor(current);
        if (options.expectedResourceVersion && options.expectedResourceVersion !== String(current.modRevision)) throw conflict(gr(def), name, conflictMessage);
        const old = this.decodedBefore(def, key, current);
        await pace();
        const working = this.written(def, jsonCopy(old), current);
        await pace();
        const changed = (await mutate(working, pace)) ?? working;
        await pace();
        const obj = await this.prepareUpdate(def, changed, old, options);
        await pace();
        return await this.commitUpdate(def, key, obj, old, current.modRevision, options, pace);
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'Conflict' && !options.expectedResourceVersion && attempt < 20) continue;
        throw err;
      } finally {
        done?.();
      }
    }
  }

  async delete(def: ResourceDef, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    const key = this.key(def, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.get(key);
      if (!current) throw notFound(gr(def), name);
      const obj = this.decode(def, current);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw conflict(gr(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw conflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
      }
      await this.admit('validating', { operation: 'DELETE', def, namespace, name, oldObject: obj, dryRun: !!options.dryRun, ctx: this.ctx(), warnings: [] });
      const grace = def.strategy?.gracefulDeletion?.(obj, options) ?? 0;
      const finalizer = gcFinalizer(def, options.propagationPolicy);
      const pending = obj.metadata.finalizers?.length || grace > 0 || finalizer;
      if (pending) {
        if (obj.metadata.deletionTimestamp) return obj; // already being deleted
        const next = this.parse(def, current.value);
        if (finalizer && !next.metadata.finalizers?.includes(finalizer)) next.metadata.finalizers = [...(next.metadata.finalizers ?? []), finalizer];
        const at = new Date(this.ports.clock.now().getTime() + grace * 1000);
        next.metadata.deletionTimestamp = timestamp(at);
        next.metadata.deletionGracePeriodSeconds = grace;
        if (options.dryRun) return { ...next, metadata: { ...next.metadata, resourceVersion: obj.metadata.resourceVersion } };
        const since = this.ports.trace?.now();
        const result = await this.store.update(key, this.encode(def, next), current.modRevision);
        if (!result.ok) { if (attempt < 20) continue; throw conflict(gr(def), name, conflictMessage); }
        await this.notify(def, next, 'MODIFIED', result.kv.modRevision, key, since);
        return this.decode(def, result.kv);
      }
      if (!options.dryRun) await def.strategy?.finalize?.(obj, this);
      if (options.dryRun) return obj;
      const since = this.ports.trace?.now();
      const result = await this.store.delete(key, current.modRevision);
      if (!result.ok) { if (attempt < 20) continue; throw conflict(gr(def), name, conflictMessage); }
      await this.notify(def, obj, 'DELETED', result.kv.modRevision, key, since);
      return obj;
    }
  }

  async deleteCollection(def: ResourceDef, namespace: string | undefined, listOptions: ListOptions, options: DeleteOptions = {}): Promise<ListResult> {
    const { items, resourceVersion } = await this.list(def, namespace, { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector });
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        deleted.push(await this.delete(def, item.metadata.namespace, item.metadata.name!, options));
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      }
    }
    return { items: deleted, resourceVersion };
  }
}
