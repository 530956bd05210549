import type * as v from 'valibot';
import { nameOf, schemaNamed, shortName } from '../schema/base.ts';
import { descriptions, requiredFields } from '../schema/descriptions.ts';
import { unwrap } from '../schema/fields.ts';
import { patchMetaFor, patchStrategyText } from '../schema/patchMeta.ts';
import { messageOfOpenapiName, openapiNameOf, wireMessage, type WireField, type WireMessage } from '../schema/protobufSchema.ts';

/**
 * OpenAPI component schemas from the valibot schemas: every named node becomes a
 * component (`io.k8s.api.core.v1.Container`) that others `$ref`, with descriptions,
 * required fields and the x-kubernetes-patch-* extensions of src/schema/patchMeta.ts.
 *
 * Sub-trees the valibot schemas keep opaque (probes, security contexts, volume sources)
 * still get their real fields, from the protobuf table generated from upstream definitions
 * (src/schema/protobufSchema.ts): kubectl computes apply
 * patches by walking these schemas and prints a warning for any field it cannot find.
 */

export type Schema = Record<string, unknown>;

type Node = v.GenericSchema & {
  type: string; entries?: Record<string, Node>; item?: Node; value?: Node; options?: Node[]; pipe?: Array<{ type: string }>;
};

export const componentRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const describedBy = (key: string) => (descriptions[key] ? { description: descriptions[key] } : {});

const metaName = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;

/** apimachinery types that are strings (or free-form) in JSON, whatever their Go or protobuf shape. */
const specialTypes: Record<string, { name: string; schema: Schema }> = {
  Quantity: { name: 'io.k8s.apimachinery.pkg.api.resource.Quantity', schema: { type: 'string' } },
  IntOrString: { name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString', schema: { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true } },
  Time: { name: metaName('Time'), schema: { type: 'string', format: 'date-time' } },
  MicroTime: { name: metaName('MicroTime'), schema: { type: 'string', format: 'date-time' } },
  FieldsV1: { name: metaName('FieldsV1'), schema: { type: 'object' } },
  Duration: { name: metaName('Duration'), schema: { type: 'string' } },
  RawExtension: { name: 'io.k8s.apimachinery.pkg.runtime.RawExtension', schema: { type: 'object' } },
};
const protoScalars: Record<string, Schema> = {
  string: { type: 'string' }, int32: { type: 'integer', format: 'int32' }, int64: { type: 'integer', format: 'int64' },
  bool: { type: 'boolean' }, bytes: { type: 'string', format: 'byte' }, double: { type: 'number', format: 'double' },
};

const isOpaque = (node: Node) => node.type === 'record' && (!node.value || unwrap(node.value).type === 'unknown');

/** Writes component schemas for the named types reachable from the schemas it is asked for. */
export class SchemaWriter {
  readonly components: Record<string, Schema> = {};

  /** A reference to a named type (written once), or the inline schema of an unnamed one. */
  schema(input: v.GenericSchema): Schema {
    const node = unwrap(input as Node);
    const name = nameOf(node);
    if (!name) return this.inline(node, undefined);
    const type = shortName(name);
    const special = specialTypes[type];
    if (special) return this.component(special.name, () => ({ ...describedBy(type), ...special.schema }));
    const message = isOpaque(node) ? messageOfOpenapiName(name) : undefined;
    if (message && !message.custom) return this.component(name, () => this.fromMessage(type, message));
    return this.component(name, () => ({ ...describedBy(type), ...this.inline(node, name) }));
  }

  private component(name: string, build: () => Schema): Schema {
    if (!this.components[name]) {
      this.components[name] = {}; // reserved first: a type may refer to itself
      this.components[name] = build();
    }
    return componentRef(name);
  }

  private inline(node: Node, name: string | undefined): Schema {
    switch (node.type) {
      case 'object': case 'loose_object': case 'strict_object': {
        const type = name ? shortName(name) : undefined;
        const properties = Object.fromEntries(Object.entries(node.entries ?? {}).map(([field, child]) => [field, this.property(type, field, this.schema(child))]));
        return this.object(type, properties);
      }
      case 'array': return { type: 'array', items: this.schema(node.item!) };
      case 'record': return isOpaque(node) ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : { type: 'object', additionalProperties: this.schema(node.value!) };
      case 'string': return { type: 'string' };
      case 'number': return node.pipe?.some((a) => a.type === 'integer') ? { type: 'integer', format: 'int64' } : { type: 'number', format: 'double' };
      case 'boolean': return { type: 'boolean' };
      case 'union': return { type: node.options?.some((o) => unwrap(o).type === 'string') ? 'string' : 'number' };
      default: return { 'x-kubernetes-preserve-unknown-fields': true };
    }
  }

  /** A struct field: a reference wrapped in allOf (so it can carry a description), documentation, patch metadata. */
  private property(type: string | undefined, field: string, inner: Schema): Schema {
    const doc = type ? { ...describedBy(`*.${field}`), ...describedBy(`${type}.${field}`) } : {};
    const prop: Schema = '$ref' in inner ? { allOf: [inner], ...doc } : { ...inner, ...doc };
    const meta = patchMetaFor(type, field);
    if (meta?.mergeKey) prop['x-kubernetes-patch-merge-key'] = meta.mergeKey;
    const strategy = meta && patchStrategyText(meta);
    if (strategy) prop['x-kubernetes-patch-strategy'] = strategy;
    return prop;
  }

  private object(type: string | undefined, properties: Record<string, Schema>): Schema {
    const required = type ? requiredFields[type] : undefined;
    return { type: 'object', properties, ...(required ? { required: [...required] } : {}) };
  }

  /** A type the valibot schemas leave opaque, from its protobuf message (embedded structs flattened). */
  private fromMessage(type: string, message: WireMessage): Schema {
    const properties: Record<string, Schema> = {};
    const add = (m: WireMessage) => {
      for (const field of m.fields) {
        const embedded = field.inline ? wireMessage(field.type) : undefined;
        if (embedded) add(embedded);
        else properties[field.json] = this.property(type, field.json, this.protoType(field));
      }
    };
    add(message);
    return { ...describedBy(type), ...this.object(type, properties) };
  }

  private protoType(field: Pick<WireField, 'type' | 'repeated' | 'map'>): Schema {
    if (field.repeated) return { type: 'array', items: this.protoType({ type: field.type, repeated: false, map: false }) };
    if (field.map) return { type: 'object', additionalProperties: this.protoType({ type: field.type, repeated: false, map: false }) };
    if (protoScalars[field.type]) return { ...protoScalars[field.type] };
    const message = wireMessage(field.type);
    const type = shortName(field.type);
    const special = specialTypes[type];
    if (message?.custom && special) return this.component(special.name, () => ({ ...describedBy(type), ...special.schema }));
    if (message?.wrapper) return { type: 'array', items: { type: 'string' } };
    const name = openapiNameOf(field.type);
    if (!message || message.custom) return this.component(name, () => ({ ...describedBy(type), type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
    return this.component(name, () => this.fromMessage(type, message));
  }
}
