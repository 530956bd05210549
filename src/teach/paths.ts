import { Catalog } from '../registry/catalog.ts';
import { resources } from '../registry/resources/index.ts';
import type { ObjectRef } from './types.ts';

const catalog = new Catalog(resources);

/** A custom resource's plural as CRDs name them by convention (`gateways`, `gatewayclasses`, `policies`). */
const conventionalPlural = (kind: string) => {
  const k = kind.toLowerCase();
  return /(s|x|ch|sh)$/.test(k) ? `${k}es` : /[^aeiou]y$/.test(k) ? `${k.slice(0, -1)}ies` : `${k}s`;
};

/**
 * The REST path of an object (`/apis/apps/v1/namespaces/shop/deployments/web`), from its
 * apiVersion and kind. A kind this server does not build in (a CRD's: the Gateway API's) is
 * taken as namespaced when the reference names a namespace, with the conventional plural.
 */
export function objectPath(ref: ObjectRef): string {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
  const def = catalog.groupVersions.find((gv) => gv.group === group && gv.version === version)?.resources.find((d) => d.kind === ref.kind);
  if (!def && !group) throw new Error(`no resource of kind ${ref.kind} in ${ref.apiVersion}`);
  const [plural, namespaced] = def ? [def.plural, def.namespaced] : [conventionalPlural(ref.kind), ref.namespace !== undefined];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
  return `${base}${ns}/${plural}/${encodeURIComponent(ref.name)}`;
}

/** `Deployment shop/web`, `Node node01`. */
export const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/** The REST path of a kind's collection (`/api/v1/namespaces/shop/pods`; all namespaces without one). */
export function listPath(apiVersion: string, kind: string, namespace?: string): string {
  const path = objectPath({ apiVersion, kind, name: '', namespace: namespace ?? 'default' });
  const collection = path.slice(0, path.lastIndexOf('/'));
  return namespace ? collection : collection.replace('/namespaces/default/', '/');
}
