import { kubeObject, list, named, str, struct } from './base.ts';
import { labelSelector } from './common.ts';

/** rbac.authorization.k8s.io/v1 wire types. */
const rbac = (kind: string) => `io.k8s.api.rbac.v1.${kind}`;

export const policyRule = named(rbac('PolicyRule'), struct({
  verbs: list(str()), apiGroups: list(str()), resources: list(str()), resourceNames: list(str()), nonResourceURLs: list(str()),
}));
const subject = named(rbac('Subject'), struct({ kind: str(), apiGroup: str(), name: str(), namespace: str() }));
const roleRef = named(rbac('RoleRef'), struct({ apiGroup: str(), kind: str(), name: str() }));

export const role = named(rbac('Role'), kubeObject({ rules: list(policyRule) }));
export const clusterRole = named(rbac('ClusterRole'), kubeObject({
  rules: list(policyRule), aggregationRule: named(rbac('AggregationRule'), struct({ clusterRoleSelectors: list(labelSelector) })),
}));
export const roleBinding = named(rbac('RoleBinding'), kubeObject({ subjects: list(subject), roleRef }));
export const clusterRoleBinding = named(rbac('ClusterRoleBinding'), kubeObject({ subjects: list(subject), roleRef }));
