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
  {
    name: 'expired-cert',
    summary: 'User dev cannot log in: the client certificate in dev.kubeconfig has expired',
    symptom: 'KUBECONFIG=dev.kubeconfig kubectl get pods: "error: You must be logged in to the server (Unauthorized)"; kubectl config view --raw --kubeconfig dev.kubeconfig -o jsonpath=\'{.users[0].user.client-certificate-data}\' | base64 -d | openssl x509 -noout -enddate: notAfter is in the past',
    fix: 'a new certificate for the same user, from the cluster\'s CA: openssl genrsa -out dev.key 2048; openssl req -new -key dev.key -subj "/CN=dev/O=developers" -out dev.csr; kubectl apply a CertificateSigningRequest dev-renewal with it (signerName kubernetes.io/kube-apiserver-client, usages [client auth]); kubectl certificate approve dev-renewal; kubectl get csr dev-renewal -o jsonpath={.status.certificate} | base64 -d > dev.crt; kubectl --kubeconfig dev.kubeconfig config set-credentials dev@CLUSTER --client-certificate=dev.crt --client-key=dev.key --embed-certs',
    breaks: [],
    checks: [{ says: 'user dev has a client certificate that is valid now', certificateFor: { user: 'dev' } }],
    handsOut: { file: 'dev.kubeconfig', user: 'dev', groups: ['developers'], namespace: 'dev', certificate: { expired: true } },
  },
];
