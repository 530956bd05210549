import type { FieldsV1 } from './fieldSet.ts';
import type { KubeObject } from './types.ts';

/**
 * metadata.managedFields[].fieldsV1 as it is stored: a large set is kept as its JSON text, as
 * Go's FieldsV1 keeps its Raw bytes, and read back through a cache of decoded sets.
 *
 * Why: a set-like list of n elements is an object of n keys in FieldsV1 (`v:"…"` each), and
 * JSON.parse builds an object of 12,000 keys in ~10 ms, where the rest of the same object
 * (the list itself included) takes under 1 ms; a PATCH of it parses the stored object twice, on
 * the loop every cluster of the Node entry shares. Stored as text, it parses as one string, and
 * the set is built once for as long as its text is unchanged.
 *
 * The decoded sets are frozen: every object read with that text holds the same one (fieldsV1
 * is only ever replaced, never edited in place: managedFields.ts builds new sets), so a change in
 * place would change them all; frozen, it fails at once instead. Reads of either form are
 * accepted (objects stored before, a snapshot's), and a set stays an object where its text is
 * short: a small set costs little to parse and less to store unescaped.
 */

/** A set whose text is this long or longer is stored as its text. */
const storedAsTextFrom = 4096;
/** The decoded sets kept, counted by the length of their texts (the least recently read dropped first). */
const cachedCharsMax = 4 * 1024 * 1024;

const decodedByText = new Map<string, FieldsV1>();
let cachedChars = 0;
/** The text a decoded (or encoded) set was read from, so writing it back unchanged encodes nothing. */
const textOfSet = new WeakMap<FieldsV1, string>();

function deepFreeze(set: FieldsV1): FieldsV1 {
  for (const key of Object.keys(set)) deepFreeze(set[key]);
  return Object.freeze(set);
}

function remember(text: string, set: FieldsV1): void {
  textOfSet.set(set, text);
  if (text.length > cachedCharsMax / 4) return;
  decodedByText.set(text, set);
  cachedChars += text.length;
  for (const [oldest] of decodedByText) {
    if (cachedChars <= cachedCharsMax) break;
    decodedByText.delete(oldest);
    cachedChars -= oldest.length;
  }
}

/**
 * The JSON text of a large set as it was stored (JSON.stringify's, of this very set), for an
 * encoder that writes it as it is instead of encoding 12,000 keys again; undefined for a set
 * not stored as text.
 */
export const storedTextOf = (set: unknown): string | undefined => (set !== null && typeof set === 'object' ? textOfSet.get(set as FieldsV1) : undefined);

/** The set a stored text holds (undefined for one that is not a JSON object: left as it was). */
function setOf(text: string): FieldsV1 | undefined {
  const hit = decodedByText.get(text);
  if (hit) {
    // Most recently read last: the map's order is the eviction order.
    decodedByText.delete(text);
    decodedByText.set(text, hit);
    return hit;
  }
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return undefined; }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const set = deepFreeze(parsed as FieldsV1);
  remember(text, set);
  return set;
}

interface Entry { fieldsV1?: unknown }

/** A stored object's managedFields as the API shows them, decoded in place (each text becomes its set). */
function managedFieldsFromStorage<T extends KubeObject>(obj: T): T {
  const entries: unknown = obj.metadata?.managedFields;
  if (!Array.isArray(entries)) return obj;
  for (const entry of entries as Entry[]) {
    if (typeof entry?.fieldsV1 !== 'string') continue;
    const set = setOf(entry.fieldsV1);
    if (set) entry.fieldsV1 = set;
  }
  return obj;
}

/** A stored value as the object the API shows (its large managedFields sets decoded): what every reader of a stored object parses it with. */
export const parseStoredObject = <T extends KubeObject = KubeObject>(value: string): T => managedFieldsFromStorage(JSON.parse(value) as T);

/** The managedFields to store: each large set as its text (the one it was read from, if it was read). The entries given are not changed. */
export function managedFieldsToStorage<T>(entries: T): T {
  if (!Array.isArray(entries)) return entries;
  let out: Entry[] | undefined;
  (entries as Entry[]).forEach((entry, i) => {
    const set = entry?.fieldsV1;
    if (set === null || typeof set !== 'object' || Array.isArray(set)) return;
    let text = textOfSet.get(set as FieldsV1);
    if (text === undefined) {
      text = JSON.stringify(set);
      if (text.length < storedAsTextFrom) return;
      // Its next read finds it decoded: the set is the registry's own (a write's new set), frozen as a read one is.
      remember(text, deepFreeze(set as FieldsV1));
    }
    out ??= [...(entries as Entry[])];
    out[i] = { ...entry, fieldsV1: text };
  });
  return (out ?? entries) as T;
}
