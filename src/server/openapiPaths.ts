import { isStatusSubresource, type ResourceDef, type Verb } from '../registry/types.ts';
import { componentRef as refTo, describedBy as described, type Schema } from './openapiSchemas.ts';

/**
 * The paths of OpenAPI documents: per resource, the operations kube-apiserver serves
 * (list/create/deletecollection, read/replace/patch/delete, status, binding, log) with
 * their query parameters. kubectl reads the PATCH operation of a kind to learn whether
 * the server supports `fieldValidation` and strategic merge patch; explain reads the
 * GET operation's x-kubernetes-group-version-kind.
 */

export const metaName = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;

/** apimachinery types every group version refers to, written as OpenAPI directly. */
export const metaComponents: Record<string, Schema> = {
  [metaName('ListMeta')]: {
    ...described('ListMeta'), type: 'object',
    properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' }, selfLink: { type: 'string' } },
  },
  [metaName('Status')]: {
    ...described('Status'), type: 'object',
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [refTo(metaName('ListMeta'))] },
      status: { type: 'string' }, message: { type: 'string' }, reason: { type: 'string' }, code: { type: 'integer', format: 'int32' },
      details: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
  [metaName('DeleteOptions')]: {
    ...described('DeleteOptions'), type: 'object',
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, gracePeriodSeconds: { type: 'integer', format: 'int64' },
      preconditions: { type: 'object', properties: { uid: { type: 'string' }, resourceVersion: { type: 'string' } } },
      propagationPolicy: { type: 'string' }, orphanDependents: { type: 'boolean' }, dryRun: { type: 'array', items: { type: 'string' } },
    },
  },
  [metaName('Patch')]: { ...described('Patch'), type: 'object' },
  [metaName('WatchEvent')]: {
    ...described('WatchEvent'), type: 'object', required: ['type', 'object'],
    properties: { type: { type: 'string' }, object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
};

const query = (name: string, type: string, description: string) => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } });

const params = {
  pretty: query('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: query('dryRun', 'string', 'When present, the change is validated but not persisted. The only valid value is All.'),
  fieldManager: query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: query('fieldValidation', 'string', 'What to do with unknown or duplicate fields in the body: Ignore, Warn (default) or Strict.'),
  force: query('force', 'boolean', 'Apply requests only: take over fields owned by other managers.'),
  labelSelector: query('labelSelector', 'string', 'Restrict the result to objects whose labels match.'),
  fieldSelector: query('fieldSelector', 'string', 'Restrict the result to objects whose fields match.'),
  limit: query('limit', 'integer', 'Maximum number of objects to return; the rest is reached with the continue token.'),
  continue: query('continue', 'string', 'Token from a previous paged list, to fetch the next page.'),
  resourceVersion: query('resourceVersion', 'string', 'Which resourceVersion the request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  watch: query('watch', 'boolean', 'Stream changes instead of returning a list.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current objects.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Timeout of a list or watch call.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately.'),
  propagationPolicy: query('propagationPolicy', 'string', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
};
const listParams = [params.allowWatchBookmarks, params.continue, params.fieldSelector, params.labelSelector, params.limit,
  params.resourceVersion, params.resourceVersionMatch, params.sendInitialEvents, params.timeoutSeconds, params.watch];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];

const objectTypes = ['application/json', 'application/yaml'];
const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const content = (types: string[], schema: Schema) => Object.fromEntries(types.map((t) => [t, { schema }]));
export const ok = (schema: Schema, codes: string[] = ['200'], types = objectTypes) => ({
  ...Object.fromEntries(codes.map((code) => [code, { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content: content(types, schema) }])),
  '401': { description: 'Unauthorized' },
});

export interface Gvk { group: string; version: string; kind: string }
export const groupWords = (group: string) => (group ? group.replace(/\.k8s\.io$/, '').split('.') : ['core']);
export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** `listCoreV1NamespacedPod`, as kube-apiserver names operations. */
const operationId = (action: string, gvk: Gvk, scope: string, suffix = '') =>
  `${action}${groupWords(gvk.group).map(capitalize).join('')}${capitalize(gvk.version)}${scope}${gvk.kind}${suffix}`;
const tagOf = (group: string, version: string) => {
  const [first, ...rest] = groupWords(group);
  return `${first}${rest.map(capitalize).join('')}_${version}`;
};

/** Paths of one resource: collection, item, all-namespaces list and the subresources we serve. */
export function resourcePaths(def: ResourceDef, kindRef: Schema, listRef: Schema): Record<string, Schema> {
  const gvk: Gvk = { group: def.group, version: def.version, kind: def.kind };
  const root = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const scope = def.namespaced ? 'Namespaced' : '';
  const collection = def.namespaced ? `${root}/namespaces/{namespace}/${def.plural}` : `${root}/${def.plural}`;
  const tags = [tagOf(def.group, def.version)];
  const has = (verb: Verb) => def.verbs.includes(verb);
  /** One operation; `verb` names it in operationIds (read, replace, ...), `action` is x-kubernetes-action (get, put, ...). */
  const op = (verb: string, action: string, description: string, extra: Schema, target: Gvk = gvk, id = operationId(verb, gvk, scope)) => ({
    description, operationId: id, tags, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': target, ...extra,
  });
  const namespaceParam = def.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const nameParam = pathParam('name', `name of the ${def.kind}`);
  const deleteBody = { requestBody: { content: { '*/*': { schema: refTo(metaName('DeleteOptions')) } } } };
  const statusRef = refTo(metaName('Status'));
  const paths: Record<string, Schema> = {};

  const collectionOps: Schema = { parameters: [...namespaceParam, params.pretty] };
  if (has('list')) collectionOps.get = op('list', 'list', `list or watch objects of kind ${def.kind}`, { parameters: listParams, responses: ok(listRef, ['200'], [...objectTypes, 'application/json;stream=watch']) });
  if (has('create')) collectionOps.post = op('create', 'post', `create a ${def.kind}`, { parameters: writeParams, requestBody: { content: content(['*/*'], kindRef), required: true }, responses: ok(kindRef, ['200', '201', '202']) });
  if (has('deletecollection')) {
    collectionOps.delete = op('deleteCollection', 'deletecollection', `delete collection of ${def.kind}`, {
      parameters: [...listParams.filter((p) => p !== params.watch && p !== params.allowWatchBookmarks), params.dryRun, params.gracePeriodSeconds, params.propagationPolicy],
      ...deleteBody, responses: ok(statusRef),
    });
  }
  paths[collection] = collectionOps;

  const itemOps: Schema = { parameters: [nameParam, ...namespaceParam, params.pretty] };
  if (has('get')) itemOps.get = op('read', 'get', `read the specified ${def.kind}`, { responses: ok(kindRef) });
  if (has('update')) itemOps.put = op('replace', 'put', `replace the specified ${def.kind}`, { parameters: writeParams, requestBody: { content: content(['*/*'], kindRef), required: true }, responses: ok(kindRef, ['200', '201']) });
  if (has('patch')) itemOps.patch = patchOp(`partially update the specified ${def.kind}`, operationId('patch', gvk, scope));
  if (has('delete')) {
    itemOps.delete = op('delete', 'delete', `delete a ${def.kind}`, {
      parameters: [params.dryRun, params.gracePeriodSeconds, params.propagationPolicy], ...deleteBody, responses: ok(kindRef, ['200', '202']),
    });
  }
  paths[`${collection}/{name}`] = itemOps;

  if (def.namespaced && has('list')) {
    paths[`${root}/${def.plural}`] = {
      parameters: [params.pretty],
      get: op('list', 'list', `list or watch objects of kind ${def.kind}`, { parameters: listParams, responses: ok(listRef, ['200'], [...objectTypes, 'application/json;stream=watch']) }, gvk, operationId('list', gvk, '', 'ForAllNamespaces')),
    };
  }

  const subresources = def.subresources ?? [];
  for (const sub of subresources.filter(isStatusSubresource)) {
    const Sub = sub[0].toUpperCase() + sub.slice(1);
    paths[`${collection}/{name}/${sub}`] = {
      parameters: [nameParam, ...namespaceParam, params.pretty],
      get: op('read', 'get', `read ${sub} of the specified ${def.kind}`, { responses: ok(kindRef) }, gvk, operationId('read', gvk, scope, Sub)),
      put: op('replace', 'put', `replace ${sub} of the specified ${def.kind}`, { parameters: writeParams, requestBody: { content: content(['*/*'], kindRef), required: true }, responses: ok(kindRef, ['200', '201']) }, gvk, operationId('replace', gvk, scope, Sub)),
      patch: patchOp(`partially update ${sub} of the specified ${def.kind}`, operationId('patch', gvk, scope, Sub)),
    };
  }
  if (subresources.includes('binding')) {
    const binding: Gvk = { group: '', version: 'v1', kind: 'Binding' };
    const bindingRef = refTo('io.k8s.api.core.v1.Binding');
    paths[`${collection}/{name}/binding`] = {
      parameters: [pathParam('name', 'name of the Binding'), ...namespaceParam, params.pretty],
      post: op('create', 'post', `create binding of a ${def.kind}`, { parameters: writeParams, requestBody: { content: content(['*/*'], bindingRef), required: true }, responses: ok(bindingRef, ['200', '201', '202']) }, binding, operationId('create', gvk, scope, 'Binding')),
    };
  }
  if (subresources.includes('log')) {
    const logParams = [
      query('container', 'string', 'The container to stream logs of; defaults to the only container.'),
      query('follow', 'boolean', 'Follow the log stream.'), query('previous', 'boolean', 'Logs of the previous, terminated container.'),
      query('sinceSeconds', 'integer', 'Only logs newer than this many seconds.'), query('tailLines', 'integer', 'Only the last lines.'),
      query('timestamps', 'boolean', 'Prefix each line with its timestamp.'), query('limitBytes', 'integer', 'Stop after this many bytes.'),
    ];
    paths[`${collection}/{name}/log`] = {
      parameters: [nameParam, ...namespaceParam, params.pretty],
      get: op('read', 'get', `read log of the specified ${def.kind}`, { parameters: logParams, responses: ok({ type: 'string' }, ['200'], ['text/plain']) }, gvk, operationId('read', gvk, scope, 'Log')),
    };
  }
  return paths;

  function patchOp(description: string, id: string) {
    return op('patch', 'patch', description, {
      parameters: [...writeParams, params.force],
      requestBody: { content: content(patchTypes, refTo(metaName('Patch'))), required: true },
      responses: ok(kindRef, ['200', '201']),
    }, gvk, id);
  }
}
