import type { Context } from 'hono';
import type { DocumentDecoder } from '../ports.ts';
import type { Registry } from '../registry/generic.ts';
import { apiVersionOf, isStatusSubresource, type KubeObject, type ResourceDef, type StatusSubresource } from '../registry/types.ts';
import { decodeDocument, decodeDocumentInTurns, decodeObject, mediaType, parseFieldValidation, readBody, readBodyChunks, concat, wantsTable } from './codec.ts';
import { ApiError, badRequest, methodNotAllowed, notFound } from '../apimachinery/errors.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { parseFieldSelector, parseLabelSelectorInTurns } from '../apimachinery/selectors.ts';
import { nextTurn } from '../apimachinery/nextTurn.ts';
import { queryBool, queryInt64 } from '../apimachinery/queryParams.ts';
import { toTable } from './table.ts';
import { watchStream } from './watch.ts';
import { checkFieldSelector, largeBody, parseResourceVersion, type DeleteOptions } from '../registry/generic.ts';
import { decodeDeleteOptions } from './deleteOptions.ts';
import { applyDecodedPatchInTurns, decodePatch } from './patch.ts';
import { applyPatchType, fieldManagerOf, forceOf, serverSideApply } from './apply.ts';
import { dryRun } from './dryRun.ts';
import type { SubresourceHandlers } from './subresource.ts';
import { shapeListItem, shapeObject, writeObject } from './wire.ts';
import { timestamp } from '../apimachinery/time.ts';
import { protobufType } from './protobufEncode.ts';

/** The REST verbs of one resource request, on the generic registry. */

function query(c: Context, name: string): string | undefined {
  return c.req.query(name);
}

/** An int64 query parameter (limit, timeoutSeconds, gracePeriodSeconds), parsed as ParseInt parses it. */
const int64Param = (c: Context, name: string) => queryInt64(query(c, name));

function json(c: Context, body: unknown, status = 200, warnings: string[] = []) {
  for (const w of warnings) c.header('Warning', `299 - ${JSON.stringify(w)}`, { append: true });
  return writeObject(c, body, status);
}

const listKind = (def: ResourceDef) => def.listKind ?? `${def.kind}List`;

function listBody(def: ResourceDef, items: KubeObject[], meta: { resourceVersion: string; continue?: string }) {
  return { kind: listKind(def), apiVersion: apiVersionOf(def), metadata: meta, items: items.map(shapeListItem) };
}

/**
 * The request's object, and the size of the body it came from. A large body is read as text, parsed
 * and checked against the schema on turns of the loop of their own: on the loop every cluster
 * shares, a 3 MiB body is ~30 ms of work, which others' requests may come between. Where the
 * ports have a document decoder (the Node entry's servers), a body over 256 KiB is never joined
 * on the loop: the decoder reads and parses it, and the loop checks the document it hands back.
 */
async function decodeBody(c: Context, def: ResourceDef, documents: DocumentDecoder | undefined, expectKind?: string, expectSchema?: Parameters<typeof decodeObject>[4]) {
  const contentType = c.req.header('content-type') ?? null;
  const into = expectKind ?? def.kind;
  let document: unknown, size: number;
  const declared = c.req.header('content-length');
  if (documents && (declared === undefined || Number(declared) > offLoopBytes)) {
    // A large body (declared, or found so once read) is joined, read as text and parsed on the
    // decoder's thread: what comes back is the document alone.
    const chunks = await readBodyChunks(c.req.raw);
    size = chunks.reduce((n, chunk) => n + chunk.byteLength, 0);
    if (!size) throw badRequest('the request body is empty; an object was expected');
    document = size > offLoopBytes ? await documents.decode(chunks, contentType, into) : decodeDocument(concat(chunks), contentType, into);
  } else {
    const bytes = await readBody(c.req.raw);
    size = bytes.byteLength;
    if (!size) throw badRequest('the request body is empty; an object was expected');
    document = largeBody(size) ? await decodeDocumentInTurns(bytes, contentType, into, nextTurn) : decodeDocument(bytes, contentType, into);
  }
  if (largeBody(size)) await nextTurn();
  return { ...decodeObject(def, document, parseFieldValidation(query(c, 'fieldValidation')), expectKind, expectSchema), bytes: size };
}

/**
 * A body past this many bytes goes to the ports' document decoder where there is one: below it,
 * reading and parsing it on the loop costs about what handing it over would.
 */
const offLoopBytes = 256 * 1024;

function respondObject(c: Context, registry: Registry, def: ResourceDef, obj: KubeObject, status = 200, warnings: string[] = []) {
  if (wantsTable(c.req.header('accept') ?? null)) {
    return json(c, toTable(def, [obj], registry.ctx(), { resourceVersion: obj.metadata.resourceVersion }, query(c, 'includeObject')), status, warnings);
  }
  return json(c, shapeObject(obj), status, warnings);
}

/**
 * What a DELETE answers (the generic store's finalizeDelete): an object still being deleted
 * (finalizers, a grace period) is shown; one that is gone is a Success Status naming it.
 */
function deleted(def: ResourceDef, obj: KubeObject) {
  if (obj.metadata.deletionTimestamp || def.strategy?.finalize) return shapeObject(obj);
  const { name, uid } = obj.metadata;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: def.group || undefined, kind: def.plural, uid } };
}

export async function handleResource(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, subresources: SubresourceHandlers, documents?: DocumentDecoder): Promise<Response> {
  if (def.namespaced && info.namespace === undefined && info.name !== undefined) throw notFound({ group: def.group, resource: def.plural }, info.name);
  const namespace = def.namespaced ? info.namespace : undefined;
  if (!def.namespaced && info.underNamespace) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  // What the path cannot carry is a 405, as go-restful answers: PUT or PATCH of a collection, and any
  // write to a namespaced resource's all-namespaces path (only list and watch live there; a DELETE
  // there would otherwise empty the resource in every namespace).
  if ((info.verb === 'update' || info.verb === 'patch') && info.name === undefined) throw methodNotAllowed();
  if (def.namespaced && info.namespace === undefined && (info.verb === 'create' || info.verb === 'deletecollection')) throw methodNotAllowed();
  if (def.warning) c.header('Warning', `299 - ${JSON.stringify(def.warning)}`, { append: true });
  if (info.subresource) return handleSubresource(c, registry, def, info, namespace, subresources, documents);
  // A verb the resource does not have is not routed at all in kube-apiserver: go-restful's 405.
  if (!def.verbs.includes(info.verb)) throw methodNotAllowed();
  const ctx = () => registry.ctx();
  switch (info.verb) {
    case 'get':
      return respondObject(c, registry, def, await registry.get(def, namespace, info.name!));
    case 'list': {
      const result = await registry.list(def, namespace, {
        labelSelector: query(c, 'labelSelector'), fieldSelector: query(c, 'fieldSelector'), limit: int64Param(c, 'limit'),
        continue: query(c, 'continue'), resourceVersion: query(c, 'resourceVersion'), resourceVersionMatch: query(c, 'resourceVersionMatch'),
      });
      const meta = { resourceVersion: result.resourceVersion, ...(result.continue ? { continue: result.continue } : {}) };
      if (wantsTable(c.req.header('accept') ?? null)) return json(c, toTable(def, result.items, ctx(), meta, query(c, 'includeObject')));
      return json(c, listBody(def, result.items, meta));
    }
    case 'watch': {
      const labels = await parseLabelSelectorInTurns(query(c, 'labelSelector'), nextTurn);
      const fields = parseFieldSelector(query(c, 'fieldSelector'));
      // Before the stream starts: an unsupported field would otherwise fail the first matching event, mid-stream
      checkFieldSelector(def, fields);
      const rv = parseResourceVersion(query(c, 'resourceVersion'));
      const asTable = wantsTable(c.req.header('accept') ?? null);
      // a Table has no protobuf form: a Table watch is JSON whatever else Accept lists
      const protobuf = !asTable && c.get('output') === 'protobuf';
      const stream = await watchStream(registry, {
        def, namespace, resourceVersion: rv === 0 ? undefined : rv, sendInitialEvents: queryBool(query(c, 'sendInitialEvents')),
        labels, fields, timeoutSeconds: int64Param(c, 'timeoutSeconds'), allowBookmarks: queryBool(query(c, 'allowWatchBookmarks')),
        asTable, protobuf, ctx,
      }, c.req.raw.signal);
      const contentType = protobuf ? `${protobufType};stream=watch` : 'application/json';
      return new Response(stream, { status: 200, headers: { 'Content-Type': contentType, 'Content-Encoding': 'identity', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' } });
    }
    case 'create': {
      const { obj, warnings, bytes } = await decodeBody(c, def, documents);
      if (info.name) throw methodNotAllowed();
      return respondObject(c, registry, def, await registry.create(def, namespace, obj, { dryRun: dryRun(c), warnings, fieldManager: fieldManagerOf(c, 'CreateOptions'), requestBodyBytes: bytes }), 201, warnings);
    }
    case 'update': {
      const { obj, warnings, bytes } = await decodeBody(c, def, documents);
      return respondObject(c, registry, def, await registry.update(def, namespace, info.name!, obj, { dryRun: dryRun(c), warnings, fieldManager: fieldManagerOf(c, 'UpdateOptions'), requestBodyBytes: bytes }), 200, warnings);
    }
    case 'patch':
      return patchResource(c, registry, def, info, namespace);
    case 'delete': {
      const options = await deleteOptions(c);
      return json(c, deleted(def, await registry.delete(def, namespace, info.name!, { ...options, dryRun: dryRun(c) || options.dryRun })));
    }
    case 'deletecollection': {
      const options = await deleteOptions(c);
      const result = await registry.deleteCollection(def, namespace, { labelSelector: query(c, 'labelSelector'), fieldSelector: query(c, 'fieldSelector') }, { ...options, dryRun: dryRun(c) || options.dryRun });
      return json(c, listBody(def, result.items, { resourceVersion: result.resourceVersion }));
    }
  }
}

async function patchResource(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined, subresource?: StatusSubresource) {
  const bytes = await readBody(c.req.raw);
  const contentType = c.req.header('content-type') ?? '';
  const fieldValidation = parseFieldValidation(query(c, 'fieldValidation'));
  const apply = mediaType(contentType) === applyPatchType;
  const fieldManager = fieldManagerOf(c, 'PatchOptions', apply);
  // The applied configuration is decoded (and strictly validated) once, before any read.
  const config = apply ? decodeObject(def, decodeDocument(bytes, contentType), fieldValidation) : undefined;
  const applyOptions = { manager: fieldManager, force: forceOf(c, apply), subresource };
  let warnings: string[] = [];
  const admissionWarnings: string[] = [];
  try {
    const result = await registry.mutate(def, namespace, info.name!, async (current, pace) => {
      let patched: KubeObject;
      if (config) patched = serverSideApply(def, current, config.obj, { ...applyOptions, time: timestamp(registry.now()) });
      else {
        const patch = decodePatch(bytes, contentType);
        await pace();
        // A large patch's merge pauses as a large object's does, whatever the object's size.
        patched = await applyDecodedPatchInTurns(current, patch, def.schema, largeBody(bytes.byteLength) ? nextTurn : pace);
      }
      await pace();
      const decoded = decodeObject(def, patched, fieldValidation);
      // A patch may not move the object: as for PUT, a changed name or namespace is a 400, not silently undone.
      const { name: patchedName, namespace: patchedNamespace } = decoded.obj.metadata;
      if (patchedName !== undefined && patchedName !== info.name) throw badRequest(`the name of the object (${String(patchedName)}) does not match the name on the URL (${info.name})`);
      if (def.namespaced && patchedNamespace !== undefined && patchedNamespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      warnings = config ? config.warnings : decoded.warnings;
      return decoded.obj;
    }, { dryRun: dryRun(c), subresource, warnings: admissionWarnings, fieldManager, operation: config ? 'Apply' : 'Update' });
    return respondObject(c, registry, def, result, 200, [...warnings, ...admissionWarnings]);
  } catch (err) {
    // Server-side apply creates what does not exist yet (kubectl apply --server-side on a new object).
    if (!(err instanceof ApiError && err.reason === 'NotFound') || subresource || !config) throw err;
    const { obj: applied, warnings: createWarnings } = config;
    if (applied.metadata.name && applied.metadata.name !== info.name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`);
    const obj = serverSideApply(def, { metadata: {} }, applied, { ...applyOptions, time: timestamp(registry.now()) });
    obj.metadata.name = info.name;
    if (applied.metadata.namespace !== undefined) obj.metadata.namespace = applied.metadata.namespace;
    return respondObject(c, registry, def, await registry.create(def, namespace, obj, { dryRun: dryRun(c), warnings: createWarnings, fieldManager, operation: 'Apply' }), 201, createWarnings);
  }
}

async function deleteOptions(c: Context): Promise<DeleteOptions> {
  const grace = int64Param(c, 'gracePeriodSeconds');
  const out: DeleteOptions = {};
  if (grace !== undefined) out.gracePeriodSeconds = Math.max(0, grace);
  const bytes = await readBody(c.req.raw);
  if (!bytes.byteLength) return out;
  return { ...out, ...decodeDeleteOptions(decodeDocument(bytes, c.req.header('content-type') ?? 'application/json')) };
}

async function handleSubresource(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined, subresources: SubresourceHandlers, documents: DocumentDecoder | undefined): Promise<Response> {
  const sub = info.subresource!;
  // kube-apiserver's answer carries empty details (`"details":{}`): kubectl debug reads them (it crashed on a Status without).
  if (!info.name || !(def.subresources ?? []).includes(sub as never)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  if (isStatusSubresource(sub)) {
    switch (info.verb) {
      case 'get': return respondObject(c, registry, def, await registry.get(def, namespace, info.name));
      case 'update': {
        const { obj, warnings } = await decodeBody(c, def, documents);
        return respondObject(c, registry, def, await registry.update(def, namespace, info.name, obj, { subresource: sub, dryRun: dryRun(c), warnings, fieldManager: fieldManagerOf(c, 'UpdateOptions') }), 200, warnings);
      }
      case 'patch': return patchResource(c, registry, def, info, namespace, sub);
      default: throw methodNotAllowed();
    }
  }
  const handler = subresources[sub];
  if (handler) return handler(c, registry, def, info, namespace);
  throw methodNotAllowed();
}
