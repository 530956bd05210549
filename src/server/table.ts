import type { HookContext, KubeObject, ResourceDef } from '../registry/types.ts';
import { shapeMeta, shapeObject } from './wire.ts';

/** The meta.k8s.io/v1 Table kubectl prints for `get`, from a resource's printer columns. */
export function toTable(def: ResourceDef, objects: KubeObject[], ctx: HookContext, listMeta: { resourceVersion?: string; continue?: string } = {}, includeObject = 'PartialObjectMetadata') {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })),
    rows: objects.map((obj) => ({ cells: def.row(obj, ctx), object: rowObject(obj, includeObject) })),
  };
}

function rowObject(obj: KubeObject, includeObject: string) {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return shapeObject(obj);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: shapeMeta(obj.metadata) };
}
