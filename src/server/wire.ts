import type { Context } from 'hono';
import { parseGoBool } from '../apimachinery/queryParams.ts';
import type { KubeObject, ObjectMeta } from '../registry/types.ts';
import { storedTextOf } from '../registry/storedFields.ts';
import { utf8Length } from '../apimachinery/utf8.ts';
import { encodeKubernetesProtobuf, protobufMessageOf, protobufType } from './protobufEncode.ts';

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
  return pretty ? goEscaped(JSON.stringify(body, null, 2)) : compactJsonPieces(body).map(goEscaped).join('');
}

const goEscaped = (text: string): string => {
  htmlUnsafe.lastIndex = 0;
  return htmlUnsafe.test(text) ? text.replace(htmlUnsafe, (ch) => goEscapes[ch]) : text;
};

/**
 * The same as UTF-8 bytes. A body with large managedFields sets (below) is encoded piece by
 * piece into one buffer: joined, its pieces make a rope that the escape check and the UTF-8
 * encoder would first copy flat (~3 ms for a 614 KB object on the 2-core development VM, on the
 * loop every cluster of the Node entry shares).
 */
export function encodeJsonBytes(body: unknown, pretty: boolean): string | Uint8Array<ArrayBuffer> {
  if (pretty) return encodeJson(body, true);
  const pieces = compactJsonPieces(body).map(goEscaped);
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(pieces.reduce((n, piece) => n + utf8Length(piece), 0));
  const encoder = new TextEncoder();
  let offset = 0;
  for (const piece of pieces) offset += encoder.encodeInto(piece, out.subarray(offset)).written;
  return out;
}

/**
 * Compact JSON with a newline, in pieces, where each large managedFields set stored as its text
 * (registry/storedFields.ts) is a piece of its own, that text, not encoded again: JSON.stringify
 * of a set of 12,000 keys costs ~5 ms on the loop every cluster shares, the text it was stored as
 * (JSON.stringify's own output for that set) is the same bytes. Each such set is encoded as a
 * placeholder string naming it, whose place the text then takes; the placeholders carry a nonce
 * of this process that no client sees, and one not found falls back to encoding the body as it is.
 */
function compactJsonPieces(body: unknown): string[] {
  const texts: string[] = [];
  const shaped = withSetPlaceholders(body, texts);
  const text = `${JSON.stringify(shaped)}\n`;
  if (!texts.length) return [text];
  // Placeholders come in the order they were made (JSON.stringify's order); each is looked for
  // from where the last one ended. Slices, not String.replace: ~0.1 ms, not ~3.
  const pieces: string[] = [];
  let from = 0;
  for (let i = 0; i < texts.length; i++) {
    const quoted = `"${placeholderNonce()}${i}"`;
    const at = text.indexOf(quoted, from);
    if (at < 0) return [`${JSON.stringify(body)}\n`];
    pieces.push(text.slice(from, at), texts[i]);
    from = at + quoted.length;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/**
 * Letters, digits and dashes: a JSON string as it is. Made on first use: a Worker may not make
 * random values at its start (global scope).
 */
let nonce: string | undefined;
const placeholderNonce = () => (nonce ??= `fieldsV1-${crypto.randomUUID()}-`);

type Loose = Record<string, unknown>;
const isLoose = (x: unknown): x is Loose => x !== null && typeof x === 'object' && !Array.isArray(x);

/** The body with each large stored set of its object (a list's items, a watch event's object) as a placeholder; the body itself is not changed. */
function withSetPlaceholders(body: unknown, texts: string[]): unknown {
  if (!isLoose(body)) return body;
  if (Array.isArray(body.items)) {
    let items: unknown[] | undefined;
    body.items.forEach((item: unknown, i) => {
      const shaped = objectWithSetPlaceholders(item, texts);
      if (shaped !== item) (items ??= [...(body.items as unknown[])])[i] = shaped;
    });
    return items ? { ...body, items } : body;
  }
  if (isLoose(body.object) && typeof body.type === 'string') {
    const object = objectWithSetPlaceholders(body.object, texts);
    return object === body.object ? body : { ...body, object };
  }
  return objectWithSetPlaceholders(body, texts);
}

function objectWithSetPlaceholders(obj: unknown, texts: string[]): unknown {
  const metadata = isLoose(obj) ? obj.metadata : undefined;
  const entries = isLoose(metadata) ? metadata.managedFields : undefined;
  if (!Array.isArray(entries)) return obj;
  let managedFields: unknown[] | undefined;
  entries.forEach((entry: unknown, i) => {
    const text = isLoose(entry) ? storedTextOf(entry.fieldsV1) : undefined;
    if (text === undefined) return;
    (managedFields ??= [...entries])[i] = { ...(entry as Loose), fieldsV1: `${placeholderNonce()}${texts.push(text) - 1}` };
  });
  return managedFields ? { ...(obj as Loose), metadata: { ...(metadata as Loose), managedFields } } : obj;
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

/** What a response is written in: JSON, or Kubernetes protobuf for the built-in kinds. */
export type OutputFormat = 'json' | 'protobuf';

const jsonTypes = new Set(['application/json', 'application/yaml', 'application/*', '*/*']);

/**
 * kube-apiserver's output negotiation (NegotiateOutputMediaType): Accept's media ranges by
 * quality, the more specific first at equal quality, then in the order sent; the first the
 * resource can be written in wins, `*` and `application/*` meaning JSON (the first type every
 * resource serves). Protobuf is served for built-in kinds only (custom resources are JSON in
 * kube-apiserver too), and never for a Table (`as=Table`), which has no protobuf form.
 * Undefined: only protobuf was acceptable and the resource cannot be written in it (406).
 * Anything else unrecognised keeps being answered in JSON.
 */
export function negotiateOutput(accept: string | null | undefined, protobuf: boolean): OutputFormat | undefined {
  if (!accept) return 'json';
  const ranges = accept.split(',').map((range, index) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    const specificity = type === '*/*' ? 0 : type.endsWith('/*') ? 1 : 2;
    return { type, params, q: Number.isFinite(q) ? q : 0, specificity, index };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.index - b.index);
  let askedProtobuf = false;
  for (const range of ranges) {
    if (range.type === protobufType) {
      askedProtobuf = true;
      if (protobuf && !range.params.some((p) => p.startsWith('as='))) return 'protobuf';
    } else if (jsonTypes.has(range.type)) return 'json';
  }
  return askedProtobuf ? undefined : 'json';
}

/**
 * Writes an API object or Status as the request negotiated (the route sets `output` for
 * resource requests): protobuf for a kind that has a protobuf form, JSON otherwise (a Table,
 * a custom resource).
 */
export function writeObject(c: Context, body: unknown, status = 200): Response {
  const message = c.get('output') === 'protobuf' ? protobufMessageOf(body) : undefined;
  if (!message) return writeJson(c, body, status);
  return c.body(encodeKubernetesProtobuf(body as Record<string, unknown>, message) as Uint8Array<ArrayBuffer>, status as 200, { 'Content-Type': protobufType, 'Cache-Control': 'no-cache, private' });
}

/**
 * Writes a shaped body with kube-apiserver's headers and encoding: pretty for the clients it
 * pretty-prints for, or always (`/version` is WriteRawJSON, always indented).
 */
export function writeJson(c: Context, body: unknown, status = 200, options: { pretty?: boolean } = {}): Response {
  const url = c.req.url;
  const pretty = options.pretty ?? prettyPrint(url.includes('pretty') ? new URL(url) : undefined, c.req.header('user-agent'));
  return c.body(encodeJsonBytes(body, pretty), status as 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
}
