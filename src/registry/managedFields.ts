import jsonpatch from 'fast-json-patch';
import type * as v from 'valibot';
import { ApiError } from '../apimachinery/errors.ts';
import { FieldSet, fromFieldsV1, pathString, toFieldsV1, type FieldsV1 } from './fieldSet.ts';
import { addedFields, compare, compareInTurns, fieldSetOf, mergeApplied, removeFields, type Comparison, type JsonMap } from './typedFields.ts';
import { isStatusSubresource, type KubeObject, type ResourceDef } from './types.ts';

/**
 * metadata.managedFields: who owns which fields (kube-apiserver's fieldmanager over
 * structured-merge-diff), for the generic registry's writes and server-side apply.
 *
 * - An Update (create, PUT, non-apply PATCH, a worker's write) gives its manager the fields
 *   it changed and takes them from everyone else; fields it removed leave every set.
 * - An Apply gives its manager exactly the fields of the applied configuration; a field
 *   another manager owns that the apply would change is a conflict (409) unless forced,
 *   which moves it; fields the manager applied last time and no longer applies are removed
 *   from the object unless someone else owns them.
 *
 * Simplified, and said so in the README: a struct appearing is never itself owned (Go's
 * value structs always exist, pointer structs would be; the schema does not say which),
 * lists are typed by the strategic-merge metadata, and there is no version conversion
 * (each resource is served in one version here).
 */

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

type EntryMeta = Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>;

/**
 * One manager's fields. A stored entry stays in its FieldsV1 form until a write touches
 * it: most writes change a few fields of one manager, and decoding and re-encoding every
 * other manager's set each time would cost more than the write.
 */
class Managed {
  private decoded?: FieldSet;
  constructor(readonly entry: EntryMeta, set: FieldSet | undefined, private raw?: FieldsV1) {
    this.decoded = set;
  }

  get set(): FieldSet {
    return (this.decoded ??= (this.raw && fromFieldsV1(this.raw)) || new FieldSet());
  }

  set set(value: FieldSet) {
    this.decoded = value;
    this.raw = undefined;
  }

  get fieldsV1(): FieldsV1 {
    return this.raw ?? toFieldsV1(this.set);
  }

  get empty(): boolean {
    return this.raw ? Object.keys(this.raw).length === 0 : this.set.empty;
  }

  /** Does this manager own a member of `set`? Read off the stored form when it is not decoded. */
  touches(set: FieldSet): boolean {
    if (set.empty) return false;
    return this.raw && !this.decoded ? rawIntersects(this.raw, set) : !this.set.intersection(set).empty;
  }
}

function rawIntersects(raw: FieldsV1, node: FieldSet): boolean {
  for (const [element, child] of node.children) {
    if (!Object.hasOwn(raw, element)) continue;
    const theirs = raw[element];
    if (child.member && (Object.hasOwn(theirs, '.') || Object.keys(theirs).length === 0)) return true;
    if (child.children.size && rawIntersects(theirs, child)) return true;
  }
  return false;
}

/** Who is writing, and how. */
export interface Writer {
  manager: string;
  apiVersion: string;
  /** `status` (or another status-like subresource, or `scale`) when the write came through one. */
  subresource?: string;
  time: string;
}

/** Apply entries are one per manager whatever version they applied; Update entries one per version too. */
const identity = (e: EntryMeta) => JSON.stringify([e.manager, e.operation, e.subresource ?? '', e.operation === 'Apply' ? '' : e.apiVersion]);

/**
 * Metadata fields nobody owns (stripMetaManager): the server sets them. `metadata` itself is
 * dropped too when nothing else of it is left.
 */
const serverMeta = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];

/**
 * What a write may own: the object without what the server sets, and without the part the
 * write cannot change (a main-resource write leaves status alone where status is a
 * subresource; a status write owns only status).
 */
function ownable(obj: KubeObject | JsonMap, scope: Scope): JsonMap {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj as JsonMap;
  const out: JsonMap = { ...rest };
  if (scope === 'status') return 'status' in out ? { status: out.status } : {};
  if (scope === 'main-without-status') delete out.status;
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const meta: JsonMap = { ...metadata };
    for (const key of serverMeta) delete meta[key];
    if (Object.keys(meta).length) out.metadata = meta;
  }
  return out;
}

/** Which part of the object a write owns fields in. */
export type Scope = 'main' | 'main-without-status' | 'status';

/** A status-like subresource owns status; the main resource everything else where status is a subresource. */
export function ownershipScope(def: Pick<ResourceDef, 'subresources'>, subresource: string | undefined): Scope {
  if (isStatusSubresource(subresource)) return 'status';
  return (def.subresources ?? []).includes('status') ? 'main-without-status' : 'main';
}

/**
 * Entries read back. A client's are checked whole (a bad one means the stored ones are
 * kept); the stored ones are this server's own, decoded only when a write touches them.
 */
function decode(entries: unknown, check: boolean): Managed[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const out: Managed[] = [];
  for (const raw of entries) {
    if (raw === null || typeof raw !== 'object') return undefined;
    const e = raw as Partial<ManagedFieldsEntry>;
    if (typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) return undefined;
    const fields = e.fieldsV1 ?? {};
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return undefined;
    const set = check ? fromFieldsV1(fields) : undefined;
    if (check && !set) return undefined;
    const entry: EntryMeta = { manager: e.manager, operation: e.operation, apiVersion: String(e.apiVersion ?? ''), ...(e.time ? { time: String(e.time) } : {}), ...(e.subresource ? { subresource: String(e.subresource) } : {}) };
    out.push(new Managed(entry, set, set ? undefined : fields));
  }
  return out;
}

/** `[]` or `[{}]` in a request resets managedFields (isResetManagedFields). */
const isReset = (entries: unknown) => Array.isArray(entries) && (entries.length === 0 || (entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && !Object.keys(entries[0] as object).length));

/**
 * The managers a write starts from (decodeLiveOrNew): the request's own managedFields when it
 * sent valid ones, none when it reset them, else the stored object's. A subresource write
 * never sets them.
 */
function startingManagers(live: KubeObject | undefined, next: KubeObject, subresource: boolean): Managed[] {
  const fromLive = () => decode(live?.metadata.managedFields, false) ?? [];
  if (subresource) return fromLive();
  const requested = next.metadata.managedFields;
  if (isReset(requested)) return [];
  // A patch or a worker's read-modify-write carries the stored entries back unchanged.
  if (requested === undefined || JSON.stringify(requested) === JSON.stringify(live?.metadata.managedFields)) return fromLive();
  const decoded = decode(requested, true);
  return decoded?.length ? decoded : fromLive();
}

/**
 * Entries in kube-apiserver's order (sortEncodedManagedFields): Apply before Update, then by
 * time, manager, apiVersion and subresource.
 */
function encode(managers: Managed[]): ManagedFieldsEntry[] {
  const sorted = managers.filter((m) => !m.empty).sort((a, b) => {
    const x = a.entry, y = b.entry;
    const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
    return x.operation.localeCompare(y.operation) || seconds(x.time) - seconds(y.time) || cmp(x.manager, y.manager) || cmp(x.apiVersion, y.apiVersion) || cmp(x.subresource ?? '', y.subresource ?? '');
  });
  return sorted.map((m) => {
    const { entry } = m;
    return {
      manager: entry.manager, operation: entry.operation, apiVersion: entry.apiVersion, ...(entry.time ? { time: entry.time } : {}),
      fieldsType: 'FieldsV1', fieldsV1: m.fieldsV1, ...(entry.subresource ? { subresource: entry.subresource } : {}),
    };
  });
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Records an Update (managedFieldsUpdater over Updater.Update): the fields that changed from
 * `live` to `next` become the writer's, leave every other manager, and removed fields leave
 * every set. Sets `next.metadata.managedFields`; the writer's time moves only if it took fields.
 */
export function recordUpdate(live: KubeObject | undefined, next: KubeObject, writer: Writer, scope: Scope, schema: v.GenericSchema | undefined): void {
  const changes = live ? compare(ownable(live, scope), ownable(next, scope), schema) : { added: addedFields(ownable(next, scope), schema), modified: new FieldSet(), removed: new FieldSet() };
  recordChanges(live, next, writer, scope, changes);
}

/**
 * The same, the comparison in slices with `pause` between them (typedFields.compareInTurns): for
 * an update of a large object on the loop every cluster shares.
 */
export async function recordUpdateInTurns(live: KubeObject, next: KubeObject, writer: Writer, scope: Scope, schema: v.GenericSchema | undefined, pause: () => Promise<void> | undefined): Promise<void> {
  recordChanges(live, next, writer, scope, await compareInTurns(ownable(live, scope), ownable(next, scope), schema, pause));
}

function recordChanges(live: KubeObject | undefined, next: KubeObject, writer: Writer, scope: Scope, changes: Comparison): void {
  const taken = changes.modified.union(changes.added);
  // A write that changes no field and sends no managedFields of its own leaves them as
  // stored, without decoding them: the common no-op of a level-triggered controller.
  const stored = live?.metadata.managedFields;
  const requested = next.metadata.managedFields;
  if (taken.empty && changes.removed.empty && (scope === 'status' || requested === undefined || requested === stored || jsonpatch._areEquals(requested, stored))) {
    if (stored === undefined) delete next.metadata.managedFields; else next.metadata.managedFields = stored;
    return;
  }
  const managers = startingManagers(live, next, scope === 'status');
  for (const m of managers) if (m.touches(changes.removed) || m.touches(taken)) m.set = m.set.difference(changes.removed).difference(taken);
  const entry = { manager: writer.manager, operation: 'Update' as const, apiVersion: writer.apiVersion, ...(writer.subresource ? { subresource: writer.subresource } : {}) };
  if (!taken.empty) {
    const mine = managers.find((m) => identity(m.entry) === identity(entry));
    if (mine) { mine.set = mine.set.union(taken); mine.entry.time = writer.time; }
    else managers.push(new Managed({ ...entry, time: writer.time }, taken));
  }
  setManaged(next, encode(capUpdates(managers)));
}

/** kube-apiserver's cap on Update entries (DefaultMaxUpdateManagers), which bounds what managedFields cost per object. */
const maxUpdateManagers = 10;

/**
 * capManagersManager: past ten Update entries, the oldest are merged into one
 * `ancient-changes` entry (taking the time of the newest merged), so an object written by
 * many managers does not grow without bound. Apply entries are never merged.
 */
function capUpdates(managers: Managed[]): Managed[] {
  const updates = managers.filter((m) => m.entry.operation === 'Update' && !m.empty);
  if (updates.length <= maxUpdateManagers) return managers;
  const seconds = (m: Managed) => (m.entry.time ? Math.floor(Date.parse(m.entry.time) / 1000) : 0);
  const oldest = [...updates].sort((a, b) => seconds(a) - seconds(b)).slice(0, updates.length - maxUpdateManagers + 1);
  const merged = oldest.reduce((set, m) => set.union(m.set), new FieldSet());
  const last = oldest[oldest.length - 1].entry;
  const bucket = new Managed({ manager: 'ancient-changes', operation: 'Update', apiVersion: last.apiVersion, ...(last.time ? { time: last.time } : {}) }, merged);
  return [...managers.filter((m) => !oldest.includes(m)), bucket];
}

function setManaged(obj: KubeObject, entries: ManagedFieldsEntry[]): void {
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** One field another manager owns with another value. */
export interface Conflict { manager: EntryMeta; path: string[] }

/**
 * A server-side apply (Updater.Apply): `config` merged onto `live`, the fields the manager
 * applied before and no longer applies pruned unless another manager owns them, ownership
 * moved. Conflicts are a 409 unless `force`. Returns the object to store, managedFields set.
 */
export function applyConfiguration(live: KubeObject, config: KubeObject, writer: Writer, force: boolean, scope: Scope, schema: v.GenericSchema | undefined): KubeObject {
  const managers = decode(live.metadata.managedFields, false) ?? [];
  const entry = { manager: writer.manager, operation: 'Apply' as const, apiVersion: writer.apiVersion, ...(writer.subresource ? { subresource: writer.subresource } : {}) };
  const key = identity(entry);
  const previous = managers.find((m) => identity(m.entry) === key);
  const applied = fieldSetOf(ownable(config, scope), schema);
  const others = managers.filter((m) => m !== previous);

  // What the server sets in metadata (and status, on the main resource) is not the applier's to change.
  let merged = mergeApplied(live as unknown as JsonMap, ownable(config, scope), schema);
  if (previous) {
    // Pruned: what was applied last time, is no longer, and nobody else owns (as a member or by a field under it).
    let owned = applied;
    for (const m of others) owned = owned.union(m.set);
    merged = removeFields(merged, unowned(previous.set.difference(applied), owned), schema);
  }
  const changes = compare(ownable(live, scope), ownable(merged as KubeObject, scope), schema);
  const changing = changes.modified.union(changes.added);
  const conflicts: Conflict[] = [];
  for (const m of others) {
    const clash = m.set.intersection(changing);
    for (const path of clash.paths()) conflicts.push({ manager: m.entry, path });
  }
  if (conflicts.length && !force) throw applyConflict(conflicts);
  for (const m of others) m.set = m.set.difference(changing).difference(changes.removed);
  const changed = JSON.stringify(merged) !== JSON.stringify(live);
  const time = changed || !previous?.entry.time ? writer.time : previous.entry.time;
  const next: Managed[] = [...others, new Managed({ ...entry, time }, applied)];
  const out = merged as unknown as KubeObject;
  out.metadata = { ...(out.metadata ?? {}) };
  setManaged(out, encode(next));
  return out;
}

/**
 * The members of `candidates` under which `owned` holds nothing: those go whole. A member
 * under which someone still owns a field stays, and only its unowned fields go.
 */
function unowned(candidates: FieldSet, owned: FieldSet | undefined): FieldSet {
  const out = new FieldSet();
  for (const [element, node] of candidates.children) {
    const theirs = owned?.children.get(element);
    if (node.member && (!theirs || theirs.empty)) { out.child(element).member = true; continue; }
    const inner = unowned(node, theirs);
    if (!inner.empty) out.children.set(element, inner);
  }
  return out;
}

/** How kube-apiserver names a manager in a conflict (printManager). */
function describeManager(e: EntryMeta): string {
  let out = JSON.stringify(e.manager);
  if (e.subresource) out += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${out} using ${e.apiVersion}` : out;
}

/** A conflicting apply's 409, with the conflicts themselves for callers that may forgive some. */
export class ApplyConflictError extends ApiError {
  constructor(readonly conflicts: Conflict[], message: string, causes: Array<{ reason: string; message: string; field: string }>) {
    super(409, 'Conflict', message, { causes });
  }
}

/** The fields an object sets, as an applied configuration of it would own them (client-side apply's annotation, read back). */
export function ownedByConfiguration(config: KubeObject, def: Pick<ResourceDef, 'subresources' | 'schema'>): FieldSet {
  return fieldSetOf(ownable(config, ownershipScope(def, undefined)), def.schema);
}

/** The 409 of a conflicting apply (NewConflictError), message as getConflictMessage words it. */
function applyConflict(conflicts: Conflict[]): ApplyConflictError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const name = describeManager(c.manager);
      byManager.set(name, [...(byManager.get(name) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const name of [...byManager.keys()].sort()) lines.push(`conflicts with ${name}:`, ...byManager.get(name)!.map((p) => `- ${p}`));
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApplyConflictError(conflicts, message, causes);
}
