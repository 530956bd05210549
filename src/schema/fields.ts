import type * as v from 'valibot';

/**
 * Walks a body against its schema and names every field the schema does not know,
 * in the form the real server reports (`spec.containers[0].foo`). Schemas are data:
 * object entries, array items, record values, wrapped optionals.
 */
type Node = v.GenericSchema & { type: string; entries?: Record<string, Node>; item?: Node; value?: Node; wrapped?: Node; options?: Node[] };

export function unknownFields(schema: v.GenericSchema, value: unknown, path = ''): string[] {
  const node = unwrap(schema as Node);
  if (value === null || value === undefined) return [];
  if (node.type === 'loose_object' || node.type === 'object' || node.type === 'strict_object') {
    if (typeof value !== 'object' || Array.isArray(value)) return [];
    const out: string[] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      const entry = node.entries![key];
      if (!entry) out.push(childPath);
      else out.push(...unknownFields(entry, child, childPath));
    }
    return out;
  }
  if (node.type === 'array' && Array.isArray(value)) return value.flatMap((item, i) => unknownFields(node.item!, item, `${path}[${i}]`));
  if (node.type === 'record' && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, item]) => unknownFields(node.value!, item, `${path}[${k}]`));
  }
  return [];
}

/**
 * Every place where the body has an array and the schema a struct or a map: valibot
 * accepts those (arrays are objects), Go's JSON decoder refuses them.
 */
export function arraysForObjects(schema: v.GenericSchema, value: unknown, path: string[] = []): Array<{ path: string; type: string }> {
  const node = unwrap(schema as Node);
  // opaque() sub-trees (a record of unknown) are passed through unjudged, like a RawExtension
  if (value === null || typeof value !== 'object' || (node.type === 'record' && unwrap(node.value!).type === 'unknown')) return [];
  const isStruct = node.type === 'loose_object' || node.type === 'object' || node.type === 'strict_object';
  if (Array.isArray(value) && (isStruct || node.type === 'record')) {
    return [{ path: path.join('.'), type: isStruct ? 'struct' : unwrap(node.value!).type === 'string' ? 'map[string]string' : 'map' }];
  }
  const children = (child: Node | undefined, entries: Array<[string, unknown]>) =>
    child ? entries.flatMap(([k, item]) => arraysForObjects(child, item, [...path, k])) : [];
  if (isStruct) return Object.entries(value).flatMap(([k, item]) => (node.entries![k] ? arraysForObjects(node.entries![k], item, [...path, k]) : []));
  if (node.type === 'array' && Array.isArray(value)) return children(node.item, value.map((item, i) => [String(i), item]));
  if (node.type === 'record') return children(node.value, Object.entries(value));
  return [];
}

export function unwrap(node: Node): Node {
  let current = node;
  while (current.wrapped) current = current.wrapped;
  // a pipe keeps its root schema as the node itself; nothing to unwrap
  return current;
}
