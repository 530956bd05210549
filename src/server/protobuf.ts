import {
  everyVersionKinds, kindMessages, kinds, messages, specialShapes, type Field, type Message, type SpecialType, type ValueType,
} from '../schema/protobufTypes.ts';
import { ApiError, badRequest } from '../apimachinery/errors.ts';

/**
 * `application/vnd.kubernetes.protobuf` request bodies into the JSON form the rest of
 * the server handles. The body is the magic `k8s\0` and a runtime.Unknown
 * {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's message),
 * 3: contentEncoding, 4: contentType}. One generic decoder walks the declarative
 * table in src/schema/protobufTypes.ts; nothing here knows a particular kind.
 */

export interface DecodedProtobuf { apiVersion: string; kind: string; object: Record<string, unknown> }
type JsonObject = Record<string, unknown>;

const magic = [0x6b, 0x38, 0x73, 0x00];
/** The table is acyclic and at most 13 messages deep; anything deeper is not ours. */
const maxDepth = 32;
/** managedFields' raw JSON must not nest deep enough to overflow a later recursive walk. */
const maxJsonDepth = 100;
const wireNames = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'invalid (6)', 'invalid (7)'];

/** A malformed body; `path` collects the JSON field names on the way out. */
class Malformed extends Error {
  readonly path: string[] = [];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) { this.pos = start; }

  get done(): boolean { return this.pos >= this.end; }

  /** A varint as its low and high 32 bits (unsigned), so int64 and negative int32 stay exact. */
  varint(): [lo: number, hi: number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('unexpected end of data inside a varint');
      const b = this.buf[this.pos++];
      if (i < 4) {
        lo |= (b & 0x7f) << (7 * i);
      } else if (i === 4) { // byte 5 straddles: 4 bits finish lo, 3 start hi
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (7 * i - 32);
      }
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new Malformed('varint longer than 10 bytes');
  }

  /** A length prefix, checked against what is left before any allocation. */
  length(): number {
    const [lo, hi] = this.varint();
    const left = this.end - this.pos;
    if (hi !== 0 || lo > left) throw new Malformed(`length ${hi ? '≥ 2^32' : lo} exceeds the ${left} bytes left`);
    return lo;
  }

  tag(): [field: number, wire: number] {
    const [lo, hi] = this.varint();
    if (hi !== 0 || lo >>> 3 === 0) throw new Malformed(`invalid field number ${hi ? '≥ 2^29' : lo >>> 3}`);
    return [lo >>> 3, lo & 7];
  }

  /** A length-delimited payload as its own reader over the same buffer (no copy). */
  sub(): Reader {
    const n = this.length();
    const sub = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return sub;
  }

  bytes(): Uint8Array {
    const n = this.length();
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  /** Skips an unknown field. Kubernetes never uses groups, so they are malformed here. */
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) {
      const n = this.length(); // read before `pos +=`, which would capture the old pos
      this.pos += n;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (this.end - this.pos < n) throw new Malformed('unexpected end of data inside a fixed-width field');
      this.pos += n;
    } else throw new Malformed(`unsupported wire type ${wireNames[wire]}`);
  }
}

/** A table field with its type string taken apart once per message. */
interface Compiled { json: string; value: ValueType; shape: 'one' | 'list' | 'map'; keep: boolean; inline: boolean }

function compileField([json, type, flag]: Field): Compiled {
  const base = { json, keep: flag === 'keep', inline: flag === 'inline' };
  if (type.startsWith('map<string,')) return { ...base, value: type.slice(11, -1) as ValueType, shape: 'map' };
  if (type.endsWith('[]')) return { ...base, value: type.slice(0, -2) as ValueType, shape: 'list' };
  return { ...base, value: type as ValueType, shape: 'one' };
}

const compiledCache = new Map<Message, Map<number, Compiled>>();
function compiled(message: Message): Map<number, Compiled> {
  let fields = compiledCache.get(message);
  if (!fields) {
    fields = new Map(Object.entries(message).map(([n, f]) => [Number(n), compileField(f)]));
    compiledCache.set(message, fields);
  }
  return fields;
}

const isSpecial = (t: ValueType): t is SpecialType => Object.hasOwn(specialShapes, t);
const varintTypes = new Set<ValueType>(['int32', 'int64', 'bool']);
const expectedWire = (t: ValueType) => (varintTypes.has(t) ? 0 : 2);
const emptyMessage: Message = {};
const messageOf = (t: ValueType): Message => (isSpecial(t) ? specialShapes[t] : messages[t.slice('message:'.length)] ?? emptyMessage);

/** Own enumerable property even for `__proto__`, as JSON.parse does for map keys from the wire. */
function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeMessage(message: Message, r: Reader, depth: number, out: JsonObject = {}): JsonObject {
  if (depth > maxDepth) throw new Malformed(`messages nested deeper than ${maxDepth}`);
  const fields = compiled(message);
  while (!r.done) {
    const [number, wire] = r.tag();
    const field = fields.get(number);
    if (!field) { r.skip(wire); continue; }
    try {
      decodeField(field, wire, r, depth, out);
    } catch (err) {
      if (err instanceof Malformed) err.path.unshift(field.json);
      throw err;
    }
  }
  return out;
}

function decodeField(field: Compiled, wire: number, r: Reader, depth: number, out: JsonObject): void {
  const { json, value } = field;
  if (field.shape === 'map') {
    expectWire(wire, 2);
    const [key, item] = decodeMapEntry(value, r.sub(), depth);
    const map = (out[json] ??= {}) as JsonObject;
    setOwn(map, key, item);
  } else if (field.shape === 'list') {
    const list = (out[json] ??= []) as unknown[];
    // proto2 repeated scalars may arrive packed (one length-delimited run) or one per tag
    if (wire === 2 && varintTypes.has(value)) {
      const packed = r.sub();
      while (!packed.done) list.push(decodeValue(value, 0, packed, depth));
    } else list.push(decodeValue(value, wire, r, depth));
  } else if (field.inline) {
    expectWire(wire, 2);
    decodeMessage(messageOf(value), r.sub(), depth + 1, out);
  } else {
    const v = decodeValue(value, wire, r, depth);
    // Go's omitempty: a zero non-pointer scalar reads as absent in JSON
    if (v === undefined || (!field.keep && (v === '' || v === 0 || v === false))) delete out[json];
    else out[json] = v;
  }
}

function expectWire(wire: number, expected: number): void {
  if (wire !== expected) throw new Malformed(`wire type ${wireNames[wire]}, expected ${wireNames[expected]}`);
}

function decodeMapEntry(value: ValueType, r: Reader, depth: number): [string, unknown] {
  let key = '';
  let item: unknown;
  while (!r.done) {
    const [number, wire] = r.tag();
    if (number === 1) key = decodeValue('string', wire, r, depth) as string;
    else if (number === 2) item = decodeValue(value, wire, r, depth);
    else r.skip(wire);
  }
  // an absent value is the type's zero value, as Go's map decoding does
  if (item === undefined) item = scalarZero[value] ?? decodeEmbedded(value, new Reader(new Uint8Array()), depth) ?? null;
  return [key, item];
}

const scalarZero: Partial<Record<ValueType, unknown>> = { string: '', bytes: '', int32: 0, int64: 0, bool: false };

function decodeValue(type: ValueType, wire: number, r: Reader, depth: number): unknown {
  expectWire(wire, expectedWire(type));
  switch (type) {
    case 'int32': return r.varint()[0] | 0;
    case 'int64': { const [lo, hi] = r.varint(); return (hi | 0) * 2 ** 32 + lo; }
    case 'bool': { const [lo, hi] = r.varint(); return lo !== 0 || hi !== 0; }
    case 'string': return text(r.bytes());
    case 'bytes': return base64(r.bytes());
    default: return decodeEmbedded(type, r.sub(), depth);
  }
}

/** A message-typed value: a table message, or a special type turned into its JSON form. */
function decodeEmbedded(type: ValueType, r: Reader, depth: number): unknown {
  const wireObject = decodeMessage(messageOf(type), r, depth + 1);
  return isSpecial(type) ? jsonForms[type](wireObject) : wireObject;
}

function text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Malformed('string is not valid UTF-8');
  }
}

/** How the special types read in JSON, from their decoded wire messages (see specialShapes). */
const jsonForms: Record<SpecialType, (wire: JsonObject) => unknown> = {
  // an empty Time message is Go's zero time, which JSON writes as null: leave it out
  time: (w) => (w.seconds === undefined ? undefined : rfc3339(w.seconds as number)),
  // MicroTime keeps microseconds: nanos are truncated as MicroTime.Unmarshal does
  microTime: (w) => (w.seconds === undefined ? undefined : rfc3339(w.seconds as number, Math.floor(((w.nanos as number | undefined) ?? 0) / 1000))),
  // the zero Quantity marshals as "0"; the string is validated like a JSON body's
  quantity: (w) => (w.string as string | undefined) ?? '0',
  intOrString: (w) => {
    const kind = (w.type as number | undefined) ?? 0;
    if (kind === 0) return (w.intVal as number | undefined) ?? 0;
    if (kind === 1) return (w.strVal as string | undefined) ?? '';
    throw new Malformed(`IntOrString type ${kind} is neither 0 (int) nor 1 (string)`);
  },
  fieldsV1: (w) => (w.raw === undefined ? undefined : rawJson(w.raw as string)),
  stringList: (w) => (w.items as string[] | undefined) ?? [],
};

/** metav1.Time's JSON: RFC3339 in UTC; MicroTime always writes 6 fraction digits. */
function rfc3339(seconds: number, micros?: number): string {
  // Go's time.Time covers years 0001 through 9999 only
  if (!(seconds >= -62135596800 && seconds <= 253402300799)) throw new Malformed(`timestamp ${seconds}s is outside years 0001-9999`);
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micros === undefined ? `${iso}Z` : `${iso}.${String(micros).padStart(6, '0')}Z`;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  // in chunks: String.fromCharCode's argument count is limited
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** FieldsV1 carries JSON as bytes (base64 after the generic bytes decoding). */
function rawJson(b64: string): unknown {
  const json = text(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0)));
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > maxJsonDepth) throw new Malformed(`raw JSON nested deeper than ${maxJsonDepth}`);
    } else if (c === '}' || c === ']') depth--;
  }
  try {
    return JSON.parse(json);
  } catch {
    throw new Malformed('raw JSON is not valid');
  }
}

/** runtime.TypeMeta, field 1 of the envelope (apimachinery pkg/runtime/generated.proto). */
const typeMetaShape: Message = { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] };

export function decodeKubernetesProtobuf(bytes: Uint8Array): DecodedProtobuf {
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${magic.join(' ')}]`);
  }
  let where = 'Unknown';
  try {
    const envelope = readEnvelope(new Reader(bytes, magic.length));
    const { apiVersion, kind } = envelope;
    if (!kind || !apiVersion) throw badRequest('the protobuf envelope (runtime.Unknown) does not set apiVersion and kind');
    if (envelope.contentEncoding || (envelope.contentType && envelope.contentType !== 'application/vnd.kubernetes.protobuf')) {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf envelope content encoding "${envelope.contentEncoding}" and content type "${envelope.contentType}" are not supported; send the object unwrapped`);
    }
    const known = everyVersionKinds.includes(kind) || (Object.hasOwn(kinds, apiVersion) && kinds[apiVersion].includes(kind));
    if (!known) {
      throw new ApiError(415, 'UnsupportedMediaType', `no protobuf decoding for kind "${kind}" in version "${apiVersion}"; send this object as application/json`);
    }
    where = kind;
    const object = decodeMessage(messages[kindMessages[apiVersion]?.[kind] ?? kind], new Reader(envelope.raw), 0);
    return { apiVersion, kind, object };
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    const at = err.path.length ? `${where}.${err.path.join('.')}` : where;
    throw badRequest(`unable to decode the protobuf request body at ${at}: ${err.message}`);
  }
}

/**
 * runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType}, read by hand
 * because `raw` is needed as bytes, not as a JSON base64 string.
 */
interface Envelope { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string; contentType: string }
function readEnvelope(r: Reader): Envelope {
  const out: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  while (!r.done) {
    const [number, wire] = r.tag();
    if (number === 1) {
      expectWire(wire, 2);
      const typeMeta = decodeMessage(typeMetaShape, r.sub(), 1);
      out.apiVersion = (typeMeta.apiVersion as string | undefined) ?? '';
      out.kind = (typeMeta.kind as string | undefined) ?? '';
    } else if (number === 2) {
      expectWire(wire, 2);
      out.raw = r.bytes();
    } else if (number === 3 || number === 4) {
      out[number === 3 ? 'contentEncoding' : 'contentType'] = decodeValue('string', wire, r, 1) as string;
    } else r.skip(wire);
  }
  return out;
}
