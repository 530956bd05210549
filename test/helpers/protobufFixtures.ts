import { execFileSync } from 'node:child_process';

/**
 * One small valid object of every built-in kind a client can create, for the protobuf round
 * trip (test/protobuf-kinds.test.ts). Subresource kinds say where they are POSTed.
 */

export interface Fixture { path: string; method?: 'POST' | 'PUT'; body: Record<string, unknown>; name?: string }

const meta = (name: string, namespace?: string) => ({ metadata: { name, ...(namespace ? { namespace } : {}), labels: { fixture: 'protobuf' } } });
const ns = (name: string) => meta(name, 'default');
const podSpec = { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
const template = { metadata: { labels: { app: 'pb' } }, spec: podSpec };
const selector = { matchLabels: { app: 'pb' } };
const jobTemplate = { metadata: {}, spec: { containers: [{ name: 'job', image: 'busybox', command: ['echo', 'hi'] }], restartPolicy: 'Never' } };
const csrPem = () => Buffer.from(execFileSync('/usr/bin/openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=pb-user'], { stdio: ['ignore', 'pipe', 'ignore'] })).toString('base64');
const rules = [{ operations: ['CREATE'], apiGroups: ['pb.example.com'], apiVersions: ['v1'], resources: ['things'] }];
const webhook = (name: string) => ({ name, clientConfig: { url: 'https://example.com/hook' }, rules, sideEffects: 'None', admissionReviewVersions: ['v1'] });

const at = (apiVersion: string, kind: string, path: string, body: Record<string, unknown>): Fixture => ({ path, body: { apiVersion, kind, ...body } });
const core = '/api/v1';
const group = (g: string) => `/apis/${g}`;

export function fixtures(): Fixture[] {
  return [
    at('v1', 'Namespace', `${core}/namespaces`, meta('pb-ns')),
    at('v1', 'ConfigMap', `${core}/namespaces/default/configmaps`, { ...ns('pb-cm'), data: { a: 'b', empty: '' }, binaryData: { bin: 'AP+A' } }),
    at('v1', 'Secret', `${core}/namespaces/default/secrets`, { ...ns('pb-secret'), type: 'Opaque', data: { p: 'cQ==' } }),
    at('v1', 'ServiceAccount', `${core}/namespaces/default/serviceaccounts`, ns('pb-sa')),
    at('v1', 'Service', `${core}/namespaces/default/services`, { ...ns('pb-svc'), spec: { selector: { app: 'pb' }, ports: [{ port: 80, targetPort: 'http', name: 'web' }, { port: 81, targetPort: 8081, name: 'alt' }] } }),
    at('v1', 'Endpoints', `${core}/namespaces/default/endpoints`, { ...ns('pb-ep'), subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 80 }] }] }),
    at('v1', 'Pod', `${core}/namespaces/default/pods`, { ...ns('pb-pod'), spec: { ...podSpec, schedulerName: 'nobody', terminationGracePeriodSeconds: 0, securityContext: { runAsNonRoot: false, supplementalGroups: [1, 2] } } }),
    at('v1', 'PodTemplate', `${core}/namespaces/default/podtemplates`, { ...ns('pb-tpl'), template }),
    at('v1', 'ReplicationController', `${core}/namespaces/default/replicationcontrollers`, { ...ns('pb-rc'), spec: { replicas: 0, selector: { app: 'pb' }, template } }),
    at('v1', 'LimitRange', `${core}/namespaces/default/limitranges`, { ...ns('pb-lr'), spec: { limits: [{ type: 'Container', max: { cpu: '4' } }] } }),
    at('v1', 'ResourceQuota', `${core}/namespaces/default/resourcequotas`, { ...ns('pb-quota'), spec: { hard: { pods: '100', 'requests.cpu': '1500m' } } }),
    at('v1', 'Event', `${core}/namespaces/default/events`, {
      ...ns('pb-event'), involvedObject: { kind: 'Pod', name: 'pb-pod', namespace: 'default' }, reason: 'Tested', message: 'protobuf', type: 'Normal',
      source: { component: 'pb' }, count: 1, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z', reportingComponent: 'pb',
    }),
    at('v1', 'Node', `${core}/nodes`, { ...meta('pb-node'), spec: { taints: [{ key: 'pb', value: 'x', effect: 'NoSchedule' }] } }),
    at('v1', 'PersistentVolume', `${core}/persistentvolumes`, { ...meta('pb-pv'), spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/pb' }, storageClassName: 'manual' } }),
    at('v1', 'PersistentVolumeClaim', `${core}/namespaces/default/persistentvolumeclaims`, { ...ns('pb-pvc'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual' } }),
    at('apps/v1', 'Deployment', `${group('apps/v1')}/namespaces/default/deployments`, { ...ns('pb-deploy'), spec: { replicas: 0, selector, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } }),
    at('apps/v1', 'ReplicaSet', `${group('apps/v1')}/namespaces/default/replicasets`, { ...ns('pb-rs'), spec: { replicas: 0, selector: { matchLabels: { app: 'pb-rs' } }, template: { ...template, metadata: { labels: { app: 'pb-rs' } } } } }),
    at('apps/v1', 'StatefulSet', `${group('apps/v1')}/namespaces/default/statefulsets`, { ...ns('pb-sts'), spec: { replicas: 0, serviceName: 'pb', selector: { matchLabels: { app: 'pb-sts' } }, template: { ...template, metadata: { labels: { app: 'pb-sts' } } } } }),
    at('apps/v1', 'DaemonSet', `${group('apps/v1')}/namespaces/default/daemonsets`, { ...ns('pb-ds'), spec: { selector: { matchLabels: { app: 'pb-ds' } }, template: { ...template, metadata: { labels: { app: 'pb-ds' } }, spec: { ...podSpec, nodeSelector: { none: 'none' } } } } }),
    at('apps/v1', 'ControllerRevision', `${group('apps/v1')}/namespaces/default/controllerrevisions`, { ...ns('pb-rev'), revision: 3, data: { spec: { template: { metadata: { labels: { a: 'b' } } } } } }),
    at('batch/v1', 'Job', `${group('batch/v1')}/namespaces/default/jobs`, { ...ns('pb-job'), spec: { suspend: true, backoffLimit: 0, template: jobTemplate } }),
    at('batch/v1', 'CronJob', `${group('batch/v1')}/namespaces/default/cronjobs`, { ...ns('pb-cron'), spec: { schedule: '*/5 * * * *', suspend: true, jobTemplate: { spec: { template: jobTemplate } } } }),
    at('autoscaling/v1', 'HorizontalPodAutoscaler', `${group('autoscaling/v1')}/namespaces/default/horizontalpodautoscalers`, { ...ns('pb-hpa1'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'pb-deploy' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } }),
    at('autoscaling/v2', 'HorizontalPodAutoscaler', `${group('autoscaling/v2')}/namespaces/default/horizontalpodautoscalers`, {
      ...ns('pb-hpa2'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'pb-deploy' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
    }),
    at('policy/v1', 'PodDisruptionBudget', `${group('policy/v1')}/namespaces/default/poddisruptionbudgets`, { ...ns('pb-pdb'), spec: { selector, minAvailable: '50%' } }),
    at('rbac.authorization.k8s.io/v1', 'Role', `${group('rbac.authorization.k8s.io/v1')}/namespaces/default/roles`, { ...ns('pb-role'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
    at('rbac.authorization.k8s.io/v1', 'RoleBinding', `${group('rbac.authorization.k8s.io/v1')}/namespaces/default/rolebindings`, { ...ns('pb-rb'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pb-role' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'pb' }] }),
    at('rbac.authorization.k8s.io/v1', 'ClusterRole', `${group('rbac.authorization.k8s.io/v1')}/clusterroles`, { ...meta('pb-cr'), rules: [{ nonResourceURLs: ['/pb'], verbs: ['get'] }] }),
    at('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', `${group('rbac.authorization.k8s.io/v1')}/clusterrolebindings`, { ...meta('pb-crb'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pb-cr' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'pb' }] }),
    at('networking.k8s.io/v1', 'Ingress', `${group('networking.k8s.io/v1')}/namespaces/default/ingresses`, { ...ns('pb-ing'), spec: { rules: [{ host: 'pb.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'pb-svc', port: { number: 80 } } } }] } }] } }),
    at('networking.k8s.io/v1', 'IngressClass', `${group('networking.k8s.io/v1')}/ingressclasses`, { ...meta('pb-class'), spec: { controller: 'example.com/pb' } }),
    at('networking.k8s.io/v1', 'NetworkPolicy', `${group('networking.k8s.io/v1')}/namespaces/default/networkpolicies`, { ...ns('pb-np'), spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] } }),
    at('networking.k8s.io/v1', 'IPAddress', `${group('networking.k8s.io/v1')}/ipaddresses`, { ...meta('10.96.100.9'), spec: { parentRef: { resource: 'services', namespace: 'default', name: 'pb-svc' } } }),
    at('networking.k8s.io/v1', 'ServiceCIDR', `${group('networking.k8s.io/v1')}/servicecidrs`, { ...meta('pb-cidr'), spec: { cidrs: ['10.200.0.0/16'] } }),
    at('discovery.k8s.io/v1', 'EndpointSlice', `${group('discovery.k8s.io/v1')}/namespaces/default/endpointslices`, { ...ns('pb-slice'), addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true } }], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }),
    at('events.k8s.io/v1', 'Event', `${group('events.k8s.io/v1')}/namespaces/default/events`, {
      ...ns('pb-event2'), eventTime: '2026-01-01T00:00:00.123456Z', reportingController: 'example.com/pb', reportingInstance: 'pb-1', action: 'Test', reason: 'Tested', type: 'Normal', note: 'n', regarding: { kind: 'Pod', name: 'pb-pod', namespace: 'default' },
    }),
    at('coordination.k8s.io/v1', 'Lease', `${group('coordination.k8s.io/v1')}/namespaces/default/leases`, { ...ns('pb-lease'), spec: { holderIdentity: 'pb', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z' } }),
    at('scheduling.k8s.io/v1', 'PriorityClass', `${group('scheduling.k8s.io/v1')}/priorityclasses`, { ...meta('pb-prio'), value: 0, description: 'zero' }),
    at('node.k8s.io/v1', 'RuntimeClass', `${group('node.k8s.io/v1')}/runtimeclasses`, { ...meta('pb-rt'), handler: 'pb' }),
    at('storage.k8s.io/v1', 'StorageClass', `${group('storage.k8s.io/v1')}/storageclasses`, { ...meta('pb-sc'), provisioner: 'example.com/pb', reclaimPolicy: 'Retain', parameters: { a: 'b' } }),
    at('storage.k8s.io/v1', 'CSIDriver', `${group('storage.k8s.io/v1')}/csidrivers`, { ...meta('pb.csi.example.com'), spec: { attachRequired: false, podInfoOnMount: true } }),
    at('storage.k8s.io/v1', 'CSINode', `${group('storage.k8s.io/v1')}/csinodes`, { ...meta('pb-node'), spec: { drivers: [{ name: 'pb.csi.example.com', nodeID: 'pb-node' }] } }),
    at('storage.k8s.io/v1', 'CSIStorageCapacity', `${group('storage.k8s.io/v1')}/namespaces/default/csistoragecapacities`, { ...ns('pb-cap'), storageClassName: 'standard', capacity: '10Gi' }),
    at('storage.k8s.io/v1', 'VolumeAttachment', `${group('storage.k8s.io/v1')}/volumeattachments`, { ...meta('pb-va'), spec: { attacher: 'pb.csi.example.com', nodeName: 'node01', source: { persistentVolumeName: 'pb-pv' } } }),
    at('storage.k8s.io/v1', 'VolumeAttributesClass', `${group('storage.k8s.io/v1')}/volumeattributesclasses`, { ...meta('pb-vac'), driverName: 'pb.csi.example.com', parameters: { iops: '3000' } }),
    at('resource.k8s.io/v1', 'DeviceClass', `${group('resource.k8s.io/v1')}/deviceclasses`, { ...meta('pb.example.com'), spec: { selectors: [{ cel: { expression: 'device.driver == "pb.example.com"' } }] } }),
    at('resource.k8s.io/v1', 'ResourceClaim', `${group('resource.k8s.io/v1')}/namespaces/default/resourceclaims`, { ...ns('pb-claim'), spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'pb.example.com' } }] } } }),
    at('resource.k8s.io/v1', 'ResourceClaimTemplate', `${group('resource.k8s.io/v1')}/namespaces/default/resourceclaimtemplates`, { ...ns('pb-claimtpl'), spec: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'pb.example.com' } }] } } } }),
    at('resource.k8s.io/v1', 'ResourceSlice', `${group('resource.k8s.io/v1')}/resourceslices`, { ...meta('pb-slice'), spec: { driver: 'pb.example.com', nodeName: 'node01', pool: { name: 'node01', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0' }] } }),
    at('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration', `${group('flowcontrol.apiserver.k8s.io/v1')}/prioritylevelconfigurations`, { ...meta('pb-plc'), spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' } } } }),
    at('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', `${group('flowcontrol.apiserver.k8s.io/v1')}/flowschemas`, { ...meta('pb-fs'), spec: { priorityLevelConfiguration: { name: 'pb-plc' }, matchingPrecedence: 9000, rules: [{ subjects: [{ kind: 'Group', group: { name: 'pb' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['/pb'] }] }] } }),
    at('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', `${group('admissionregistration.k8s.io/v1')}/validatingwebhookconfigurations`, { ...meta('pb-vwc'), webhooks: [webhook('v.pb.example.com')] }),
    at('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', `${group('admissionregistration.k8s.io/v1')}/mutatingwebhookconfigurations`, { ...meta('pb-mwc'), webhooks: [webhook('m.pb.example.com')] }),
    at('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', `${group('admissionregistration.k8s.io/v1')}/validatingadmissionpolicies`, { ...meta('pb-vap'), spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: rules }, validations: [{ expression: 'true' }] } }),
    at('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', `${group('admissionregistration.k8s.io/v1')}/validatingadmissionpolicybindings`, { ...meta('pb-vapb'), spec: { policyName: 'pb-vap', validationActions: ['Deny'] } }),
    at('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${group('apiextensions.k8s.io/v1')}/customresourcedefinitions`, {
      ...meta('things.pb.example.com'), spec: {
        group: 'pb.example.com', scope: 'Namespaced', names: { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList' },
        versions: [{
          name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
            type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1, maximum: 10.5, default: 2 }, tags: { type: 'array', items: { type: 'string' } }, extra: { type: 'object', additionalProperties: { type: 'string' } }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
          } },
        }],
      },
    }),
    at('apiregistration.k8s.io/v1', 'APIService', `${group('apiregistration.k8s.io/v1')}/apiservices`, { ...meta('v1.pb.example.com'), spec: { group: 'pb.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15 } }),
    at('certificates.k8s.io/v1', 'CertificateSigningRequest', `${group('certificates.k8s.io/v1')}/certificatesigningrequests`, { ...meta('pb-csr'), spec: { request: csrPem(), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 } }),
    // kinds that are only ever created (reviews) and the kinds of subresources
    at('authentication.k8s.io/v1', 'TokenReview', `${group('authentication.k8s.io/v1')}/tokenreviews`, { metadata: {}, spec: { token: 'not-a-token', audiences: ['pb'] } }),
    at('authentication.k8s.io/v1', 'SelfSubjectReview', `${group('authentication.k8s.io/v1')}/selfsubjectreviews`, { metadata: {} }),
    at('authorization.k8s.io/v1', 'SelfSubjectAccessReview', `${group('authorization.k8s.io/v1')}/selfsubjectaccessreviews`, { metadata: {}, spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } } }),
    at('authorization.k8s.io/v1', 'SelfSubjectRulesReview', `${group('authorization.k8s.io/v1')}/selfsubjectrulesreviews`, { metadata: {}, spec: { namespace: 'default' } }),
    at('authorization.k8s.io/v1', 'SubjectAccessReview', `${group('authorization.k8s.io/v1')}/subjectaccessreviews`, { metadata: {}, spec: { user: 'pb', groups: ['pb'], extra: { scopes: ['a', 'b'] }, nonResourceAttributes: { path: '/pb', verb: 'get' } } }),
    at('authorization.k8s.io/v1', 'LocalSubjectAccessReview', `${group('authorization.k8s.io/v1')}/namespaces/default/localsubjectaccessreviews`, { metadata: { namespace: 'default' }, spec: { user: 'pb', resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } } }),
    { ...at('v1', 'Binding', `${core}/namespaces/default/pods/pb-pod/binding`, { ...ns('pb-pod'), target: { kind: 'Node', name: 'node01' } }), name: 'Binding' },
    { ...at('authentication.k8s.io/v1', 'TokenRequest', `${core}/namespaces/default/serviceaccounts/pb-sa/token`, { metadata: {}, spec: { audiences: ['pb'], expirationSeconds: 3600 } }), name: 'TokenRequest' },
    { ...at('autoscaling/v1', 'Scale', `${group('apps/v1')}/namespaces/default/deployments/pb-deploy/scale`, { metadata: { name: 'pb-deploy', namespace: 'default' }, spec: { replicas: 0 } }), method: 'PUT', name: 'Scale' },
  ];
}
