import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import type { ObjectRef } from './types.ts';

const catalog = new Catalog(resources);

/** The REST path of an object (`/apis/apps/v1/namespaces/shop/deployments/web`), from its apiVersion and kind. */
export function objectPath(ref: ObjectRef): string {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
  const def = catalog.groupVersions.find((gv) => gv.group === group && gv.version === version)?.resources.find((d) => d.kind === ref.kind);
  if (!def) throw new Error(`no resource of kind ${ref.kind} in ${ref.apiVersion}`);
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = def.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
  return `${base}${ns}/${def.plural}/${encodeURIComponent(ref.name)}`;
}

/** `Deployment shop/web`, `Node node01`. */
export const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/** The REST path of a kind's collection (`/api/v1/namespaces/shop/pods`; all namespaces without one). */
export function listPath(apiVersion: string, kind: string, namespace?: string): string {
  const path = objectPath({ apiVersion, kind, name: '', ...(namespace ? { namespace } : {}) });
  const collection = path.slice(0, path.lastIndexOf('/'));
  return namespace ? collection : collection.replace('/namespaces/default/', '/');
}
