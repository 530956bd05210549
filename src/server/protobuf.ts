import { kindMessage, wireMessage, type WireField, type WireMessage } from '../schema/protobufSchema.ts';
import { ApiError, badRequest } from '../apimachinery/errors.ts';
import { customTypes } from './protobufCustom.ts';
import { Malformed, Reader, text, wireNames } from './protobufWire.ts';

/**
 * `application/vnd.kubernetes.protobuf` request bodies into the JSON form the rest of
 * the server handles. The body is the magic `k8s\0` and a runtime.Unknown
 * {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's message),
 * 3: contentEncoding, 4: contentType}. One generic decoder walks the table generated from
 * upstream definitions (src/schema/protobufSchema.ts); nothing here knows a particular kind.
 */

export interface DecodedProtobuf { apiVersion: string; kind: string; object: Record<string, unknown> }
type JsonObject = Record<string, unknown>;

export const protobufMagic = [0x6b, 0x38, 0x73, 0x00];
/** Kubernetes messages nest at most ~15 deep (CRD schemas more, through JSONSchemaProps); anything deeper is not ours. */
const maxDepth = 64;

/** Own enumerable property even for `__proto__`, as JSON.parse does for map keys from the wire. */
function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const emptyMessage: WireMessage = { name: '', fields: [], byNumber: new Map(), proto3: false, custom: false, wrapper: false };
const messageOf = (type: string): WireMessage => wireMessage(type) ?? emptyMessage;

/** The fields of a message by their wire names, then in JSON form: custom types converted, wrappers unwrapped. */
function decodeMessage(message: WireMessage, r: Reader, depth: number, out: JsonObject = {}): JsonObject {
  if (depth > maxDepth) throw new Malformed(`messages nested deeper than ${maxDepth}`);
  while (!r.done) {
    const [number, wire] = r.tag();
    const field = message.byNumber.get(number);
    if (!field) { r.skip(wire); continue; }
    try {
      decodeField(field, wire, r, depth, out, message.custom);
    } catch (err) {
      if (err instanceof Malformed) err.path.unshift(field.json);
      throw err;
    }
  }
  return out;
}

function decodeField(field: WireField, wire: number, r: Reader, depth: number, out: JsonObject, raw: boolean): void {
  const { json, type } = field;
  if (field.map) {
    expectWire(wire, 2);
    const [key, item] = decodeMapEntry(field, r.sub(), depth);
    const map = (out[json] ??= {}) as JsonObject;
    setOwn(map, key, item);
  } else if (field.repeated) {
    const list = (out[json] ??= []) as unknown[];
    // proto2 repeated scalars may arrive packed (one length-delimited run) or one per tag
    if (wire === 2 && field.scalar && type !== 'string' && type !== 'bytes') {
      const packed = r.sub();
      while (!packed.done) list.push(decodeValue(type, type === 'double' ? 1 : 0, packed, depth, raw));
    } else list.push(decodeValue(type, wire, r, depth, raw));
  } else if (field.inline) {
    expectWire(wire, 2);
    decodeMessage(messageOf(type), r.sub(), depth + 1, out);
  } else {
    const v = decodeValue(type, wire, r, depth, raw);
    // Go's omitempty: a zero non-pointer scalar reads as absent in JSON
    if (v === undefined || (!field.keep && (v === '' || v === 0 || v === false))) delete out[json];
    else out[json] = v;
  }
}

function expectWire(wire: number, expected: number): void {
  if (wire !== expected) throw new Malformed(`wire type ${wireNames[wire]}, expected ${wireNames[expected]}`);
}

function decodeMapEntry(field: WireField, r: Reader, depth: number): [string, unknown] {
  let key = '';
  let item: unknown;
  while (!r.done) {
    const [number, wire] = r.tag();
    if (number === 1) key = decodeValue('string', wire, r, depth, false) as string;
    else if (number === 2) item = decodeValue(field.type, wire, r, depth, false);
    else r.skip(wire);
  }
  // an absent value is the type's zero value, as Go's map decoding does
  if (item === undefined) item = field.scalar ? scalarZero[field.type] : decodeEmbedded(field.type, new Reader(new Uint8Array()), depth) ?? null;
  return [key, item];
}

const scalarZero: Record<string, unknown> = { string: '', bytes: '', int32: 0, int64: 0, bool: false, double: 0 };
const expectedWire = (type: string) => (type === 'int32' || type === 'int64' || type === 'bool' ? 0 : type === 'double' ? 1 : 2);

/** One value; `raw` keeps bytes as bytes (inside a custom type, which converts them itself). */
function decodeValue(type: string, wire: number, r: Reader, depth: number, raw: boolean): unknown {
  expectWire(wire, expectedWire(type));
  switch (type) {
    case 'int32': return r.varint()[0] | 0;
    case 'int64': { const [lo, hi] = r.varint(); return (hi | 0) * 2 ** 32 + lo; }
    case 'bool': { const [lo, hi] = r.varint(); return lo !== 0 || hi !== 0; }
    case 'double': return r.double();
    case 'string': return text(r.bytes());
    case 'bytes': return raw ? r.bytes() : base64(r.bytes());
    default: return decodeEmbedded(type, r.sub(), depth);
  }
}

/** A message-typed value: a table message, or a custom or wrapper type turned into its JSON form. */
function decodeEmbedded(type: string, r: Reader, depth: number): unknown {
  const message = messageOf(type);
  const wireObject = decodeMessage(message, r, depth + 1);
  if (message.custom) return customTypes[message.name].fromWire(wireObject);
  if (message.wrapper) return wireObject.items ?? [];
  return wireObject;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  // in chunks: String.fromCharCode's argument count is limited
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType}, read by hand: `raw` is needed as bytes. */
interface Envelope { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string; contentType: string }
function readEnvelope(r: Reader): Envelope {
  const out: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  while (!r.done) {
    const [number, wire] = r.tag();
    if (number === 1) {
      expectWire(wire, 2);
      const typeMeta = r.sub();
      while (!typeMeta.done) {
        const [n, w] = typeMeta.tag();
        if (n === 1) out.apiVersion = decodeValue('string', w, typeMeta, 1, false) as string;
        else if (n === 2) out.kind = decodeValue('string', w, typeMeta, 1, false) as string;
        else typeMeta.skip(w);
      }
    } else if (number === 2) {
      expectWire(wire, 2);
      out.raw = r.bytes();
    } else if (number === 3 || number === 4) {
      out[number === 3 ? 'contentEncoding' : 'contentType'] = decodeValue('string', wire, r, 1, false) as string;
    } else r.skip(wire);
  }
  return out;
}

export function decodeKubernetesProtobuf(bytes: Uint8Array): DecodedProtobuf {
  if (bytes.length < protobufMagic.length || protobufMagic.some((b, i) => bytes[i] !== b)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${protobufMagic.join(' ')}]`);
  }
  let where = 'Unknown';
  try {
    const envelope = readEnvelope(new Reader(bytes, protobufMagic.length));
    const { apiVersion, kind } = envelope;
    if (!kind || !apiVersion) throw badRequest('the protobuf envelope (runtime.Unknown) does not set apiVersion and kind');
    if (envelope.contentEncoding || (envelope.contentType && envelope.contentType !== 'application/vnd.kubernetes.protobuf')) {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf envelope content encoding "${envelope.contentEncoding}" and content type "${envelope.contentType}" are not supported; send the object unwrapped`);
    }
    const message = kindMessage(apiVersion, kind);
    if (!message) {
      throw new ApiError(415, 'UnsupportedMediaType', `no protobuf decoding for kind "${kind}" in version "${apiVersion}"; send this object as application/json`);
    }
    where = kind;
    const object = decodeMessage(message, new Reader(envelope.raw), 0);
    return { apiVersion, kind, object };
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    const at = err.path.length ? `${where}.${err.path.join('.')}` : where;
    throw badRequest(`unable to decode the protobuf request body at ${at}: ${err.message}`);
  }
}
