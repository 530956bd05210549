import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A protobuf decoder built straight from the upstream `.proto` files in third_party/, for
 * tests only: it shares nothing with the server's generated table or its codec, so what it
 * reads back is what a client compiled from those definitions (client-go, kubectl) reads.
 * Fields come out under their proto names, messages as objects, bytes as Uint8Array; a field
 * number the definition does not have is an error (the server must write nothing else).
 */

interface Field { name: string; type: string; repeated: boolean; mapValue?: string }
type Message = Map<number, Field>;

const scalarTypes = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

export class ProtoSchema {
  readonly messages = new Map<string, Message>();

  constructor(root: string) {
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const path = join(dir, f);
      return statSync(path).isDirectory() ? walk(path) : f.endsWith('.proto') ? [path] : [];
    });
    for (const file of walk(root)) this.load(readFileSync(file, 'utf8'));
  }

  private load(source: string): void {
    const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const pkg = /package\s+([\w.]+)\s*;/.exec(text)![1];
    for (const [, name, body] of text.matchAll(/message\s+(\w+)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g)) {
      const fields: Message = new Map();
      for (const [, label, map, mapValue, plain, fieldName, number] of body.matchAll(/(repeated\s+|optional\s+)?(?:(map)\s*<\s*\w+\s*,\s*([\w.]+)\s*>|([\w.]+))\s+(\w+)\s*=\s*(\d+)/g)) {
        fields.set(Number(number), map
          ? { name: fieldName, type: 'map', repeated: false, mapValue: this.resolve(pkg, mapValue) }
          : { name: fieldName, type: this.resolve(pkg, plain), repeated: label?.trim() === 'repeated' });
      }
      this.messages.set(`${pkg}.${name}`, fields);
    }
  }

  private resolve(pkg: string, type: string): string {
    if (scalarTypes.has(type)) return type;
    if (type.startsWith('.')) return type.slice(1);
    return type.includes('.') ? type : `${pkg}.${type}`;
  }

  decode(type: string, bytes: Uint8Array): Record<string, unknown> {
    const message = this.messages.get(type);
    if (!message) throw new Error(`no message ${type} in the .proto files`);
    const out: Record<string, unknown> = {};
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    const varint = (): bigint => {
      let result = 0n;
      for (let shift = 0n; ; shift += 7n) {
        if (pos >= bytes.length) throw new Error(`${type}: truncated varint`);
        const b = bytes[pos++];
        result |= BigInt(b & 0x7f) << shift;
        if (b < 0x80) return result;
      }
    };
    while (pos < bytes.length) {
      const tag = Number(varint());
      const field = message.get(tag >> 3);
      if (!field) throw new Error(`${type}: field ${tag >> 3} is not in the definition`);
      const wire = tag & 7;
      let value: unknown;
      if (wire === 0) {
        const raw = varint();
        value = field.type === 'bool' ? raw !== 0n : Number(field.type === 'int32' ? BigInt.asIntN(32, raw) : BigInt.asIntN(64, raw));
      } else if (wire === 1) {
        value = view.getFloat64(pos, true);
        pos += 8;
      } else if (wire === 2) {
        const length = Number(varint());
        const chunk = bytes.subarray(pos, pos + length);
        if (chunk.length !== length) throw new Error(`${type}.${field.name}: truncated`);
        pos += length;
        if (field.type === 'map') {
          const entry = this.decodeEntry(field.mapValue!, chunk);
          const map = (out[field.name] ??= {}) as Record<string, unknown>;
          map[entry.key] = entry.value;
          continue;
        }
        value = field.type === 'string' ? new TextDecoder('utf-8', { fatal: true }).decode(chunk)
          : field.type === 'bytes' ? chunk : this.decode(field.type, chunk);
      } else throw new Error(`${type}.${field.name}: wire type ${wire}`);
      if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
      else out[field.name] = value;
    }
    return out;
  }

  private decodeEntry(valueType: string, bytes: Uint8Array): { key: string; value: unknown } {
    const synthetic = `map-entry<${valueType}>`;
    if (!this.messages.has(synthetic)) this.messages.set(synthetic, new Map([[1, { name: 'key', type: 'string', repeated: false }], [2, { name: 'value', type: valueType, repeated: false }]]));
    const entry = this.decode(synthetic, bytes);
    return { key: String(entry.key ?? ''), value: entry.value };
  }
}

/** Kubernetes' proto package of a group version, as the k8s.io repositories lay them out. */
export function protoPackageOf(apiVersion: string, kind: string): string {
  if (kind === 'Status' || kind === 'DeleteOptions') return 'k8s.io.apimachinery.pkg.apis.meta.v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const special: Record<string, string> = {
    'apiextensions.k8s.io': 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions',
    'apiregistration.k8s.io': 'k8s.io.kube_aggregator.pkg.apis.apiregistration',
    'metrics.k8s.io': 'k8s.io.metrics.pkg.apis.metrics',
  };
  if (special[group]) return `${special[group]}.${version}`;
  return `k8s.io.api.${group.split('.')[0]}.${version}`;
}

const magic = [0x6b, 0x38, 0x73, 0x00];

/** `k8s\0` + runtime.Unknown → the object's kind and its message decoded. */
export function decodeEnvelope(schema: ProtoSchema, bytes: Uint8Array): { apiVersion: string; kind: string; object: Record<string, unknown> } {
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error(`no k8s\\0 prefix: ${Buffer.from(bytes.subarray(0, 16)).toString('hex')}`);
  const unknown = schema.decode('k8s.io.apimachinery.pkg.runtime.Unknown', bytes.subarray(4));
  const typeMeta = unknown.typeMeta as { apiVersion: string; kind: string };
  const object = schema.decode(`${protoPackageOf(typeMeta.apiVersion, typeMeta.kind)}.${typeMeta.kind}`, (unknown.raw as Uint8Array | undefined) ?? new Uint8Array());
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, object };
}

/** The frames of a protobuf watch body: 4-byte big-endian length, then a meta/v1 WatchEvent whose object is an envelope. */
export function decodeWatchFrames(schema: ProtoSchema, body: Uint8Array): Array<{ type: string; apiVersion: string; kind: string; object: Record<string, unknown> }> {
  const events = [];
  for (let pos = 0; pos < body.length;) {
    const length = new DataView(body.buffer, body.byteOffset + pos).getUint32(0);
    const event = schema.decode('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', body.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
    const raw = (event.object as { raw: Uint8Array }).raw;
    events.push({ type: String(event.type), ...decodeEnvelope(schema, raw) });
  }
  return events;
}
