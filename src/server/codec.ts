import { parse as parseYaml } from 'yaml';
import type { KubeObject, ResourceDef } from '../registry/types.ts';
import { unknownFields } from '../schema/fields.ts';
import { decodeIssues } from '../schema/decode.ts';
import { badRequest, tooLarge, unsupportedMediaType } from '../apimachinery/errors.ts';
import { decodeKubernetesProtobuf } from './protobuf.ts';
import { goJsonSyntaxError, summarizeBody } from '../apimachinery/goJson.ts';

export const maxBodyBytes = 3 * 1024 * 1024;

/**
 * What Go's net/http server reads of a body its handler left unread before it gives up the
 * connection instead: an answer given without reading a larger body closes the connection
 * (entry/node.ts, the Worker's drainUnread), and the client's next request costs a new one.
 */
export const maxUnreadBodyBytes = 256 * 1024;

/** Reads a request body, refusing more than maxBodyBytes without buffering it all. */
export async function readBody(request: Request, limit = maxBodyBytes): Promise<Uint8Array> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > limit) throw tooLarge();
  // With a declared length the HTTP layer delivers exactly that many bytes, so the body can be
  // taken whole; @hono/node-server then reads the socket directly instead of building a web stream
  // (which even asking for `request.body` would do).
  if (length !== null && /^\d+$/.test(length)) return declared === 0 ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
  return concat(await readBodyChunks(request, limit));
}

/**
 * The body as the pieces it arrived in, each a copy of its own (a decoder on another thread
 * may take their memory), refusing more than `limit`. Nothing here makes one buffer of the
 * whole body: on the loop every cluster shares, a fresh multi-megabyte allocation is itself
 * milliseconds of page faults where memory is mapped on first touch (a 3 MiB buffer ~10 ms in
 * a Firecracker VM, the same bytes in 64 KiB pieces ~0.2 ms).
 */
export async function readBodyChunks(request: Request, limit = maxBodyBytes): Promise<Uint8Array[]> {
  if (Number(request.headers.get('content-length') ?? '0') > limit) throw tooLarge();
  if (!request.body) return [];
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value.slice());
  }
  return chunks;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
  return out;
}

export const mediaType = (contentType: string | null) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** No Kubernetes object nests this deep; deeper input would only exhaust the stack later. */
const maxNesting = 100;

function checkNesting(value: unknown): unknown {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxNesting) throw badRequest(`the request body nests deeper than ${maxNesting} levels`);
    for (const child of Object.values(node as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return value;
}

/**
 * JSON, YAML or Kubernetes protobuf into a value; anything else is a 415, unparseable input a 400.
 * `into` is the kind the body must be, which kube-apiserver names when it cannot parse one.
 */
export function decodeDocument(bytes: Uint8Array, contentType: string | null, into?: string): unknown {
  return checkNesting(parseDocument(bytes, contentType, into, textOf(bytes, contentType)));
}

/**
 * The same on turns of the loop of their own: the bytes read as UTF-8 on the next one (the
 * HTTP layer has just copied them into one buffer on this one), parsed on the one after (a
 * 3 MiB body is ~12 ms of each), so that on the loop every cluster shares, other requests are
 * served in between.
 */
export async function decodeDocumentInTurns(bytes: Uint8Array, contentType: string | null, into: string | undefined, turn: () => Promise<void>): Promise<unknown> {
  await turn();
  const text = textOf(bytes, contentType);
  await turn();
  return checkNesting(parseDocument(bytes, contentType, into, text));
}

/**
 * The body as text, undefined for protobuf. No Content-Type means JSON; one without a media
 * type (`;charset=utf-8`) is unparseable: 415, as Go's mime.ParseMediaType, before anything.
 */
function textOf(bytes: Uint8Array, contentType: string | null): string | undefined {
  const type = mediaType(contentType);
  if (type === '' && (contentType ?? '').trim() !== '') throw unsupportedMediaType(contentType ?? '');
  if (type === protobufType) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('the request body is not valid UTF-8');
  }
}

const protobufType = 'application/vnd.kubernetes.protobuf';

/** The document of a body `textOf` has read. */
function parseDocument(bytes: Uint8Array, contentType: string | null, into: string | undefined, text: string | undefined): unknown {
  const type = mediaType(contentType);
  if (text === undefined) {
    // kubectl's typed commands (create …, auth can-i) send only protobuf; the envelope names the kind
    const { apiVersion, kind, object } = decodeKubernetesProtobuf(bytes);
    return { apiVersion, kind, ...object };
  }
  if (type === '' || type === 'application/json' || type === '*/*') {
    try {
      return JSON.parse(text);
    } catch (err) {
      // The serializer's Interpret fails first; transformDecodeError then names the kind and quotes the body.
      const why = `couldn't get version/kind; json parse error: ${goJsonSyntaxError(text) ?? (err as Error).message}`;
      throw badRequest(into ? `the object provided is unrecognized (must be of type ${into}): ${why} (${summarizeBody(bytes)})` : why);
    }
  }
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      // logLevel 'error': warnings (unknown tags, odd directives) would print the body's text to the log; errors still throw
      return parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw unsupportedMediaType(contentType ?? '');
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(value: string | undefined): FieldValidation {
  if (value === undefined || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${value}"`);
}

/**
 * Turns a decoded document into an object of the resource's kind, as the real
 * decoder does: wrong kind or apiVersion → 400, type mismatches → 400, unknown
 * fields per fieldValidation (Strict: 400 strict decoding error; Warn: warnings).
 */
export function decodeObject(def: ResourceDef, body: unknown, fieldValidation: FieldValidation, expectKind = def.kind, expectSchema = def.schema): { obj: KubeObject; warnings: string[] } {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  const obj = body as KubeObject;
  if (obj.kind !== undefined && obj.kind !== expectKind) {
    throw badRequest(`${obj.kind} in version "${String(obj.apiVersion ?? '')}" cannot be handled as a ${expectKind}: no kind "${obj.kind}" is registered for version "${String(obj.apiVersion ?? '')}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  const typeErrors = decodeIssues(expectSchema, obj);
  if (typeErrors.length) throw badRequest(`${expectKind} in version "${def.version}" cannot be handled as a ${expectKind}: ${typeErrors[0]}`);
  const unknown = fieldValidation === 'Ignore' ? [] : unknownFields(expectSchema, obj);
  if (unknown.length && fieldValidation === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`);
    throw badRequest(`${expectKind} in version "${def.version}" cannot be handled as a ${expectKind}: strict decoding error: ${list.join(', ')}`);
  }
  obj.metadata ??= {};
  return { obj, warnings: unknown.map((f) => `unknown field "${f}"`) };
}

/** Accept asks for a meta.k8s.io Table (kubectl get always does). */
export function wantsTable(accept: string | null): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const params = range.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.some((p) => p === 'g=meta.k8s.io') && params.some((p) => p === 'v=v1' || p === 'v=v1beta1');
  });
}
