import { kindMessage, wireMessage, type WireField, type WireMessage } from '../schema/protobufSchema.ts';
import { customTypes } from './protobufCustom.ts';
import { protobufMagic } from './protobuf.ts';
import { Writer } from './protobufWire.ts';

/**
 * Objects in their JSON form into Kubernetes protobuf, as kube-apiserver's protobuf serializer
 * writes them with go-to-protobuf's generated Marshal: fields in number order, map keys sorted,
 * every non-pointer field written even when zero (a Go struct has no "absent"), pointer and
 * repeated fields only when present. The same generated table the decoder reads
 * (src/schema/protobufSchema.ts); one generic walk, nothing here knows a kind.
 */

export const protobufType = 'application/vnd.kubernetes.protobuf';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const base64Bytes = (value: unknown) => (typeof value === 'string' ? Uint8Array.from(atob(value), (c) => c.charCodeAt(0)) : new Uint8Array());

function writeScalar(w: Writer, number: number, type: string, value: unknown): void {
  switch (type) {
    case 'string': w.string(number, typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)); return;
    case 'bytes': w.bytes(number, value instanceof Uint8Array ? value : base64Bytes(value)); return;
    case 'bool': w.tag(number, 0); w.varint(value === true ? 1 : 0); return;
    case 'double': w.double(number, typeof value === 'number' ? value : 0); return;
    default: w.tag(number, 0); w.varint(typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0);
  }
}

const isZero = (value: unknown) => value === undefined || value === null || value === '' || value === 0 || value === false;

/** A value of a message type as a length-delimited field. */
function writeEmbedded(w: Writer, number: number, message: WireMessage, value: unknown): void {
  w.tag(number, 2);
  const start = w.fork();
  writeMessage(w, message, value);
  w.join(start);
}

/** The JSON value as the wire fields of its message: custom types converted, wrappers wrapped. */
function wireValue(message: WireMessage, value: unknown): Json {
  if (message.custom) return customTypes[message.name].toWire(value ?? undefined);
  if (message.wrapper) return { items: Array.isArray(value) ? value : [] };
  return isRecord(value) ? value : {};
}

/**
 * How absent fields are written: `go` as go-to-protobuf's Marshal (non-pointer fields always),
 * `proto3` as gnostic's (zero values never), `custom` as a custom type's converter left them
 * (what it set, nothing else: a zero Time is an empty message).
 */
type Presence = 'go' | 'proto3' | 'custom';

function writeMessage(w: Writer, message: WireMessage, value: unknown): void {
  const json = wireValue(message, value);
  const presence: Presence = message.custom ? 'custom' : message.proto3 ? 'proto3' : 'go';
  for (const field of message.fields) writeField(w, field, json[field.json], json, presence);
}

function writeField(w: Writer, field: WireField, value: unknown, parent: Json, presence: Presence): void {
  const { number, type } = field;
  const message = field.scalar ? undefined : wireMessage(type);
  if (!field.scalar && !message) return; // google.protobuf.Any in gnostic: never written
  if (field.inline) return writeEmbedded(w, number, message!, parent);
  if (field.repeated) {
    if (!Array.isArray(value)) return;
    for (const item of value) {
      if (message) writeEmbedded(w, number, message, item);
      else writeScalar(w, number, type, item);
    }
    return;
  }
  if (field.map) {
    if (!isRecord(value)) return;
    for (const key of Object.keys(value).sort()) {
      w.tag(number, 2);
      const start = w.fork();
      w.string(1, key);
      if (message) writeEmbedded(w, 2, message, value[key]);
      else writeScalar(w, 2, type, value[key]);
      w.join(start);
    }
    return;
  }
  const absent = value === undefined || value === null;
  // Go writes every non-pointer field but a nil []byte; proto3 (gnostic) writes only what is set
  if (absent && (field.pointer || presence !== 'go' || type === 'bytes')) return;
  if (presence === 'proto3' && field.scalar && isZero(value)) return;
  if (message) writeEmbedded(w, number, message, value);
  else writeScalar(w, number, type, value);
}

/** A message's bytes (no envelope): a watch event's frame, or the raw of an envelope. */
export function encodeMessage(message: WireMessage, value: unknown): Uint8Array {
  const w = new Writer();
  writeMessage(w, message, value);
  return w.finish();
}

/** The message an object is written as, or undefined when its kind has no protobuf form (custom resources, Table, discovery). */
export function protobufMessageOf(obj: unknown): WireMessage | undefined {
  if (!isRecord(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  return kindMessage(obj.apiVersion, obj.kind);
}

/**
 * An object as kube-apiserver's protobuf serializer writes it: `k8s\0`, then runtime.Unknown
 * {typeMeta {apiVersion, kind}, raw: the object's message, contentEncoding "", contentType ""}.
 */
export function encodeKubernetesProtobuf(obj: Json, message: WireMessage): Uint8Array {
  const w = new Writer();
  for (const b of protobufMagic) { w.buf[w.pos++] = b; }
  w.tag(1, 2);
  const typeMeta = w.fork();
  w.string(1, String(obj.apiVersion));
  w.string(2, String(obj.kind));
  w.join(typeMeta);
  w.tag(2, 2);
  const raw = w.fork();
  writeMessage(w, message, obj);
  w.join(raw);
  w.string(3, '');
  w.string(4, '');
  return w.finish();
}

/**
 * One frame of a protobuf watch (`application/vnd.kubernetes.protobuf;stream=watch`): a 4-byte
 * big-endian length, then a meta/v1 WatchEvent {type, object: RawExtension {raw: the object
 * in its envelope}}, as kube-apiserver's watch encoder frames it.
 */
export function encodeWatchFrame(type: string, obj: Json, message: WireMessage): Uint8Array {
  const raw = encodeKubernetesProtobuf(obj, message);
  const w = new Writer();
  w.pos = 4;
  w.string(1, type);
  w.tag(2, 2);
  const object = w.fork();
  w.bytes(1, raw);
  w.join(object);
  const frame = w.finish();
  new DataView(frame.buffer).setUint32(0, frame.length - 4);
  return frame;
}
