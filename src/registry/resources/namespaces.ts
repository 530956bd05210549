import * as schema from '../../schema/core.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type KubeObject } from '../types.ts';

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };

/** Namespaces every cluster has and no one may delete. */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const namespaces = defineResource({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'],
  nameRule: 'label', schema: schema.namespace,
  columns: [nameColumn, { name: 'Status', type: 'string', description: 'The status of the namespace' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, (obj as Namespace).status?.phase ?? '', age(obj, now)],
  fieldSelectors: { 'status.phase': (o) => (o as Namespace).status?.phase ?? '' },
  strategy: {
    defaults(obj) {
      const ns = obj as Namespace;
      (ns.metadata.labels ??= {})['kubernetes.io/metadata.name'] = ns.metadata.name!;
    },
    prepareForCreate(obj) {
      const ns = obj as Namespace;
      ns.spec = { finalizers: ['kubernetes'] };
      ns.status = { phase: 'Active' };
    },
  },
});
