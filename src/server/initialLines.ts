import type { KeyValue } from '../storage/store.ts';

/** Bytes of encoded lines the server keeps, across all clusters (kube-apiserver's watch cache, in small). */
const maxBytes = 16 * 1024 * 1024;
/** A line larger than this share of the budget is encoded for each watch rather than kept. */
const maxLineBytes = maxBytes / 8;

/** kv → (resource form → encoded `{"type":"ADDED",...}` line); a Map keeps insertion order, oldest first. */
const lines = new Map<KeyValue, Map<string, Uint8Array>>();
let bytes = 0;

/**
 * The ADDED line of a stored record, as a watch without a resourceVersion sends it first, encoded
 * once for every watch that opens while the record is current. A flood of watches of a resource
 * holding a large object otherwise serializes that object again for each watch, on the loop every
 * cluster shares. Stored records are immutable, so a record is its own key: a new version, or a
 * re-created cluster's record, is a different object and can never be served from an older one.
 * `form` names what the line depends on besides the record (group, version, resource).
 */
export function initialLine(kv: KeyValue, form: string, encode: () => Uint8Array): Uint8Array {
  const forms = lines.get(kv);
  const hit = forms?.get(form);
  if (hit) {
    // Recently used: move to the young end.
    lines.delete(kv);
    lines.set(kv, forms!);
    return hit;
  }
  const line = encode();
  if (line.byteLength > maxLineBytes) return line;
  if (forms) forms.set(form, line); else lines.set(kv, new Map([[form, line]]));
  bytes += line.byteLength;
  for (const [oldest, oldForms] of lines) {
    if (bytes <= maxBytes) break;
    lines.delete(oldest);
    for (const l of oldForms.values()) bytes -= l.byteLength;
  }
  return line;
}
