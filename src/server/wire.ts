import type { Context } from 'hono';
import { parseGoBool } from '../apimachinery/queryParams.ts';
import type { KubeObject, ObjectMeta } from '../registry/types.ts';

/**
 * The response writer: JSON as kube-apiserver's serializer writes it with Go's encoding/json.
 *
 * - Compact output is `json.Encoder.Encode`: one line and a trailing newline. Pretty output
 *   (for curl, wget and browsers, or `?pretty=true`) is `json.MarshalIndent(obj, "", "  ")`,
 *   with no newline after it.
 * - Go escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings (HTML-safe encoding).
 * - Fields come in Go struct order. A Status is built in that order (apimachinery/errors.ts);
 *   an object starts with TypeMeta (kind, apiVersion) and ObjectMeta in its field order, and
 *   its maps (labels, annotations) sorted, as Go encodes maps. Deeper fields keep the order
 *   the registry stored them in, which is the schema's (registry canonicalizes on write), so
 *   a read orders only the few top-level and metadata keys, never the whole tree.
 * - A list's items carry no kind or apiVersion: kube-apiserver's typed lists leave them out.
 */

/**
 * isPrettyPrint (apiserver's negotiation): `?pretty=` parsed by strconv.ParseBool decides
 * when present; otherwise curl, wget and browsers get indented JSON.
 */
export function prettyPrint(url: URL | undefined, userAgent: string | undefined): boolean {
  if (url?.search.includes('pretty')) {
    const value = url.searchParams.get('pretty');
    if (value) return parseGoBool(value) ?? false;
  }
  const ua = userAgent ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

const htmlUnsafe = /[<>&\u2028\u2029]/g;
const goEscapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Go's encoding of an already-shaped body. These characters only ever appear inside JSON strings. */
export function encodeJson(body: unknown, pretty: boolean): string {
  const text = pretty ? JSON.stringify(body, null, 2) : `${JSON.stringify(body)}\n`;
  htmlUnsafe.lastIndex = 0;
  return htmlUnsafe.test(text) ? text.replace(htmlUnsafe, (ch) => goEscapes[ch]) : text;
}

/** ObjectMeta's fields in the Go struct's order. */
const metaOrder = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
] as const;
const metaKnown = new Set<string>(metaOrder);

/** Go encodes a map with its keys sorted; most label maps already are, and are kept as they are. */
function sortedMap(map: Record<string, string>): Record<string, string> {
  const keys = Object.keys(map);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
  if (sorted) return map;
  const out: Record<string, string> = {};
  for (const k of keys.sort()) out[k] = map[k];
  return out;
}

/** Go's omitempty: no empty strings, nulls, empty maps or slices (0 is kept: of these fields only generation is a plain int64). */
function empty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

export function shapeMeta(meta: ObjectMeta): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const key of metaOrder) {
    const value = meta[key];
    if (empty(value) || (key === 'generation' && value === 0)) continue;
    out[key] = key === 'labels' || key === 'annotations' ? sortedMap(value as Record<string, string>) : value;
  }
  for (const key of Object.keys(meta)) if (!metaKnown.has(key)) out[key] = (meta as Record<string, unknown>)[key];
  return out as ObjectMeta;
}

/** An object as a single answer or watch event shows it: TypeMeta, then ObjectMeta, then the rest in stored order. */
export function shapeObject(obj: KubeObject): KubeObject {
  const { kind, apiVersion, metadata, ...rest } = obj;
  return { kind, apiVersion, metadata: metadata ? shapeMeta(metadata) : metadata, ...rest } as KubeObject;
}

/** An object as an item of a list shows it: no TypeMeta. */
export function shapeListItem(obj: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, metadata, ...rest } = obj;
  return { metadata: metadata ? shapeMeta(metadata) : metadata, ...rest } as KubeObject;
}

/**
 * Writes a shaped body with kube-apiserver's headers and encoding: pretty for the clients it
 * pretty-prints for, or always (`/version` is WriteRawJSON, always indented).
 */
export function writeJson(c: Context, body: unknown, status = 200, options: { pretty?: boolean } = {}): Response {
  const url = c.req.url;
  const pretty = options.pretty ?? prettyPrint(url.includes('pretty') ? new URL(url) : undefined, c.req.header('user-agent'));
  return c.body(encodeJson(body, pretty), status as 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
}
