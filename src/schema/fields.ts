import type * as v from 'valibot';

/**
 * Walks a body against its schema and names every field the schema does not know,
 * in the form the real server reports (`spec.containers[0].foo`). Schemas are data:
 * object entries, array items, record values, wrapped optionals.
 */
type Node = v.GenericSchema & { type: string; entries?: Record<string, Node>; item?: Node; value?: Node; wrapped?: Node; options?: Node[] };

export function unknownFields(schema: v.GenericSchema, value: unknown, path = ''): string[] {
  const out: string[] = [];
  collectUnknown(schema as Node, value, path, out);
  return out;
}

/**
 * Only an object can hold an unknown field: scalars are skipped before a path is built for
 * them (a list of 12,000 strings would otherwise cost 12,000 path strings and arrays).
 */
function collectUnknown(schema: Node, value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const node = unwrap(schema);
  if (node.type === 'loose_object' || node.type === 'object' || node.type === 'strict_object') {
    if (Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      const entry = node.entries![key];
      if (!entry) out.push(childPath);
      else collectUnknown(entry, child, childPath, out);
    }
  } else if (node.type === 'array' && Array.isArray(value)) {
    value.forEach((item, i) => { if (item !== null && typeof item === 'object') collectUnknown(node.item!, item, `${path}[${i}]`, out); });
  } else if (node.type === 'record') {
    for (const [k, item] of Object.entries(value as Record<string, unknown>)) if (item !== null && typeof item === 'object') collectUnknown(node.value!, item, `${path}[${k}]`, out);
  }
}

/**
 * Every place where the body has an array and the schema a struct or a map: valibot
 * accepts those (arrays are objects), Go's JSON decoder refuses them.
 */
export function arraysForObjects(schema: v.GenericSchema, value: unknown, path: string[] = []): Array<{ path: string; type: string }> {
  const out: Array<{ path: string; type: string }> = [];
  collectArrays(schema as Node, value, [...path], out);
  return out;
}

/** `path` is one array, grown and shrunk on the way down; scalars are skipped before any of it. */
function collectArrays(schema: Node, value: unknown, path: string[], out: Array<{ path: string; type: string }>): void {
  if (value === null || typeof value !== 'object') return;
  const node = unwrap(schema);
  // opaque() sub-trees (a record of unknown) are passed through unjudged, like a RawExtension
  if (node.type === 'record' && unwrap(node.value!).type === 'unknown') return;
  const isStruct = node.type === 'loose_object' || node.type === 'object' || node.type === 'strict_object';
  if (Array.isArray(value) && (isStruct || node.type === 'record')) {
    out.push({ path: path.join('.'), type: isStruct ? 'struct' : unwrap(node.value!).type === 'string' ? 'map[string]string' : 'map' });
    return;
  }
  const child = (schemaOf: Node | undefined, key: string, item: unknown) => {
    if (!schemaOf || item === null || typeof item !== 'object') return;
    path.push(key);
    collectArrays(schemaOf, item, path, out);
    path.pop();
  };
  if (isStruct) for (const [k, item] of Object.entries(value)) child(node.entries![k], k, item);
  else if (node.type === 'array' && Array.isArray(value)) value.forEach((item, i) => child(node.item, String(i), item));
  else if (node.type === 'record') for (const [k, item] of Object.entries(value)) child(node.value, k, item);
}

export function unwrap(node: Node): Node {
  let current = node;
  while (current.wrapped) current = current.wrapped;
  // a pipe keeps its root schema as the node itself; nothing to unwrap
  return current;
}
