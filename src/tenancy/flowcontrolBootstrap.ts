import type { KubeObject } from '../registry/types.ts';

/**
 * kube-apiserver's API Priority and Fairness bootstrap configuration
 * (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go: the mandatory and suggested
 * PriorityLevelConfigurations and FlowSchemas, as its config-producer ensures them), as data.
 */

const autoUpdate = { 'apf.kubernetes.io/autoupdate-spec': 'true' };

type Subject = { kind: 'Group'; group: { name: string } } | { kind: 'User'; user: { name: string } } | { kind: 'ServiceAccount'; serviceAccount: { namespace: string; name: string } };
const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));

const everyResource = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }];
const everyNonResource = [{ verbs: ['*'], nonResourceURLs: ['*'] }];
const everything = (subjects: Subject[]) => ({ subjects, resourceRules: everyResource, nonResourceRules: everyNonResource });
const leaderElection = (coreNamespaces: string[], coreResources: string[]) => [
  ...(coreResources.length ? [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: coreResources, namespaces: coreNamespaces }] : []),
  { verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
];

function flowSchema(name: string, priorityLevel: string, matchingPrecedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, ...rules: object[]): KubeObject {
  return {
    metadata: { name, annotations: autoUpdate },
    spec: { priorityLevelConfiguration: { name: priorityLevel }, matchingPrecedence, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}), rules },
  };
}

function limited(name: string, nominalConcurrencyShares: number, lendablePercent: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }): KubeObject {
  return {
    metadata: { name, annotations: autoUpdate },
    spec: { type: 'Limited', limited: { nominalConcurrencyShares, limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' }, lendablePercent } },
  };
}

export const bootstrapPriorityLevels: KubeObject[] = [
  { metadata: { name: 'exempt', annotations: autoUpdate }, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  limited('catch-all', 5, 0),
  limited('system', 30, 33, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  limited('node-high', 40, 25, { queues: 64, handSize: 6, queueLengthLimit: 50 }),
  limited('leader-election', 10, 0, { queues: 16, handSize: 4, queueLengthLimit: 50 }),
  limited('workload-high', 40, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  limited('workload-low', 100, 90, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
  limited('global-default', 20, 50, { queues: 128, handSize: 6, queueLengthLimit: 50 }),
];

export const bootstrapFlowSchemas: KubeObject[] = [
  flowSchema('exempt', 'exempt', 1, undefined, everything(groups('system:masters'))),
  flowSchema('probes', 'exempt', 2, undefined, { subjects: groups('system:unauthenticated', 'system:authenticated'), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users('system:kube-controller-manager', 'system:kube-scheduler'), ...kubeSystemServiceAccounts('*')], resourceRules: leaderElection([], []),
  }),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users('system:kube-controller-manager'), ...kubeSystemServiceAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: ['*'] }],
  }),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', { subjects: kubeSystemServiceAccounts('*'), resourceRules: leaderElection(['*'], ['endpoints', 'configmaps']) }),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [
      { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true, namespaces: ['*'] },
      { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
    ],
  }),
  flowSchema('system-nodes', 'system', 500, 'ByUser', everything(groups('system:nodes'))),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(users('system:kube-controller-manager'))),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(users('system:kube-scheduler'))),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', everything(kubeSystemServiceAccounts('*'))),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', everything(groups('system:serviceaccounts'))),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', everything(groups('system:unauthenticated', 'system:authenticated'))),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', everything(groups('system:unauthenticated', 'system:authenticated'))),
];
