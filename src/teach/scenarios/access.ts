import type { Scenario } from '../types.ts';
import { namespace } from './build.ts';

const rbac = 'rbac.authorization.k8s.io/v1';
const reader = { user: 'system:serviceaccount:monitoring:reader', groups: ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'], namespace: 'monitoring', resource: 'pods' };

/** Access: RBAC that allows too little, to the wrong subject. */
export const accessScenarios: Scenario[] = [
  {
    name: 'rbac-serviceaccount',
    summary: 'ServiceAccount monitoring/reader cannot list pods: its Role and RoleBinding are wrong',
    symptom: 'kubectl auth can-i list pods -n monitoring --as=system:serviceaccount:monitoring:reader: no',
    fix: 'kubectl edit role pod-reader -n monitoring (verbs: get, list, watch); kubectl edit rolebinding reader-binding -n monitoring (subjects: ServiceAccount reader in monitoring)',
    breaks: [
      { apply: namespace('monitoring') },
      { apply: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: 'monitoring' } } },
      { apply: { apiVersion: rbac, kind: 'Role', metadata: { name: 'pod-reader', namespace: 'monitoring' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } },
      {
        apply: {
          apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'reader-binding', namespace: 'monitoring' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'monitoring' }],
        },
      },
    ],
    checks: [
      { says: 'monitoring/reader may list pods in monitoring', canI: { ...reader, verb: 'list' }, allowed: true },
      { says: 'and may not delete them (least privilege)', canI: { ...reader, verb: 'delete' }, allowed: false },
    ],
  },
];
