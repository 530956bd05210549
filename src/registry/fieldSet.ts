/**
 * A set of field paths (structured-merge-diff's fieldpath.Set) and its wire form, FieldsV1.
 *
 * The set is a tree keyed by path elements already spelled as FieldsV1 spells them, so
 * encoding is a walk with no re-serialisation:
 *   `f:<name>`          a struct field or map key
 *   `k:{"name":"web"}`  a list element by its key fields (JSON, fields sorted)
 *   `v:"a"`             an element of a set-like list, by value (JSON)
 *   `i:0`               a list element by index (kept only when read from a client)
 * A node is a *member* when its path itself is in the set; FieldsV1 writes that as `{}`
 * for a leaf and as a `".": {}` entry beside the children of an inner node.
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  get empty(): boolean {
    return !this.member && this.children.size === 0;
  }

  child(element: string): FieldSet {
    let node = this.children.get(element);
    if (!node) this.children.set(element, (node = new FieldSet()));
    return node;
  }

  insert(path: readonly string[]): void {
    let node: FieldSet = this;
    for (const element of path) node = node.child(element);
    node.member = true;
  }

  /** The node at a path, if any path of the set passes through it. */
  at(path: readonly string[]): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const element of path) node = node?.children.get(element);
    return node;
  }

  has(path: readonly string[]): boolean {
    return this.at(path)?.member ?? false;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || other.member;
    for (const [element, node] of this.children) {
      const theirs = other.children.get(element);
      out.children.set(element, theirs ? node.union(theirs) : node.clone());
    }
    for (const [element, node] of other.children) if (!this.children.has(element)) out.children.set(element, node.clone());
    return out;
  }

  /** The members of this set that are not members of `other` (children compared one by one). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [element, node] of this.children) {
      const theirs = other.children.get(element);
      const kept = theirs ? node.difference(theirs) : node.clone();
      if (!kept.empty) out.children.set(element, kept);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [element, node] of this.children) {
      const theirs = other.children.get(element);
      if (!theirs) continue;
      const both = node.intersection(theirs);
      if (!both.empty) out.children.set(element, both);
    }
    return out;
  }

  clone(): FieldSet {
    return this.union(new FieldSet());
  }

  equals(other: FieldSet): boolean {
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [element, node] of this.children) {
      const theirs = other.children.get(element);
      if (!theirs || !node.equals(theirs)) return false;
    }
    return true;
  }

  /** Every member path, in FieldsV1 order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const element of sortedElements(this.children)) out.push(...this.children.get(element)!.paths([...prefix, element]));
    return out;
  }
}

/** FieldsV1 as JSON: each key a path element (or `.`), each value the node under it. */
export interface FieldsV1 { [element: string]: FieldsV1 }

const kindRank = (element: string) => ({ f: 0, k: 1, v: 2, i: 3 })[element[0] as 'f'] ?? 4;

/**
 * Path elements in fieldpath.PathElement.Compare's order: fields, then keys, then values,
 * then indexes; names by string, indexes by number. Keys and values compare by their
 * JSON text, which orders strings and numbers of one shape as Go does.
 */
function compareElements(a: string, b: string): number {
  const ra = kindRank(a), rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

const sortedElements = (children: Map<string, FieldSet>) => [...children.keys()].sort(compareElements);

export function toFieldsV1(set: FieldSet): FieldsV1 {
  const out: FieldsV1 = {};
  if (set.member && set.children.size) out['.'] = {};
  const elements = set.children.size > 1 ? sortedElements(set.children) : set.children.keys();
  for (const element of elements) out[element] = toFieldsV1(set.children.get(element)!);
  return out;
}

const validElement = /^(f:|k:\{|v:|i:\d)/;

/** A FieldsV1 tree read back (a stored entry, or one a client sent); undefined if it is not one. */
export function fromFieldsV1(json: unknown): FieldSet | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const set = new FieldSet();
  for (const [element, value] of Object.entries(json as Record<string, unknown>)) {
    if (element === '.') { set.member = true; continue; }
    if (!validElement.test(element)) return undefined;
    const node = fromFieldsV1(value);
    if (!node) return undefined;
    // A leaf `{}` is a member; an inner node is one only when it carries `.`.
    if (node.children.size === 0) node.member = true;
    set.children.set(element, node);
  }
  return set;
}

/** Go's %v of a scalar as fieldpath prints it: strings quoted, numbers and booleans bare. */
const showValue = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** A path as fieldpath.Path.String() prints it in conflicts: `.spec.containers[name="web"].image`. */
export function pathString(path: readonly string[]): string {
  return path.map((element) => {
    const body = element.slice(2);
    switch (element[0]) {
      case 'f': return `.${body}`;
      case 'k': {
        const key = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${showValue(v)}`).join(',')}]`;
      }
      case 'v': return `[=${showValue(JSON.parse(body))}]`;
      default: return `[${body}]`;
    }
  }).join('');
}
