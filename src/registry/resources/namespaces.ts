import * as schema from '../../schema/core.ts';
import type { AdmissionPlugin } from '../admission.ts';
import { ApiError, forbidden } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type ClusterObjects, type KubeObject } from '../types.ts';
import { configmaps, serviceaccounts } from './config.ts';

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };

/** Namespaces every cluster has and no one may delete. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The namespace controller's work, done inline: every namespaced object in it goes first. */
async function deleteContents(ns: Namespace, objects: ClusterObjects): Promise<void> {
  for (const def of objects.catalog.resources.filter((d) => d.namespaced)) {
    const { items } = await objects.list(def, ns.metadata.name);
    for (const item of items) {
      try {
        await objects.delete(def, ns.metadata.name, item.metadata.name!, { gracePeriodSeconds: 0 });
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      }
    }
  }
}

const rootCAConfigMap = 'kube-root-ca.crt';
const ignoring = (...reasons: string[]) => (err: unknown) => {
  if (!(err instanceof ApiError && reasons.includes(err.reason))) throw err;
};

/**
 * What kube-controller-manager writes into every new namespace within moments, written
 * at once so a pod created next finds it: the serviceaccount controller's `default`
 * ServiceAccount and the root-ca-cert-publisher's `kube-root-ca.crt` (the CA bundle that
 * every pod's token volume projects), copied from kube-system's.
 */
async function populate(ns: Namespace, objects: ClusterObjects): Promise<void> {
  const name = ns.metadata.name!;
  await objects.create(serviceaccounts, name, { metadata: { name: 'default' } }).catch(ignoring('AlreadyExists'));
  const ca = await objects.get(configmaps, 'kube-system', rootCAConfigMap).catch(ignoring('NotFound'));
  if (!ca || name === 'kube-system') return;
  const { name: _n, namespace: _ns, uid: _u, resourceVersion: _rv, creationTimestamp: _c, managedFields: _m, ...metadata } = ca.metadata;
  await objects.create(configmaps, name, { metadata: { ...metadata, name: rootCAConfigMap }, data: ca.data } as KubeObject).catch(ignoring('AlreadyExists'));
}

export const namespaces = defineResource<Namespace>({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'],
  nameRule: 'label', schema: schema.namespace,
  columns: [nameColumn, { name: 'Status', type: 'string', description: 'The status of the namespace' }, ageColumn],
  row: (ns, { now }) => [ns.metadata.name, ns.status?.phase ?? '', age(ns, now)],
  fieldSelectors: { 'status.phase': (ns) => ns.status?.phase ?? '' },
  strategy: {
    defaults(ns) {
      (ns.metadata.labels ??= {})['kubernetes.io/metadata.name'] = ns.metadata.name!;
    },
    prepareForCreate(ns) {
      ns.spec = { finalizers: ['kubernetes'] };
      ns.status = { phase: 'Active' };
    },
    finalize: deleteContents,
    afterCreate: populate,
  },
});

const isNamespaces = (def: { group: string; plural: string }) => def.group === namespaces.group && def.plural === namespaces.plural;

/**
 * The NamespaceLifecycle admission plugin: content is created only in a namespace that
 * exists and is not being terminated, and the system namespaces are never deleted.
 * It runs in the validating phase, after the object's own validation, so an invalid
 * object in a missing namespace is answered 422 as it always was here.
 */
export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  phase: 'validating',
  async admit({ operation, def, namespace, name }, objects) {
    if (operation === 'DELETE' && isNamespaces(def) && systemNamespaces.includes(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    if (operation !== 'CREATE' || !def.namespaced) return;
    const ns = await objects.get(namespaces, undefined, namespace!);
    if (ns.status?.phase === 'Terminating') {
      throw new ApiError(403, 'Forbidden', `${def.plural} "" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { kind: def.plural });
    }
  },
};
