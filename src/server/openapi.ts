import type * as v from 'valibot';
import type { Catalog } from '../registry/catalog.ts';
import type { ResourceDef } from '../registry/types.ts';
import { nameOf, objectMeta } from '../schema/base.ts';
import { unwrap } from '../schema/fields.ts';
import { binding as bindingSchema } from '../schema/core.ts';
import { ApiError, methodNotAllowed, notAcceptable } from '../apimachinery/errors.ts';
import { capitalize, groupWords, metaComponents, metaName, ok, resourcePaths } from './openapiPaths.ts';
import { componentRef as refTo, SchemaWriter, type Schema } from './openapiSchemas.ts';
import { encodeOpenApiV2 } from './openapiProtobuf.ts';

/**
 * OpenAPI v3 (`/openapi/v3`, one document per group version) and v2 (`/openapi/v2`,
 * one Swagger document) generated from the catalog and the valibot schemas. kubectl
 * needs them for apply/edit (field validation support, strategic merge metadata) and
 * explain. Documents are built on first use and cached per catalog; nothing is static.
 */

interface Document { json: string; hash: string }
/** `/openapi/v2` in gnostic's protobuf form (openapiProtobuf.ts). */
interface BinaryDocument { bytes: Uint8Array; hash: string }

/** The name a kind's schema is published under (its schema's name, or the conventional one). */
const kindSchemaName = (def: ResourceDef) => def.openapi?.name ?? nameOf(unwrap(def.schema as v.GenericSchema & { type: string })) ?? `io.k8s.api.${groupWords(def.group)[0]}.${def.version}.${def.kind}`;

const security = { securitySchemes: { BearerToken: { type: 'apiKey', in: 'header', name: 'authorization', description: 'Bearer token authentication' } } };
const v3Document = (paths: Record<string, Schema>, schemas: Record<string, Schema>) => ({
  openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths,
  components: { schemas, ...security }, security: [{ BearerToken: [] }],
});

/** The document of one group version: its resources' paths and every type they use. */
function groupVersionDocument(gv: { group: string; version: string; resources: ResourceDef[] }) {
  const writer = new SchemaWriter();
  const paths: Record<string, Schema> = {};
  for (const def of gv.resources) {
    const name = kindSchemaName(def);
    if (def.openapi) {
      writer.components[name] = structuredClone(def.openapi.schema);
      writer.schema(objectMeta); // the published schema refers to it
    } else {
      const written = writer.schema(def.schema);
      if (!('$ref' in written)) writer.components[name] = written; // an unnamed kind schema is published under its conventional name
    }
    writer.components[name]['x-kubernetes-group-version-kind'] = [{ group: def.group, kind: def.kind, version: def.version }];
    const listKind = def.listKind ?? `${def.kind}List`;
    const listName = `${name}List`;
    writer.components[listName] = {
      description: `${listKind} is a list of ${def.kind} objects.`, type: 'object', required: ['items'],
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' },
        items: { type: 'array', items: refTo(name) }, metadata: { allOf: [refTo(metaName('ListMeta'))] },
      },
      'x-kubernetes-group-version-kind': [{ group: def.group, kind: listKind, version: def.version }],
    };
    if (def.subresources?.includes('binding')) writer.schema(bindingSchema);
    Object.assign(paths, resourcePaths(def, refTo(name), refTo(listName)));
  }
  return v3Document(sortKeys(paths), sortKeys({ ...metaComponents, ...writer.components }));
}

/** A small document of one discovery endpoint (`/api`, `/apis`, `/apis/<group>`, `/version`). */
function endpointDocument(path: string, id: string, name: string, properties: Record<string, Schema>) {
  return v3Document(
    { [path]: { get: { description: `get ${name}`, operationId: id, responses: ok(refTo(name), ['200'], ['application/json', 'application/yaml']) } } },
    { [name]: { type: 'object', properties } },
  );
}
const stringList = { type: 'array', items: { type: 'string' } };
const anyList = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

function v3Documents(catalog: Catalog): Map<string, unknown> {
  const docs = new Map<string, unknown>();
  docs.set('api', endpointDocument('/api/', 'getCoreAPIVersions', metaName('APIVersions'), { kind: { type: 'string' }, apiVersion: { type: 'string' }, versions: stringList, serverAddressByClientCIDRs: anyList }));
  docs.set('apis', endpointDocument('/apis/', 'getAPIVersions', metaName('APIGroupList'), { kind: { type: 'string' }, apiVersion: { type: 'string' }, groups: anyList }));
  for (const gv of catalog.groupVersions) {
    if (gv.group && !docs.has(`apis/${gv.group}`)) {
      const id = `get${groupWords(gv.group).map(capitalize).join('')}APIGroup`;
      docs.set(`apis/${gv.group}`, endpointDocument(`/apis/${gv.group}/`, id, metaName('APIGroup'), { kind: { type: 'string' }, apiVersion: { type: 'string' }, name: { type: 'string' }, versions: anyList, preferredVersion: { type: 'object' } }));
    }
    docs.set(gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`, groupVersionDocument(gv));
  }
  const versionProps = Object.fromEntries(['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'].map((k) => [k, { type: 'string' }]));
  docs.set('version', endpointDocument('/version/', 'getCodeVersion', 'io.k8s.apimachinery.pkg.version.Info', versionProps));
  return docs;
}

/**
 * Swagger 2.0 from the v3 documents: one document, `#/definitions/` references, body
 * parameters instead of request bodies, consumes/produces instead of content maps.
 */
function swagger(v3: Map<string, unknown>): unknown {
  const paths: Record<string, Schema> = {};
  const definitions: Record<string, Schema> = {};
  for (const doc of v3.values()) {
    const d = doc as { paths: Record<string, Schema>; components: { schemas: Record<string, Schema> } };
    for (const [name, schema] of Object.entries(d.components.schemas)) definitions[name] ??= toV2Schema(schema) as Schema;
    for (const [path, item] of Object.entries(d.paths)) paths[path] = toV2PathItem(item);
  }
  return {
    swagger: '2.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: sortKeys(paths), definitions: sortKeys(definitions),
    securityDefinitions: { BearerToken: security.securitySchemes.BearerToken }, security: [{ BearerToken: [] }],
  };
}

function toV2Schema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toV2Schema);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Schema;
  if (Array.isArray(obj.allOf) && obj.allOf.length === 1) {
    const { allOf, ...rest } = obj;
    return toV2Schema({ ...(allOf[0] as Schema), ...rest });
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/definitions/') : toV2Schema(v)]));
}

const toV2Parameter = (p: Schema) => {
  const { schema, ...rest } = p;
  return { ...rest, ...(schema as Schema) };
};

function toV2PathItem(item: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'parameters') { out.parameters = (value as Schema[]).map(toV2Parameter); continue; }
    const op = value as Schema & { parameters?: Schema[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }> };
    const { requestBody, responses, parameters, ...rest } = op;
    const parametersV2 = (parameters ?? []).map(toV2Parameter);
    if (requestBody) parametersV2.unshift({ name: 'body', in: 'body', required: true, schema: toV2Schema(Object.values(requestBody.content)[0].schema) });
    const produces = new Set<string>();
    const responsesV2 = Object.fromEntries(Object.entries(responses).map(([code, r]) => {
      for (const t of Object.keys(r.content ?? {})) produces.add(t);
      const first = r.content ? Object.values(r.content)[0] : undefined;
      return [code, { description: r.description, ...(first ? { schema: toV2Schema(first.schema) } : {}) }];
    }));
    out[key] = {
      ...rest, ...(requestBody ? { consumes: Object.keys(requestBody.content) } : {}), produces: [...produces],
      schemes: ['https'], ...(parametersV2.length ? { parameters: parametersV2 } : {}), responses: responsesV2,
    };
  }
  return out;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** kube-openapi's ETag and `?hash=`: the upper-case hex SHA-512 of the served bytes. */
async function hashOf(content: string | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-512', typeof content === 'string' ? new TextEncoder().encode(content) : content as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

const cache = new WeakMap<Catalog, Promise<Documents>>();

/** A catalog's documents: v3 built on first use, v2 (rarely asked for) only when asked, in JSON or protobuf. */
interface Documents { v3: Map<string, Document>; v2(): Promise<Document>; v2Protobuf(): Promise<BinaryDocument> }

async function serialize(doc: unknown): Promise<Document> {
  const json = JSON.stringify(doc);
  return { json, hash: await hashOf(json) };
}

function buildDocuments(catalog: Catalog): Promise<Documents> {
  const v3 = v3Documents(catalog);
  let v2: Promise<Document> | undefined;
  let v2Protobuf: Promise<BinaryDocument> | undefined;
  const v2Json = () => (v2 ??= serialize(swagger(v3)));
  return (async () => {
    const served = new Map<string, Document>();
    for (const [path, doc] of v3) served.set(path, await serialize(doc));
    return {
      v3: served, v2: v2Json,
      v2Protobuf: () => (v2Protobuf ??= v2Json().then(async (doc) => {
        const bytes = encodeOpenApiV2(JSON.parse(doc.json));
        return { bytes, hash: await hashOf(bytes) };
      })),
    };
  })();
}

/** The documents of a catalog, built once per catalog. */
function openApiDocuments(catalog: Catalog): Promise<Documents> {
  let docs = cache.get(catalog);
  if (!docs) {
    docs = buildDocuments(catalog);
    docs.catch(() => cache.delete(catalog));
    cache.set(catalog, docs);
  }
  return docs;
}

// Serving

const notFoundStatus = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/** Accept admits JSON (kubectl asks v3 documents for JSON). */
function acceptsJson(accept: string | null): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => {
    const type = range.split(';')[0].trim().toLowerCase();
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

function documentResponse(request: Request, doc: Document | BinaryDocument, cacheControl: Record<string, string>): Response {
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string> = { ETag: etag, Vary: 'Accept', ...cacheControl };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const [body, type] = 'json' in doc ? [doc.json, 'application/json'] : [doc.bytes as Uint8Array<ArrayBuffer>, v2ProtobufType];
  return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'Content-Type': type, ...headers } });
}

/** What kube-openapi answers a protobuf request with; it accepts this and the older `…spec.v2@v1.0+protobuf` kubectl asks for. */
const v2ProtobufType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const v2ProtobufTypes = new Set([v2ProtobufType, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf']);

/** `/openapi/v2`'s negotiation (kube-openapi's handler): the first range of Accept that is JSON or protobuf decides (none: JSON, where kube-openapi would answer 406). */
function wantsV2Protobuf(accept: string | null): boolean {
  if (!accept) return false;
  for (const range of accept.split(',')) {
    const type = range.split(';')[0].trim().toLowerCase();
    if (v2ProtobufTypes.has(type)) return true;
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return false;
  }
  return false;
}

/**
 * Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group version path>`. `prefix`
 * is the path the request came in under (`/clusters/<name>` or ''): kubectl follows the
 * index's serverRelativeURLs, which must keep it.
 */
export async function openApiResponse(request: Request, catalog: Catalog, rest: string, prefix: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') throw methodNotAllowed();
  const url = new URL(request.url);
  const docs = await openApiDocuments(catalog);
  const path = rest.replace(/\/+$/, '');
  if (path === '/openapi/v2') {
    const doc = wantsV2Protobuf(request.headers.get('accept')) ? await docs.v2Protobuf() : await docs.v2();
    return documentResponse(request, doc, { 'Cache-Control': 'no-cache, private' });
  }
  if (!acceptsJson(request.headers.get('accept'))) throw notAcceptable('only application/json is served for OpenAPI v3');
  if (path === '/openapi/v3') {
    const paths = Object.fromEntries([...docs.v3].map(([gv, doc]) => [gv, { serverRelativeURL: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}` }]));
    return new Response(request.method === 'HEAD' ? null : JSON.stringify({ paths }), {
      status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' },
    });
  }
  if (!path.startsWith('/openapi/v3/')) throw notFoundStatus();
  const gv = path.slice('/openapi/v3/'.length);
  const doc = docs.v3.get(gv);
  if (!doc) throw notFoundStatus();
  const hash = url.searchParams.get('hash');
  if (hash === null || hash === '') return documentResponse(request, doc, { 'Cache-Control': 'no-cache, private' });
  // A stale hash (the documents changed) is sent to the current one, as kube-openapi does.
  if (hash !== doc.hash) {
    return new Response(null, { status: 301, headers: { Location: `${prefix}/openapi/v3/${gv}?hash=${doc.hash}`, 'Cache-Control': 'no-cache, private' } });
  }
  return documentResponse(request, doc, { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86_400_000).toUTCString() });
}
