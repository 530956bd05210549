import type { Scenario } from '../types.ts';
import { namespace, ref } from './build.ts';

/** Storage: a claim nothing satisfies. */
export const storageScenarios: Scenario[] = [
  {
    name: 'pvc-no-pv',
    summary: 'Pod data/db stays Pending: its PersistentVolumeClaim has no volume to bind',
    symptom: 'kubectl get pvc -n data: db-data Pending (STORAGECLASS manual); kubectl get pods -n data: db Pending ("pod has unbound immediate PersistentVolumeClaims")',
    fix: 'create a PersistentVolume with storageClassName: manual, accessModes [ReadWriteOnce], capacity storage: 1Gi and a hostPath; the claim binds and the pod starts',
    breaks: [
      { apply: namespace('data') },
      { apply: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db-data', namespace: 'data' }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } },
      {
        apply: {
          apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'data', labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'redis:7', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'db-data' } }] },
        },
      },
    ],
    checks: [
      { says: 'PersistentVolumeClaim data/db-data is Bound', field: { object: ref('v1', 'PersistentVolumeClaim', 'db-data', 'data'), path: 'status.phase', equals: 'Bound' } },
      { says: 'Pod data/db is Running', field: { object: ref('v1', 'Pod', 'db', 'data'), path: 'status.phase', equals: 'Running' } },
    ],
  },
];
