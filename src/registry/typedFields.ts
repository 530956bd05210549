import type * as v from 'valibot';
import { nameOf, shortName } from '../schema/base.ts';
import { unwrap } from '../schema/fields.ts';
import { fieldOf, itemOf, type PatchMeta } from '../schema/patchMeta.ts';
import { FieldSet } from './fieldSet.ts';
import { elementsPerSlice, runAtOnce, runInTurns, SliceBudget, type Sliced } from '../apimachinery/slices.ts';

/**
 * Objects read as structured-merge-diff reads typed values: which fields a value sets
 * (ToFieldSet), what changed between two values (Compare), an applied configuration merged
 * onto the live object (Merge) and fields taken out again (prune). The type comes from the
 * resource's valibot schema; whether a list is atomic, a set or a map keyed by some of its
 * elements' fields comes from the same patch metadata strategic merge uses
 * (src/schema/patchMeta.ts), as kube-apiserver's OpenAPI carries both side by side.
 * A custom resource's schema says the same with `x-kubernetes-list-type`,
 * `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`, which its schema nodes carry
 * (declareListType, declareAtomic; registry/structural.ts reads them). Fields the schema
 * does not know (preserved unknown trees, opaque maps) are granular maps with atomic lists,
 * as SMD's deduced type treats them; so are a CRD's lists that declare no list type.
 */

type Json = null | boolean | number | string | Json[] | JsonMap;
export interface JsonMap { [key: string]: Json }
type Node = v.GenericSchema & { type: string; entries?: Record<string, Node> };

const isMap = (x: unknown): x is JsonMap => x !== null && typeof x === 'object' && !Array.isArray(x);
const isStruct = (schema: v.GenericSchema | undefined) => !!schema && !!unwrap(schema as Node).entries;

/**
 * Structs SMD treats as one value (`+structType=atomic`): a label selector is owned whole,
 * which is why a Deployment's managedFields show `f:selector: {}`.
 */
const atomicStructs = new Set(['LabelSelector']);
const isAtomicStruct = (schema: v.GenericSchema | undefined) => {
  if (!schema) return false;
  if (declared_.get(schema)?.atomic) return true;
  const name = nameOf(unwrap(schema as Node));
  return !!name && atomicStructs.has(shortName(name));
};

/** Key fields that built-in schemas default, so an element that leaves them out still has its key (SMD's key defaults). */
const keyDefaults: Record<string, Json> = { protocol: 'TCP' };

/** How a list's elements are told apart; a map-list's `defaults` stand in for key fields an element leaves out. */
export type ListKind = { kind: 'atomic' } | { kind: 'set' } | { kind: 'map'; keys: string[]; defaults?: JsonMap };

/** What a schema node built at run time (a CRD's) says of itself: its list type, or that it is one atomic value. */
const declared_ = new WeakMap<v.GenericSchema, { list?: ListKind; atomic?: boolean }>();
/** A list node's `x-kubernetes-list-type` (and map keys). */
export function declareListType(node: v.GenericSchema, list: ListKind): void {
  declared_.set(node, { ...declared_.get(node), list });
}
/** A map or struct node owned whole (`x-kubernetes-map-type: atomic`). */
export function declareAtomic(node: v.GenericSchema): void {
  declared_.set(node, { ...declared_.get(node), atomic: true });
}

const atomicList: ListKind = { kind: 'atomic' };
function listKind(field: Field): ListKind {
  const { meta } = field;
  if (!meta) return (field.schema && declared_.get(field.schema)?.list) || atomicList;
  if (meta.strategy !== 'merge') return atomicList;
  if (!meta.mergeKey) return { kind: 'set' };
  return { kind: 'map', keys: meta.listMapKeys ?? [meta.mergeKey] };
}

/** A field's place in the tree: its schema and, for lists, how their elements are told apart. */
interface Field { schema?: v.GenericSchema; meta?: PatchMeta }

/** The path element naming a list element, or undefined if it cannot be named (then the list is treated as atomic). */
function elementOf(list: ListKind, item: Json): string | undefined {
  if (list.kind === 'set') return isMap(item) || Array.isArray(item) ? undefined : `v:${JSON.stringify(item)}`;
  if (list.kind !== 'map' || !isMap(item)) return undefined;
  const key: JsonMap = {};
  for (const name of [...list.keys].sort()) {
    const value = item[name] ?? (list.defaults ?? keyDefaults)[name];
    if (value !== undefined && value !== null) key[name] = value;
  }
  return Object.keys(key).length ? `k:${JSON.stringify(key)}` : undefined;
}

/** A list's elements by path element; undefined when one cannot be named or two share a name. */
function elementsOf(list: ListKind, items: Json[]): Map<string, Json> | undefined {
  if (list.kind === 'atomic') return undefined;
  const out = new Map<string, Json>();
  for (const item of items) {
    const element = elementOf(list, item);
    if (element === undefined || out.has(element)) return undefined;
    out.set(element, item);
  }
  return out;
}

/**
 * A field's type, looked up once per parent type and key: every write walks the whole
 * object, and the lookup (patch metadata by type name) would otherwise be repeated per field.
 */
const fieldCache = new WeakMap<v.GenericSchema, Map<string, Field>>();
const untyped: Field = {};
function childField(parent: Field, key: string): Field {
  if (!parent.schema) return untyped;
  let byKey = fieldCache.get(parent.schema);
  if (!byKey) fieldCache.set(parent.schema, (byKey = new Map()));
  let field = byKey.get(key);
  if (!field) byKey.set(key, (field = fieldOf(parent.schema, key)));
  return field;
}
const itemField = (parent: Field): Field => ({ schema: itemOf(parent.schema) });

/** Is `key` a struct field (not a map key) of the parent's type? */
const declared = (parent: Field, key: string) => isStruct(parent.schema) && !!(unwrap(parent.schema as Node).entries ?? {})[key];

/** The fields a value sets (typed.ToFieldSet): what an applied configuration owns. */
export function fieldSetOf(value: JsonMap, schema: v.GenericSchema | undefined): FieldSet {
  const set = new FieldSet();
  collect(set, value, { schema });
  return set;
}

function collect(node: FieldSet, value: Json, field: Field): void {
  if (Array.isArray(value)) {
    const list = listKind(field);
    const elements = elementsOf(list, value);
    if (!elements) { node.member = true; return; }
    for (const [element, item] of elements) {
      const child = node.child(element);
      child.member = true;
      if (list.kind === 'map') collect(child, item, itemField(field));
    }
    return;
  }
  if (!isMap(value) || isAtomicStruct(field.schema)) { node.member = true; return; }
  for (const [key, item] of Object.entries(value)) {
    const child = node.child(`f:${key}`);
    collect(child, item, childField(field, key));
    if (item === null || (isMap(item) && !Object.keys(item).length) || !declared(field, key)) child.member = true;
  }
}

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

/**
 * compare({}, value): everything is added. A create's fields, built in one walk (a
 * cluster's bootstrap creates hundreds of objects, so this path is kept lean).
 */
export function addedFields(value: JsonMap, schema: v.GenericSchema | undefined): FieldSet {
  const set = new FieldSet();
  const field: Field = { schema };
  for (const [key, item] of Object.entries(value)) added(set.child(`f:${key}`), item, childField(field, key));
  return set;
}

function added(node: FieldSet, value: Json, field: Field): void {
  if (Array.isArray(value)) {
    const list = listKind(field);
    const elements = value.length ? elementsOf(list, value) : undefined;
    node.member = true;
    if (!elements) return;
    for (const [element, item] of elements) {
      const child = node.child(element);
      child.member = true;
      if (list.kind === 'map') added(child, item, itemField(field));
    }
    return;
  }
  if (!isMap(value) || isAtomicStruct(field.schema)) { node.member = true; return; }
  let empty = true;
  for (const key in value) {
    empty = false;
    added(node.child(`f:${key}`), value[key], childField(field, key));
  }
  if (empty || !isStruct(field.schema)) node.member = true;
}

/** What changed from `lhs` to `rhs` (typed.Compare), leaf by leaf. */
export function compare(lhs: JsonMap, rhs: JsonMap, schema: v.GenericSchema | undefined): Comparison {
  return runAtOnce(comparison(lhs, rhs, schema));
}

/**
 * The same in slices, waiting for `pause` between them (apimachinery/slices.ts): a set of 12,000
 * finalizers is ~4 ms to compare, which on the loop every cluster shares is better cut up.
 */
export function compareInTurns(lhs: JsonMap, rhs: JsonMap, schema: v.GenericSchema | undefined, pause: () => Promise<void> | undefined): Promise<Comparison> {
  return runInTurns(comparison(lhs, rhs, schema), pause);
}

const budget = new SliceBudget(elementsPerSlice);

function* comparison(lhs: JsonMap, rhs: JsonMap, schema: v.GenericSchema | undefined): Sliced<Comparison> {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  yield* compareAt(out, [], lhs, rhs, { schema });
  return out;
}

const emptyValue = (x: Json | undefined) => x === undefined || x === null || (Array.isArray(x) ? !x.length : isMap(x) && !Object.keys(x).length);

/** One leaf's change; a value is compared whole (scalars by identity, anything else by its JSON). */
function compareLeaf(out: Comparison, path: string[], lhs: Json | undefined, rhs: Json | undefined): void {
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  else if (lhs !== rhs && (typeof lhs !== 'object' || typeof rhs !== 'object' || JSON.stringify(lhs) !== JSON.stringify(rhs))) out.modified.insert(path);
}

/** `path` is the walk's own stack (pushed and popped, copied only when something is inserted). */
function* compareAt(out: Comparison, path: string[], lhs: Json | undefined, rhs: Json | undefined, field: Field): Sliced<void> {
  const bothMaps = (lhs === undefined || isMap(lhs)) && (rhs === undefined || isMap(rhs));
  const bothLists = (lhs === undefined || Array.isArray(lhs)) && (rhs === undefined || Array.isArray(rhs));
  // An empty or absent value on both sides is a leaf, which keeps `{}` apart from absent.
  if ((!bothMaps && !bothLists) || (emptyValue(lhs) && emptyValue(rhs))) return compareLeaf(out, path, lhs, rhs);
  if (bothMaps) {
    if (isAtomicStruct(field.schema)) return compareLeaf(out, path, lhs, rhs);
    const l = (lhs ?? {}) as JsonMap, r = (rhs ?? {}) as JsonMap;
    for (const key in l) {
      path.push(`f:${key}`);
      yield* compareAt(out, path, l[key], Object.hasOwn(r, key) ? r[key] : undefined, childField(field, key));
      path.pop();
      if (budget.spend()) yield;
    }
    for (const key in r) {
      if (Object.hasOwn(l, key)) continue;
      path.push(`f:${key}`);
      yield* compareAt(out, path, undefined, r[key], childField(field, key));
      path.pop();
      if (budget.spend()) yield;
    }
    // A struct appearing is not itself owned (Go's value structs always exist); a map, an element, an unknown tree is.
    if (lhs === undefined && !isStruct(field.schema)) out.added.insert(path);
    else if (rhs === undefined) out.removed.insert(path);
    return;
  }
  const list = listKind(field);
  if (list.kind === 'set' && (yield* compareScalarSets(out, path, (lhs ?? []) as Json[], (rhs ?? []) as Json[], lhs, rhs))) return;
  const l = elementsOf(list, (lhs ?? []) as Json[]), r = elementsOf(list, (rhs ?? []) as Json[]);
  if (!l || !r) return compareLeaf(out, path, lhs, rhs);
  const item = itemField(field);
  function* visit(element: string, a: Json | undefined, b: Json | undefined): Sliced<void> {
    path.push(element);
    if (list.kind === 'map') yield* compareAt(out, path, a, b, item);
    if (a === undefined) out.added.insert(path);
    else if (b === undefined) out.removed.insert(path);
    path.pop();
    if (budget.spend()) yield;
  }
  for (const [element, a] of l) yield* visit(element, a, r.get(element));
  for (const [element, b] of r) if (!l.has(element)) yield* visit(element, undefined, b);
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
}

const isScalar = (x: Json) => x === null || typeof x !== 'object';

const onlyLeft = 1, both = 2, onlyRight = 3;

/**
 * A set of scalars (finalizers, a container's args under merge) compared by value, naming
 * only the elements that came or went: the same result as by path elements, without a
 * `v:"…"` string per element on each side (a set of 12,000 finalizers, reordered, changes
 * nothing). False when an element is not a scalar or a value repeats: the general walk
 * decides those (it takes such a list as atomic).
 */
function* compareScalarSets(out: Comparison, path: string[], l: Json[], r: Json[], lhs: Json | undefined, rhs: Json | undefined): Sliced<boolean> {
  if (!l.every(isScalar) || !r.every(isScalar)) return false;
  // One table for both lists (a 12,000-value table costs ~3 ms to build here, a lookup in it a
  // tenth of that): each value is onlyLeft, both or onlyRight; a value twice on a side is no set.
  const sides = new Map<Json, number>();
  for (const value of l) {
    const size = sides.size;
    if (sides.set(value, onlyLeft).size === size) return false;
    if (budget.spend()) yield;
  }
  for (const value of r) {
    const side = sides.get(value);
    if (side === undefined) sides.set(value, onlyRight);
    else if (side === onlyLeft) sides.set(value, both);
    else return false;
    if (budget.spend()) yield;
  }
  const visit = (value: Json, to: FieldSet) => { path.push(`v:${JSON.stringify(value)}`); to.insert(path); path.pop(); };
  for (const [value, side] of sides) {
    if (side !== both) visit(value, side === onlyLeft ? out.removed : out.added);
    if (budget.spend()) yield;
  }
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  return true;
}

/**
 * An applied configuration merged onto the live object (typed.Merge): maps and structs
 * field by field, map-lists element by element, set-lists as a union (both in SMD's order,
 * mergedOrder), atomic values replaced. A null in the configuration removes the field.
 */
export function mergeApplied(live: JsonMap, config: JsonMap, schema: v.GenericSchema | undefined): JsonMap {
  return mergeAt(live, config, { schema }) as JsonMap;
}

function mergeAt(lhs: Json | undefined, rhs: Json, field: Field): Json {
  if (isMap(lhs) && isMap(rhs) && !isAtomicStruct(field.schema)) {
    const out: JsonMap = { ...lhs };
    for (const [key, value] of Object.entries(rhs)) {
      if (key === '__proto__') continue;
      if (value === null) delete out[key];
      else out[key] = mergeAt(lhs[key], value, childField(field, key));
    }
    return out;
  }
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    const list = listKind(field);
    const l = elementsOf(list, lhs), r = elementsOf(list, rhs);
    if (!l || !r) return structuredClone(rhs);
    const merged = (element: string): Json => {
      const live = l.get(element), applied = r.get(element)!;
      return live !== undefined && list.kind === 'map' ? mergeAt(live, applied, itemField(field)) : structuredClone(applied);
    };
    return mergedOrder([...l.keys()], [...r.keys()], r).map((element) => (r.has(element) ? merged(element) : l.get(element)!));
  }
  return structuredClone(rhs);
}

/**
 * The order of a merged list's elements, as SMD's merge walks both lists at once: live-only
 * elements keep their place, applied ones come in the applied order, and an element in both
 * is placed where the applied configuration puts it among the others it shares with the live
 * list (so an apply of [x, a] onto [a, b] gives [x, a, b]).
 */
function mergedOrder(lhs: string[], rhs: string[], inRhs: Map<string, Json>): string[] {
  const lhsSet = new Set(lhs);
  const shared = rhs.filter((element) => lhsSet.has(element));
  let next = 0;
  const done = new Set<string>();
  const out: string[] = [];
  for (let lI = 0, rI = 0; lI < lhs.length || rI < rhs.length;) {
    if (lI < lhs.length && rI < rhs.length) {
      const element = lhs[lI];
      if (element === rhs[rI]) {
        done.add(element);
        out.push(element);
        lI++; rI++; next++;
        continue;
      }
      // A shared element, but not the next one the applied order places: it comes later.
      if (inRhs.has(element) && next < shared.length && shared[next] !== element) { lI++; continue; }
    }
    if (lI < lhs.length) {
      const element = lhs[lI];
      if (!inRhs.has(element)) { out.push(element); lI++; continue; }
      if (done.has(element)) lI++;
    }
    if (rI < rhs.length) {
      const element = rhs[rI++];
      done.add(element);
      out.push(element);
      if (shared[next] === element) next++;
    }
  }
  return out;
}

/**
 * Removes from `value` what `drop` names (members only: a node that is merely on the way
 * to a member is walked, not removed). Used to prune what an applier stopped applying.
 */
export function removeFields(value: JsonMap, drop: FieldSet, schema: v.GenericSchema | undefined): JsonMap {
  return removeAt(value, drop, { schema }) as JsonMap;
}

function removeAt(value: Json, drop: FieldSet, field: Field): Json {
  if (isMap(value)) {
    const out: JsonMap = { ...value };
    for (const [element, node] of drop.children) {
      if (!element.startsWith('f:')) continue;
      const key = element.slice(2);
      // A client may send any FieldsV1; `__proto__` would reach the prototype on assignment.
      if (key === '__proto__' || !Object.hasOwn(out, key)) continue;
      if (node.member) delete out[key];
      else out[key] = removeAt(out[key], node, childField(field, key));
    }
    return out;
  }
  if (Array.isArray(value)) {
    const list = listKind(field);
    if (list.kind === 'atomic') return value;
    const out: Json[] = [];
    for (const item of value) {
      const element = elementOf(list, item);
      const node = element === undefined ? undefined : drop.children.get(element);
      if (!node) out.push(item);
      else if (!node.member) out.push(removeAt(item, node, itemField(field)));
    }
    return out;
  }
  return value;
}
