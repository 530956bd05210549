import type { Context } from 'hono';
import type { Registry } from '../registry/generic.ts';
import { formatLabels, selectorString, type LabelSelector } from '../apimachinery/selectors.ts';
import { age, ageColumn } from '../registry/printing.ts';
import { readJsonPath, writeJsonPath } from '../registry/jsonPath.ts';
import { defineResource, type KubeObject, type ResourceDef } from '../registry/types.ts';
import * as schema from '../schema/autoscaling.ts';
import { decodeDocument, decodeObject, parseFieldValidation, readBody, wantsTable } from './codec.ts';
import { badRequest, conflict, invalid, methodNotAllowed, type FieldError } from '../apimachinery/errors.ts';
import { applyPatch } from './patch.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { toTable } from './table.ts';
import { shapeObject, writeObject } from './wire.ts';
import { fieldManagerOf } from './apply.ts';

/**
 * The `scale` subresource (autoscaling/v1 Scale) of replicated workloads:
 * GET reads spec.replicas, status.replicas and the selector as a string;
 * PUT and PATCH (a patch against the Scale, as `kubectl scale` sends) write
 * spec.replicas back onto the owner through the registry.
 */

/** The Scale kind, for decoding bodies and `get --subresource=scale` tables; served only as a subresource. */
const scaleKind = defineResource({
  group: 'autoscaling', version: 'v1', kind: 'Scale', plural: 'scale', singular: 'scale', namespaced: true,
  verbs: [], schema: schema.scale,
  columns: [
    { name: 'Name', type: 'string', description: 'Name must be unique within a namespace.' },
    { name: 'Desired', type: 'integer', description: 'replicas is the desired number of instances for the scaled object.' },
    { name: 'Available', type: 'integer', description: 'replicas is the actual number of observed instances of the scaled object.' },
    ageColumn,
  ],
  row: (obj, { now }) => [obj.metadata.name, (obj as Scale).spec?.replicas ?? 0, (obj as Scale).status?.replicas ?? 0, age(obj, now)],
});

type Scalable = KubeObject & { spec?: { replicas?: number; selector?: LabelSelector | Record<string, string> }; status?: { replicas?: number } };
type Scale = KubeObject & { spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } };

/** ReplicationControllers select by a plain label map; apps workloads by a LabelSelector. */
const mapSelectorKinds = new Set(['ReplicationController']);

/** A custom resource's replicas and selector, at the paths its CRD names (the selector already a string there). */
function customScaleFields(def: ResourceDef, obj: KubeObject) {
  const paths = def.scale!;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  const selector = paths.labelSelectorPath ? readJsonPath(obj, paths.labelSelectorPath) : undefined;
  return { spec: number(readJsonPath(obj, paths.specReplicasPath)), status: number(readJsonPath(obj, paths.statusReplicasPath)), selector: typeof selector === 'string' ? selector : '' };
}

function scaleOf(def: ResourceDef, obj: Scalable): Scale {
  if (def.scale) {
    const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
    const fields = customScaleFields(def, obj);
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace, uid, resourceVersion, creationTimestamp }, spec: { replicas: fields.spec }, status: { replicas: fields.status, selector: fields.selector } };
  }
  const selector = obj.spec?.selector;
  const text = mapSelectorKinds.has(def.kind)
    ? (selector && Object.keys(selector).length ? formatLabels(selector as Record<string, string>) : '')
    : selectorString(selector as LabelSelector | undefined);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: text },
  };
}

/** ValidateScale. */
function validateScale(scale: Scale): void {
  const errors: FieldError[] = [];
  const replicas = scale.spec?.replicas;
  if (typeof replicas === 'number' && replicas < 0) errors.push({ field: 'spec.replicas', type: 'FieldValueInvalid', value: replicas, detail: 'must be greater than or equal to 0' });
  if (errors.length) throw invalid('Scale', 'autoscaling', scale.metadata.name ?? '', errors);
}

function dryRun(c: Context): boolean {
  const values = c.req.queries('dryRun') ?? [];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** Writes a Scale's replicas onto the owner, honouring a resourceVersion the client set on the Scale. */
async function writeScale(c: Context, registry: Registry, def: ResourceDef, namespace: string | undefined, name: string, next: (current: Scale) => Scale): Promise<Scale> {
  const gr = { group: def.group, resource: def.plural };
  const updated = await registry.mutate(def, namespace, name, (obj) => {
    const current = scaleOf(def, obj as Scalable);
    const scale = next(current);
    if (scale.metadata?.name && scale.metadata.name !== name) throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
    validateScale(scale);
    const wanted = scale.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) {
      throw conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (def.scale) writeJsonPath(obj, def.scale.specReplicasPath, scale.spec?.replicas ?? 0);
    else (obj as Scalable).spec = { ...(obj as Scalable).spec, replicas: scale.spec?.replicas ?? 0 };
    return obj;
  }, { dryRun: dryRun(c), fieldManager: fieldManagerOf(c, 'PatchOptions'), managedSubresource: 'scale' });
  return scaleOf(def, updated as Scalable);
}

export async function handleScale(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
  const name = info.name!;
  switch (info.verb) {
    case 'get': {
      const scale = scaleOf(def, await registry.get(def, namespace, name) as Scalable);
      if (wantsTable(c.req.header('accept') ?? null)) return writeObject(c, toTable(scaleKind, [scale], registry.ctx(), { resourceVersion: scale.metadata.resourceVersion }, c.req.query('includeObject')));
      return writeObject(c, shapeObject(scale));
    }
    case 'update': {
      const bytes = await readBody(c.req.raw);
      if (!bytes.byteLength) throw badRequest('the request body is empty; an object was expected');
      const document = decodeDocument(bytes, c.req.header('content-type') ?? null, 'Scale');
      const { obj } = decodeObject(scaleKind, document, parseFieldValidation(c.req.query('fieldValidation')));
      return writeObject(c, shapeObject(await writeScale(c, registry, def, namespace, name, () => obj as Scale)));
    }
    case 'patch': {
      const bytes = await readBody(c.req.raw);
      const contentType = c.req.header('content-type') ?? '';
      const fieldValidation = parseFieldValidation(c.req.query('fieldValidation'));
      return writeObject(c, shapeObject(await writeScale(c, registry, def, namespace, name, (current) => {
        const patched = applyPatch(structuredClone(current), bytes, contentType, scaleKind.schema);
        return decodeObject(scaleKind, patched, fieldValidation).obj as Scale;
      })));
    }
    default:
      throw methodNotAllowed();
  }
}
