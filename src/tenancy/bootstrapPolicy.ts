import type { Registry } from '../registry/generic.ts';
import type { KubeObject } from '../registry/types.ts';
import type { PolicyRule, Role, Subject } from '../registry/resources/rbac.ts';
import { aggregateAll } from '../controlplane/controllers/clusterroleaggregation.ts';
import { createEach } from './createEach.ts';

/**
 * The RBAC objects of a freshly `kubeadm init`-ed v1.35 cluster: kube-apiserver's bootstrap
 * policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy, its testdata golden files) and
 * what kubeadm's init phases add (bootstrap-token, upload-config, kubelet-config, the
 * CoreDNS and kube-proxy addons, the kubeadm:cluster-admins group). Data only: a rule is
 * one string, `verbs|apiGroups|resources|resourceNames` (lists comma-separated, "" the core
 * group) or `verbs|nonResourceURLs`; a subject is `Kind:name` or `ServiceAccount:ns/name`.
 */

const events = 'create,patch,update|,events.k8s.io|events';
const read = 'get,list,watch';
const rw = 'create,delete,deletecollection,patch,update';

/** ClusterRoles of the bootstrap policy (labels rbac-defaults, autoupdate). Aggregated roles list their selector label instead of rules. */
const clusterRoles: Record<string, string[] | { aggregate: string; label?: string }> = {
  'admin': { aggregate: 'admin' },
  'cluster-admin': ['*|*|*', '*|*'],
  'edit': { aggregate: 'edit', label: 'admin' },
  'view': { aggregate: 'view', label: 'edit' },
  'system:aggregate-to-admin': ['create|authorization.k8s.io|localsubjectaccessreviews', `${rw},get,list,watch|rbac.authorization.k8s.io|rolebindings,roles`],
  'system:aggregate-to-edit': [
    `${read}||pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy`, 'impersonate||serviceaccounts',
    `${rw}||pods,pods/attach,pods/exec,pods/portforward,pods/proxy`, 'create||pods/eviction',
    `${rw}||configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy`,
    'create||serviceaccounts/token',
    `${rw}|apps|daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale`,
    `${rw}|autoscaling|horizontalpodautoscalers`, `${rw}|batch|cronjobs,jobs`,
    `${rw}|extensions|daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale`,
    `${rw}|policy|poddisruptionbudgets`, `${rw}|networking.k8s.io|ingresses,networkpolicies`, `${rw},get,list,watch|coordination.k8s.io|leases`,
  ],
  'system:aggregate-to-view': [
    `${read}||configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status`,
    `${read}||bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status`,
    `${read}||namespaces`, `${read}|discovery.k8s.io|endpointslices`,
    `${read}|apps|controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status`,
    `${read}|autoscaling|horizontalpodautoscalers,horizontalpodautoscalers/status`, `${read}|batch|cronjobs,cronjobs/status,jobs,jobs/status`,
    `${read}|extensions|daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale`,
    `${read}|policy|poddisruptionbudgets,poddisruptionbudgets/status`, `${read}|networking.k8s.io|ingresses,ingresses/status,networkpolicies`,
  ],
  'system:auth-delegator': ['create|authentication.k8s.io|tokenreviews', 'create|authorization.k8s.io|subjectaccessreviews'],
  'system:basic-user': ['create|authorization.k8s.io|selfsubjectaccessreviews,selfsubjectrulesreviews', 'create|authentication.k8s.io|selfsubjectreviews'],
  'system:certificates.k8s.io:certificatesigningrequests:nodeclient': ['create|certificates.k8s.io|certificatesigningrequests/nodeclient'],
  'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient': ['create|certificates.k8s.io|certificatesigningrequests/selfnodeclient'],
  'system:certificates.k8s.io:kube-apiserver-client-approver': ['approve|certificates.k8s.io|signers|kubernetes.io/kube-apiserver-client'],
  'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver': ['approve|certificates.k8s.io|signers|kubernetes.io/kube-apiserver-client-kubelet'],
  'system:certificates.k8s.io:kubelet-serving-approver': ['approve|certificates.k8s.io|signers|kubernetes.io/kubelet-serving'],
  'system:certificates.k8s.io:legacy-unknown-approver': ['approve|certificates.k8s.io|signers|kubernetes.io/legacy-unknown'],
  'system:discovery': ['get|/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/'],
  'system:heapster': [`${read}||events,namespaces,nodes,pods`, `${read}|extensions|deployments`],
  'system:kube-aggregator': [`${read}||endpoints,services`],
  'system:kube-controller-manager': [
    events, 'create|coordination.k8s.io|leases', 'get,update|coordination.k8s.io|leases|kube-controller-manager',
    'create||secrets,serviceaccounts', 'delete||secrets', 'get||configmaps,namespaces,secrets,serviceaccounts', 'update||secrets,serviceaccounts',
    'create|authentication.k8s.io|tokenreviews', 'create|authorization.k8s.io|subjectaccessreviews', 'list,watch|*|*', 'create||serviceaccounts/token',
  ],
  'system:kube-dns': ['list,watch||endpoints,services'],
  'system:kube-scheduler': [
    events, 'create|coordination.k8s.io|leases', 'get,list,update,watch|coordination.k8s.io|leases|kube-scheduler',
    `${rw},get,list,watch|coordination.k8s.io|leasecandidates`, `${read}||nodes`, 'delete,get,list,watch||pods', 'create||bindings,pods/binding',
    'patch,update||pods/status', `${read}||replicationcontrollers,services`, `${read}|apps,extensions|replicasets`, `${read}|apps|statefulsets`,
    `${read}|policy|poddisruptionbudgets`, `${read}||persistentvolumeclaims,persistentvolumes`, 'create|authentication.k8s.io|tokenreviews',
    'create|authorization.k8s.io|subjectaccessreviews', `${read}|storage.k8s.io|csinodes`, `${read}|storage.k8s.io|volumeattachments`, `${read}||namespaces`,
    `${read}|storage.k8s.io|csidrivers`, `${read}|storage.k8s.io|csistoragecapacities`, `${read}|resource.k8s.io|deviceclasses`,
    'get,list,patch,update,watch|resource.k8s.io|resourceclaims', 'get,list,patch,update,watch|resource.k8s.io|resourceclaims/status',
    'get,list,patch,update,watch||pods/finalizers', `${read}|resource.k8s.io|resourceslices`,
  ],
  'system:kubelet-api-admin': [`${read}||nodes`, 'proxy||nodes', '*||nodes/log,nodes/metrics,nodes/proxy,nodes/stats'],
  'system:monitoring': ['get|/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*'],
  'system:node': [
    'create|authentication.k8s.io|tokenreviews', 'create|authorization.k8s.io|localsubjectaccessreviews,subjectaccessreviews', `${read}||services`,
    'create,get,list,watch||nodes', 'patch,update||nodes/status', 'patch,update||nodes', 'create,patch,update||events', `${read}||pods`, 'create,delete||pods',
    'patch,update||pods/status', 'create||pods/eviction', `${read}||configmaps,secrets`, 'get||persistentvolumeclaims,persistentvolumes', 'get||endpoints',
    'create,get,list,watch|certificates.k8s.io|certificatesigningrequests', 'create,delete,get,patch,update|coordination.k8s.io|leases',
    'get|storage.k8s.io|volumeattachments', 'create||serviceaccounts/token', 'get,patch,update||persistentvolumeclaims/status', `${read}|storage.k8s.io|csidrivers`,
    'create,delete,get,patch,update|storage.k8s.io|csinodes', `${read}|node.k8s.io|runtimeclasses`, 'get|resource.k8s.io|resourceclaims',
    'deletecollection|resource.k8s.io|resourceslices',
  ],
  'system:node-bootstrapper': ['create,get,list,watch|certificates.k8s.io|certificatesigningrequests'],
  'system:node-problem-detector': ['get||nodes', 'patch||nodes/status', events],
  'system:node-proxier': ['list,watch||endpoints,services', `${read}||nodes`, events, 'list,watch|discovery.k8s.io|endpointslices'],
  'system:persistent-volume-provisioner': ['create,delete,get,list,watch||persistentvolumes', 'get,list,update,watch||persistentvolumeclaims', `${read}|storage.k8s.io|storageclasses`, 'watch||events', events],
  'system:public-info-viewer': ['get|/healthz,/livez,/readyz,/version,/version/'],
  'system:service-account-issuer-discovery': ['get|/.well-known/openid-configuration,/.well-known/openid-configuration/,/openid/v1/jwks,/openid/v1/jwks/'],
  'system:volume-scheduler': ['get,list,patch,update,watch||persistentvolumes', `${read}|storage.k8s.io|storageclasses`, 'get,list,patch,update,watch||persistentvolumeclaims'],
};

/** kube-controller-manager's controllers: `system:controller:<name>`, each bound to ServiceAccount kube-system/<name>. */
const controllerRoles: Record<string, string[]> = {
  'attachdetach-controller': ['list,watch||persistentvolumeclaims,persistentvolumes', `${read}||nodes`, 'patch,update||nodes/status', 'list,watch||pods', events, 'create,delete,get,list,watch|storage.k8s.io|volumeattachments', `${read}|storage.k8s.io|csidrivers`, `${read}|storage.k8s.io|csinodes`],
  'certificate-controller': [
    'delete,get,list,watch|certificates.k8s.io|certificatesigningrequests', 'update|certificates.k8s.io|certificatesigningrequests/approval,certificatesigningrequests/status',
    'approve|certificates.k8s.io|signers|kubernetes.io/kube-apiserver-client-kubelet',
    'sign|certificates.k8s.io|signers|kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/legacy-unknown',
    'create|authorization.k8s.io|subjectaccessreviews', events,
  ],
  'clusterrole-aggregation-controller': ['escalate,get,list,patch,update,watch|rbac.authorization.k8s.io|clusterroles'],
  'cronjob-controller': ['get,list,update,watch|batch|cronjobs', 'create,delete,get,list,patch,update,watch|batch|jobs', 'update|batch|cronjobs/status', 'update|batch|cronjobs/finalizers', 'delete,list||pods', events],
  'daemon-set-controller': [`${read}|apps,extensions|daemonsets`, 'update|apps,extensions|daemonsets/status', 'update|apps,extensions|daemonsets/finalizers', 'list,watch||nodes', 'create,delete,list,patch,watch||pods', 'create||pods/binding', 'create,delete,get,list,patch,update,watch|apps|controllerrevisions', events],
  'deployment-controller': ['get,list,update,watch|apps,extensions|deployments', 'update|apps,extensions|deployments/status', 'update|apps,extensions|deployments/finalizers', 'create,delete,get,list,patch,update,watch|apps,extensions|replicasets', 'get,list,update,watch||pods', events],
  'disruption-controller': [`${read}|apps,extensions|deployments`, `${read}|apps,extensions|replicasets`, `${read}||replicationcontrollers`, `${read}|policy|poddisruptionbudgets`, `${read}|apps|statefulsets`, 'update|policy|poddisruptionbudgets/status', 'patch,update||pods/status', 'get|*|*/scale', events],
  'endpoint-controller': [`${read}||pods,services`, 'create,delete,get,list,update||endpoints', 'create||endpoints/restricted', events],
  'endpointslice-controller': [`${read}||nodes,pods,services`, 'update||services/finalizers', 'create,delete,get,list,update|discovery.k8s.io|endpointslices', events],
  'endpointslicemirroring-controller': [`${read}||endpoints,services`, 'update||services/finalizers', 'update||endpoints/finalizers', 'create,delete,get,list,update|discovery.k8s.io|endpointslices', events],
  'ephemeral-volume-controller': [`${read}||pods`, 'update||pods/finalizers', 'create,get,list,watch||persistentvolumeclaims', events],
  'expand-controller': ['get,list,patch,update,watch||persistentvolumes', 'patch,update||persistentvolumeclaims/status', `${read}||persistentvolumeclaims`, events, 'get||services'],
  'generic-garbage-collector': ['delete,get,list,patch,update,watch|*|*', events],
  'horizontal-pod-autoscaler': [`${read}|autoscaling|horizontalpodautoscalers`, 'update|autoscaling|horizontalpodautoscalers/status', 'get,update|*|*/scale', 'list||pods', 'list|metrics.k8s.io|pods', 'get,list|custom.metrics.k8s.io|*', 'get,list|external.metrics.k8s.io|*', events],
  'job-controller': ['get,list,patch,update,watch|batch|jobs', 'update|batch|jobs/status', 'update|batch|jobs/finalizers', 'create,delete,list,patch,watch||pods', events],
  'legacy-service-account-token-cleaner': ['get||configmaps|kube-apiserver-legacy-service-account-token-tracking', 'delete,patch||secrets'],
  'namespace-controller': ['delete,get,list,watch||namespaces', 'update||namespaces/finalize,namespaces/status', 'delete,deletecollection,get,list|*|*'],
  'node-controller': ['delete,get,list,patch,update||nodes', 'patch,update||nodes/status', 'patch,update||pods/status', 'delete,get,list||pods', events],
  'persistent-volume-binder': ['create,delete,get,list,update,watch||persistentvolumes', 'update||persistentvolumes/status', 'get,list,update,watch||persistentvolumeclaims', 'update||persistentvolumeclaims/status', 'create,delete,get,list,watch||pods', `${read}|storage.k8s.io|storageclasses`, 'list,watch||nodes', events, 'watch||events', 'get||services'],
  'pod-garbage-collector': ['delete,list,watch||pods', 'get,list||nodes', 'patch||pods/status'],
  'pv-protection-controller': ['get,list,update,watch||persistentvolumes', events],
  'pvc-protection-controller': ['get,list,update,watch||persistentvolumeclaims', `${read}||pods`, events],
  'replicaset-controller': ['get,list,update,watch|apps,extensions|replicasets', 'update|apps,extensions|replicasets/status', 'update|apps,extensions|replicasets/finalizers', 'create,delete,list,patch,watch||pods', events],
  'replication-controller': ['get,list,update,watch||replicationcontrollers', 'update||replicationcontrollers/status', 'update||replicationcontrollers/finalizers', 'create,delete,list,patch,watch||pods', events],
  'resource-claim-controller': [`${read}||pods`, 'update||pods/finalizers', 'create,delete,get,list,watch|resource.k8s.io|resourceclaims', 'patch,update|resource.k8s.io|resourceclaims,resourceclaims/status', 'patch,update||pods/status', events],
  'resourcequota-controller': ['list,watch|*|*', 'update||resourcequotas/status', events],
  'root-ca-cert-publisher': ['create,update||configmaps', events],
  'route-controller': ['list,watch||nodes', 'patch||nodes/status', events],
  'selinux-warning-controller': [`${read}||persistentvolumeclaims,persistentvolumes,pods`, `${read}|storage.k8s.io|csidrivers`, events],
  'service-account-controller': ['create||serviceaccounts', events],
  'service-cidrs-controller': ['get,list,patch,update,watch|networking.k8s.io|servicecidrs', 'patch,update|networking.k8s.io|servicecidrs/finalizers', 'patch,update|networking.k8s.io|servicecidrs/status', `${read}|networking.k8s.io|ipaddresses`, events],
  'service-controller': [`${read}||services`, 'patch,update||services/status', 'list,watch||nodes', events],
  'statefulset-controller': ['list,watch||pods', `${read}|apps|statefulsets`, 'update|apps|statefulsets/status', 'update|apps|statefulsets/finalizers', 'create,delete,get,patch,update||pods', 'create,delete,get,list,patch,update,watch|apps|controllerrevisions', 'create,get,list,watch||persistentvolumeclaims', events, 'delete,update||persistentvolumeclaims', 'update||pods/finalizers'],
  'ttl-after-finished-controller': ['delete,get,list,watch|batch|jobs', events],
  'ttl-controller': ['list,patch,update,watch||nodes', events],
  'validatingadmissionpolicy-status-controller': [`${read}|admissionregistration.k8s.io|validatingadmissionpolicies`, 'get,patch,update|admissionregistration.k8s.io|validatingadmissionpolicies/status', events],
  'volumeattributesclass-protection-controller': [`${read}||persistentvolumeclaims`, `${read}||persistentvolumes`, 'get,list,update,watch|storage.k8s.io|volumeattributesclasses', events],
};

/** ClusterRoleBindings of the bootstrap policy: the role of the same name, to these subjects. */
const clusterRoleBindings: Record<string, string[]> = {
  'cluster-admin': ['Group:system:masters'],
  'system:basic-user': ['Group:system:authenticated'],
  'system:discovery': ['Group:system:authenticated'],
  'system:kube-controller-manager': ['User:system:kube-controller-manager'],
  'system:kube-dns': ['ServiceAccount:kube-system/kube-dns'],
  'system:kube-scheduler': ['User:system:kube-scheduler'],
  'system:monitoring': ['Group:system:monitoring'],
  // Deprecated since the Node authorizer: kept, with no subjects, so reconciliation can tighten it.
  'system:node': [],
  'system:node-proxier': ['User:system:kube-proxy'],
  'system:public-info-viewer': ['Group:system:authenticated', 'Group:system:unauthenticated'],
  'system:service-account-issuer-discovery': ['Group:system:serviceaccounts'],
  'system:volume-scheduler': ['User:system:kube-scheduler'],
};

/** Roles (and their RoleBindings of the same name) in kube-system and kube-public. */
const namespaceRoles: Array<{ namespace: string; name: string; rules: string[]; binding?: string; subjects: string[] }> = [
  { namespace: 'kube-public', name: 'system:controller:bootstrap-signer', rules: [`${read}||configmaps`, 'update||configmaps|cluster-info', events], subjects: ['ServiceAccount:kube-system/bootstrap-signer'] },
  { namespace: 'kube-system', name: 'extension-apiserver-authentication-reader', binding: 'system::extension-apiserver-authentication-reader', rules: [`${read}||configmaps|extension-apiserver-authentication`], subjects: ['User:system:kube-controller-manager', 'User:system:kube-scheduler'] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-controller-manager', rules: ['create,get,list,update,watch|coordination.k8s.io|leases', 'create,get,list,update,watch|coordination.k8s.io|leasecandidates'], subjects: ['User:system:kube-controller-manager', 'ServiceAccount:kube-system/kube-controller-manager', 'ServiceAccount:kube-system/leader-election-controller'] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', rules: ['create,get,list,update,watch|coordination.k8s.io|leases', 'create,get,list,update,watch|coordination.k8s.io|leasecandidates'], subjects: ['User:system:kube-scheduler', 'ServiceAccount:kube-system/kube-scheduler'] },
  { namespace: 'kube-system', name: 'system:controller:bootstrap-signer', rules: [`${read}||secrets`], subjects: ['ServiceAccount:kube-system/bootstrap-signer'] },
  { namespace: 'kube-system', name: 'system:controller:cloud-provider', rules: ['create,get,list,watch||configmaps'], subjects: ['ServiceAccount:kube-system/cloud-provider'] },
  { namespace: 'kube-system', name: 'system:controller:token-cleaner', rules: ['delete,get,list,watch||secrets', events], subjects: ['ServiceAccount:kube-system/token-cleaner'] },
];

// ---------------------------------------------------------------- kubeadm's own (no labels, no annotations)

const bootstrapTokens = 'Group:system:bootstrappers:kubeadm:default-node-token';

const kubeadmClusterRoles: Record<string, string[]> = {
  'kubeadm:get-nodes': ['get||nodes'],
  'system:coredns': ['list,watch||endpoints,services,pods,namespaces', 'list,watch|discovery.k8s.io|endpointslices'],
};

const kubeadmClusterRoleBindings: Record<string, { role: string; subjects: string[] }> = {
  'kubeadm:cluster-admins': { role: 'cluster-admin', subjects: ['Group:kubeadm:cluster-admins'] },
  'kubeadm:get-nodes': { role: 'kubeadm:get-nodes', subjects: [bootstrapTokens] },
  'kubeadm:kubelet-bootstrap': { role: 'system:node-bootstrapper', subjects: [bootstrapTokens] },
  'kubeadm:node-autoapprove-bootstrap': { role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', subjects: [bootstrapTokens] },
  'kubeadm:node-autoapprove-certificate-rotation': { role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', subjects: ['Group:system:nodes'] },
  'kubeadm:node-proxier': { role: 'system:node-proxier', subjects: ['ServiceAccount:kube-system/kube-proxy'] },
  'system:coredns': { role: 'system:coredns', subjects: ['ServiceAccount:kube-system/coredns'] },
};

const kubeadmRoles: Array<{ namespace: string; name: string; rules: string[]; subjects: string[] }> = [
  { namespace: 'kube-public', name: 'kubeadm:bootstrap-signer-clusterinfo', rules: ['get||configmaps|cluster-info'], subjects: ['User:system:anonymous'] },
  { namespace: 'kube-system', name: 'kube-proxy', rules: ['get||configmaps|kube-proxy'], subjects: [bootstrapTokens] },
  { namespace: 'kube-system', name: 'kubeadm:kubelet-config', rules: ['get||configmaps|kubelet-config'], subjects: ['Group:system:nodes', bootstrapTokens] },
  { namespace: 'kube-system', name: 'kubeadm:nodes-kubeadm-config', rules: ['get||configmaps|kubeadm-config'], subjects: [bootstrapTokens, 'Group:system:nodes'] },
];

// ---------------------------------------------------------------- expansion into API objects

const rbacGroup = 'rbac.authorization.k8s.io';
const defaults = { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };
const split = (s: string | undefined) => (s === undefined ? [] : s.split(','));

function rule(text: string): PolicyRule {
  const [verbs, a, b, names] = text.split('|');
  if (b === undefined) return { verbs: split(verbs), nonResourceURLs: split(a) };
  return { verbs: split(verbs), apiGroups: split(a), resources: split(b), ...(names ? { resourceNames: split(names) } : {}) };
}

function subject(text: string): Subject {
  const at = text.indexOf(':');
  const kind = text.slice(0, at), name = text.slice(at + 1);
  if (kind !== 'ServiceAccount') return { kind, apiGroup: rbacGroup, name };
  const [namespace, sa] = name.split('/');
  return { kind, name: sa, namespace };
}

/** An object in one of the four RBAC kinds; `plural` says which. */
export interface PolicyObject { plural: 'clusterroles' | 'clusterrolebindings' | 'roles' | 'rolebindings'; namespace?: string; object: KubeObject }

const meta = (name: string, system: boolean, namespace?: string, labels?: Record<string, string>) => ({
  name, ...(namespace ? { namespace } : {}),
  ...(system ? { labels: { ...defaults.labels, ...labels }, annotations: { ...defaults.annotations } } : {}),
});

const binding = (kind: 'ClusterRole' | 'Role', role: string, subjects: string[]) => ({
  roleRef: { apiGroup: rbacGroup, kind, name: role }, ...(subjects.length ? { subjects: subjects.map(subject) } : {}),
});

function build(): PolicyObject[] {
  const roles: Role[] = [];
  for (const [name, spec] of Object.entries(clusterRoles)) {
    if (Array.isArray(spec)) { roles.push({ metadata: meta(name, true), rules: spec.map(rule) }); continue; }
    const label = spec.label ? { [`rbac.authorization.k8s.io/aggregate-to-${spec.label}`]: 'true' } : undefined;
    roles.push({ metadata: meta(name, true, undefined, label), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${spec.aggregate}`]: 'true' } }] }, rules: [] });
  }
  for (const name of ['admin', 'edit', 'view']) roles.find((r) => r.metadata.name === `system:aggregate-to-${name}`)!.metadata.labels![`rbac.authorization.k8s.io/aggregate-to-${name}`] = 'true';
  for (const [name, rules] of Object.entries(controllerRoles)) roles.push({ metadata: meta(`system:controller:${name}`, true), rules: rules.map(rule) });
  for (const [name, rules] of Object.entries(kubeadmClusterRoles)) roles.push({ metadata: meta(name, false), rules: rules.map(rule) });
  // Written already aggregated, as the controller would leave them: no pass is needed for a new cluster.
  aggregateAll(roles);
  const out: PolicyObject[] = roles.map((object) => ({ plural: 'clusterroles', object }));
  const crb = (name: string, role: string, subjects: string[], system: boolean) => out.push({ plural: 'clusterrolebindings', object: { metadata: meta(name, system), ...binding('ClusterRole', role, subjects) } as KubeObject });
  for (const [name, subjects] of Object.entries(clusterRoleBindings)) crb(name, name, subjects, true);
  for (const name of Object.keys(controllerRoles)) crb(`system:controller:${name}`, `system:controller:${name}`, [`ServiceAccount:kube-system/${name}`], true);
  for (const [name, b] of Object.entries(kubeadmClusterRoleBindings)) crb(name, b.role, b.subjects, false);
  const system = namespaceRoles.map((r) => ({ ...r, system: true }));
  for (const r of [...system, ...kubeadmRoles.map((k) => ({ ...k, system: false, binding: undefined }))]) {
    out.push({ plural: 'roles', namespace: r.namespace, object: { metadata: meta(r.name, r.system, r.namespace), rules: r.rules.map(rule) } as KubeObject });
    out.push({ plural: 'rolebindings', namespace: r.namespace, object: { metadata: meta(r.binding ?? r.name, r.system, r.namespace), ...binding('Role', r.name, r.subjects) } as KubeObject });
  }
  return out;
}

let built: PolicyObject[] | undefined;
/** Every RBAC object of a new cluster (built once per process; callers must not mutate them). */
export const bootstrapPolicy = (): PolicyObject[] => (built ??= build());

let base: { objects: number; bytes: number } | undefined;
/**
 * What the policy takes of a cluster's storage budget, allowed on top of the student's own
 * (tenancy/budgets.ts): generous by design (200 bytes an object for uid, timestamps and the
 * fields the registry adds), so the student's own budget never pays for it.
 */
export function bootstrapPolicyFootprint(cluster: string): { objects: number; bytes: number } {
  base ??= bootstrapPolicy().reduce((sum, { plural, namespace, object }) => ({
    objects: sum.objects + 1,
    bytes: sum.bytes + `/registry//${rbacGroup}/${plural}/${namespace ? `${namespace}/` : ''}${object.metadata.name}`.length + JSON.stringify(object).length + 200,
  }), { objects: 0, bytes: 0 });
  return { objects: base.objects, bytes: base.bytes + base.objects * new TextEncoder().encode(cluster).length };
}

/**
 * Writes the policy into a new cluster through `registry`, skipping what exists (safe to run
 * again). The caller hands a registry whose queue discards: nothing acts on these objects,
 * and some 200 change events per new cluster would only load the queue.
 */
export async function writeBootstrapPolicy(registry: Registry): Promise<void> {
  await createEach(registry, bootstrapPolicy().map(({ plural, namespace, object }) => ({ def: registry.catalog.find(rbacGroup, 'v1', plural)!, namespace, object })));
}
