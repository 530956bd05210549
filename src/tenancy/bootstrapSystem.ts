import { timestamp } from '../apimachinery/time.ts';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject } from '../registry/types.ts';
import { createEach } from './createEach.ts';
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from './flowcontrolBootstrap.ts';

/**
 * What kube-apiserver keeps about itself, written once per cluster: an APIService per served
 * group-version (the autoregistration controller's), the API Priority and Fairness bootstrap
 * configuration, a CSINode per node (each kubelet registers one), the ComponentStatuses
 * `kubectl get cs` reads, and the default StorageClass a local-path provisioner installs
 * (as kind's `standard`: the PV controller provisions its claims on the first consumer's node). Idempotent.
 */

/** kube-apiserver's apiVersionPriorities (cmd/kube-apiserver/app/aggregator.go): [group, version] priority per served group-version. */
const apiServicePriorities: Record<string, [number, number]> = {
  'v1': [18000, 1], 'apps/v1': [17800, 15], 'events.k8s.io/v1': [17750, 15], 'authentication.k8s.io/v1': [17700, 15],
  'authorization.k8s.io/v1': [17600, 15], 'autoscaling/v1': [17500, 15], 'autoscaling/v2': [17500, 30], 'batch/v1': [17400, 15],
  'certificates.k8s.io/v1': [17300, 15], 'networking.k8s.io/v1': [17200, 15], 'policy/v1': [17100, 15], 'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15], 'apiextensions.k8s.io/v1': [16700, 15], 'admissionregistration.k8s.io/v1': [16700, 15],
  'scheduling.k8s.io/v1': [16600, 15], 'coordination.k8s.io/v1': [16500, 15], 'node.k8s.io/v1': [16300, 15], 'discovery.k8s.io/v1': [16200, 15],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21], 'resource.k8s.io/v1': [15900, 15],
};

/**
 * Group-versions an extension API server serves through an APIService naming its Service:
 * metrics-server's, registered as its manifest (components.yaml) registers it. This server
 * answers for it itself (registry/resources/metrics.ts); nothing is proxied.
 */
const aggregatedApiServices: Record<string, { service: { namespace: string; name: string; port: number }; priority: [number, number] }> = {
  'metrics.k8s.io/v1beta1': { service: { namespace: 'kube-system', name: 'metrics-server', port: 443 }, priority: [100, 100] },
};

export function apiServicesFor(registry: Registry, now: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const { group, version } of registry.catalog.groupVersions) {
    const aggregated = aggregatedApiServices[`${group}/${version}`];
    if (aggregated) {
      out.push({
        metadata: { name: `${version}.${group}`, labels: { 'k8s-app': aggregated.service.name } },
        spec: { service: aggregated.service, group, version, insecureSkipTLSVerify: true, groupPriorityMinimum: aggregated.priority[0], versionPriority: aggregated.priority[1] },
        status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: now, reason: 'Passed', message: 'all checks passed' }] },
      });
      continue;
    }
    const priority = apiServicePriorities[group ? `${group}/${version}` : version];
    // As makeAPIService: a group-version without a known priority gets no APIService (the aggregator's own group among them).
    if (!priority) continue;
    out.push({
      metadata: { name: `${version}.${group}` },
      spec: { group, version, groupPriorityMinimum: priority[0], versionPriority: priority[1] },
      status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: now, reason: 'Local', message: 'Local APIServices are always available' }] },
    });
  }
  return out;
}

const componentStatuses = (): KubeObject[] => ['controller-manager', 'etcd-0', 'scheduler'].map((name) => ({
  metadata: { name }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }],
}));

const standardStorageClass: KubeObject = {
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
} as KubeObject;

/** kube-apiserver's default ServiceCIDR, from --service-cluster-ip-range, Ready as its controller reports it. */
const defaultServiceCIDR = (now: string): KubeObject => ({
  metadata: { name: 'kubernetes' },
  spec: { cidrs: ['10.96.0.0/12'] },
  status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now, reason: '', message: 'Kubernetes Service CIDR is ready' }] },
}) as KubeObject;

/** The Dangling condition the flow-control configuration controller keeps on each FlowSchema. */
function withDangling(fs: KubeObject, now: string): KubeObject {
  const level = (fs.spec as { priorityLevelConfiguration: { name: string } }).priorityLevelConfiguration.name;
  return { ...fs, status: { conditions: [{ type: 'Dangling', status: 'False', lastTransitionTime: now, reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${level}" and it exists` }] } };
}

export async function writeSystemObjects(registry: Registry): Promise<void> {
  const now = timestamp(registry.now());
  const find = (group: string, plural: string) => registry.catalog.find(group, 'v1', plural);
  const nodes = find('', 'nodes');
  const csiNodes = (nodes ? (await registry.list(nodes, undefined)).items : []).map((node) => ({
    metadata: { name: node.metadata.name, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! }] },
    spec: { drivers: null },
  }) as KubeObject);
  const objects: Array<[group: string, plural: string, objects: KubeObject[]]> = [
    ['apiregistration.k8s.io', 'apiservices', apiServicesFor(registry, now)],
    ['flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations', bootstrapPriorityLevels],
    ['flowcontrol.apiserver.k8s.io', 'flowschemas', bootstrapFlowSchemas.map((fs) => withDangling(fs, now))],
    ['', 'componentstatuses', componentStatuses()],
    ['storage.k8s.io', 'csinodes', csiNodes],
    ['storage.k8s.io', 'storageclasses', [standardStorageClass]],
    ['networking.k8s.io', 'servicecidrs', [defaultServiceCIDR(now)]],
  ];
  // Created with the status their controllers would write at once: these kinds' create keeps a status.
  await createEach(registry, objects.flatMap(([group, plural, list]) => {
    const def = find(group, plural);
    return def ? list.map((object) => ({ def, object: structuredClone(object) })) : [];
  }));
}
