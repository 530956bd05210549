import { kubernetesVersion } from '../apimachinery/version.ts';
import { createUnlessExists } from './createEach.ts';
import type { Registry } from '../registry/generic.ts';
import { systemNamespaces } from '../registry/resources/namespaces.ts';
import { priorityclasses, systemPriorityClassDescriptions, systemPriorityClasses } from '../registry/resources/scheduling.ts';
import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import type { KubeObject, ResourceDef } from '../registry/types.ts';
import { daemonPod, daemonSetHash, daemonSetStatus, revisionHashLabel } from '../controlplane/controllers/daemonset.ts';
import { deploymentStatus, newReplicaSetObject, revisionAnnotation } from '../controlplane/controllers/deployment.ts';
import { revisionObject } from '../controlplane/controllers/history.ts';
import type { Workload } from '../controlplane/controllers/objects.ts';
import { replicaSetStatus } from '../controlplane/controllers/replicaset.ts';
import { podFromTemplate } from '../controlplane/controllers/template.ts';
import { ControllerPass, noObjects } from '../controlplane/controllers/context.ts';
import { syncEndpoints } from '../controlplane/controllers/endpoints.ts';
import { syncEndpointSlices } from '../controlplane/controllers/endpointslices.ts';
import type { Endpoints, EndpointSlice, Service } from '../controlplane/controllers/serviceObjects.ts';
import { kubeadmCorefile } from '../runtime/dns.ts';
import { hex64, imageInfo } from '../runtime/images.ts';
import { nodeIP } from '../controlplane/kubelet.ts';
import { hash64 } from '../apimachinery/hash.ts';
import { microTimestamp, timestamp } from '../apimachinery/time.ts';
import { nodeLeaseNamespace } from '../registry/resources/coordination.ts';
import { configHash, manifestText, mirrorPod, staticPodManifests } from '../runtime/staticPods.ts';
import { kubeletConditions } from '../controlplane/nodeLifecycle.ts';

/** What a fresh cluster looks like: a kubeadm cluster's nodes, namespaces and services. */
export interface ClusterShape {
  /** Node names; the first is the control plane. */
  nodes: string[];
  version: string;
  /** The cluster CA's certificate (PEM), published in every kube-root-ca.crt ConfigMap. */
  caCertificate?: string;
}

const defaultShape: ClusterShape = { nodes: ['controlplane', 'node01'], version: kubernetesVersion };

/** The InternalIP of the index-th node (the first is the control plane, where the API server listens). */
const nodeIPAt = (index: number) => `192.168.0.${10 + index}`;

/** A kubeadm-provisioned node as the kubelet would register it. */
function nodeObject(name: string, index: number, controlPlane: boolean, version: string): KubeObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
  };
  if (controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const resources = { cpu: '2', 'ephemeral-storage': '50620216Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '4015360Ki', pods: '110' };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type, status, lastHeartbeatTime: '', lastTransitionTime: '', reason, message,
  });
  const ip = nodeIPAt(index);
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name, labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`],
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      capacity: resources, allocatable: { ...resources, 'ephemeral-storage': '46651590989', memory: '3912960Ki' },
      conditions: kubeletConditions.map(([type, status, reason, message]) => condition(type, status, reason, message)),
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64', bootID: crypto.randomUUID(), containerRuntimeVersion: 'containerd://1.7.27', kernelVersion: '6.8.0-1029-gcp',
        kubeProxyVersion: version, kubeletVersion: version, machineID: crypto.randomUUID().replace(/-/g, ''), operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.3 LTS', systemUUID: crypto.randomUUID(),
      },
    },
  };
}

/** Creates what must exist, ignoring what already does: safe to run again. */
export async function bootstrapCluster(registry: Registry, shape: ClusterShape = defaultShape): Promise<void> {
  const catalog = registry.catalog;
  const def = (plural: string) => catalog.find('', 'v1', plural)!;
  const ensureAs = async (resource: ResourceDef, obj: KubeObject, namespace?: string) => { await createUnlessExists(registry, resource, namespace, obj); };
  const ensure = (plural: string, namespace: string | undefined, obj: KubeObject) => ensureAs(def(plural), obj, namespace);
  for (const name of systemNamespaces) await ensure('namespaces', undefined, { metadata: { name } });
  for (const [name, value] of Object.entries(systemPriorityClasses)) {
    await ensureAs(priorityclasses, { metadata: { name }, value, description: systemPriorityClassDescriptions[name], preemptionPolicy: 'PreemptLowerPriority' } as KubeObject);
  }
  for (const [i, name] of shape.nodes.entries()) {
    const node = nodeObject(name, i, i === 0, shape.version);
    const now = timestamp(registry.now());
    for (const c of (node.status as { conditions: Array<Record<string, string>> }).conditions) c.lastHeartbeatTime = c.lastTransitionTime = now;
    await ensure('nodes', undefined, node);
  }
  for (const ns of systemNamespaces) {
    await ensure('serviceaccounts', ns, { metadata: { name: 'default' } });
    await ensure('configmaps', ns, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': shape.caCertificate ?? '-----BEGIN CERTIFICATE-----\n(apiserverless cluster CA)\n-----END CERTIFICATE-----\n' } } as KubeObject);
  }
  await ensure('services', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  } as KubeObject);
  // kubeadm's addons run as their own service accounts (the ServiceAccount admission plugin wants them first).
  for (const name of ['coredns', 'kube-proxy']) await ensure('serviceaccounts', 'kube-system', { metadata: { name } });
  await ensureNodeLeases(registry, shape.nodes);
  await ensureControlPlanePods(registry, shape);
  await ensure('services', 'kube-system', {
    metadata: {
      name: 'kube-dns',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP', clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' },
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }, { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 }],
    },
  } as KubeObject);
  await ensureServiceEndpoints(registry, ensure, nodeIPAt(0));
}

/**
 * Each kubelet's heartbeat Lease in kube-node-lease, owned by its Node. Written once:
 * the renewals are computed when the lease is read (the Lease declaration's decorate).
 */
async function ensureNodeLeases(registry: Registry, nodes: string[]): Promise<void> {
  const nodesDef = registry.catalog.find('', 'v1', 'nodes')!;
  const leasesDef = registry.catalog.find('coordination.k8s.io', 'v1', 'leases')!;
  for (const name of nodes) {
    const node = await registry.get(nodesDef, undefined, name);
    await createUnlessExists(registry, leasesDef, nodeLeaseNamespace, {
      metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTimestamp(registry.now()) },
    });
  }
}

// ---------------------------------------------------------------- endpoints

/**
 * The API server's own endpoints (its reconciler writes them, not a controller: the
 * `kubernetes` service has no selector), then kube-dns's from its CoreDNS pods, written
 * as the controllers would so their first pass finds nothing to do.
 */
async function ensureServiceEndpoints(registry: Registry, ensure: (plural: string, namespace: string | undefined, obj: KubeObject) => Promise<void>, apiserverIP: string): Promise<void> {
  const https = { name: 'https', port: 6443, protocol: 'TCP' };
  await ensure('endpoints', 'default', {
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: apiserverIP }], ports: [https] }],
  } as KubeObject);
  await createUnlessExists(registry, registry.catalog.find('discovery.k8s.io', 'v1', 'endpointslices')!, 'default', {
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4', endpoints: [{ addresses: [apiserverIP], conditions: { ready: true } }], ports: [https],
  } as KubeObject);
  const list = async <T extends KubeObject>(group: string, plural: string, namespace?: string) =>
    (await registry.list(registry.catalog.find(group, 'v1', plural)!, namespace)).items as T[];
  const objects = {
    ...noObjects(),
    nodes: await list<Node>('', 'nodes'), pods: await list<Pod>('', 'pods', 'kube-system'), services: await list<Service>('', 'services', 'kube-system'),
    endpoints: await list<Endpoints>('', 'endpoints', 'kube-system'), endpointslices: await list<EndpointSlice>('discovery.k8s.io', 'endpointslices', 'kube-system'),
  };
  const pass = new ControllerPass(registry, objects);
  await syncEndpoints(pass);
  await syncEndpointSlices(pass);
}

// ---------------------------------------------------------------- kube-system pods

/** k8s.io/apimachinery's rand.String alphabet (no vowels, no confusables). */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
/** A stable pseudo-random suffix, so running bootstrap again finds the same names. */
const suffix = (seed: string, length: number) => {
  const digits = hash64(hash64(seed) + seed);
  return Array.from({ length }, (_, i) => alphabet[parseInt(digits.slice(i, i + 2), 16) % alphabet.length]).join('');
};

/** The control-plane node's static pods as their mirror pods, from the manifests its node's files hold. */
function controlPlanePods(shape: ClusterShape, nodes: Array<{ name: string; uid: string; ip: string }>, now: string): KubeObject[] {
  const cp = nodes[0];
  return staticPodManifests(cp, shape.version).map((manifest) => mirrorPod(manifest, cp, configHash(manifestText(manifest)), now) as KubeObject);
}

/** The status a kubelet would have reported for a long-running pod started at `now`. */
function runningStatus(pod: KubeObject, node: { name: string; ip: string }, podIP: string, now: string): Record<string, unknown> {
  const spec = pod.spec as { containers: Array<{ name: string; image: string }>; hostNetwork?: boolean };
  const condition = (type: string) => ({ observedGeneration: 1, type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    observedGeneration: 1, phase: 'Running', hostIP: node.ip, hostIPs: [{ ip: node.ip }], podIP, podIPs: [{ ip: podIP }], startTime: now,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    containerStatuses: spec.containers.map((c) => {
      const info = imageInfo(c.image);
      return {
        name: c.name, state: { running: { startedAt: now } }, lastState: {}, ready: true, restartCount: 0, started: true,
        image: info.status === 'ok' ? info.normalized : c.image, imageID: info.status === 'ok' ? info.imageID : '',
        containerID: `containerd://${hex64(`${pod.metadata.name}/${c.name}/${now}`)}`,
      };
    }),
  };
}

type NodeRef = { name: string; uid: string; ip: string; cidr: string; node: Node };

/** kube-system as kubeadm leaves it: static control-plane pods, CoreDNS and kube-proxy, all Running. */
async function ensureControlPlanePods(registry: Registry, shape: ClusterShape): Promise<void> {
  const nodesDef = registry.catalog.find('', 'v1', 'nodes')!;
  const podsDef = registry.catalog.find('', 'v1', 'pods')!;
  const nodes: NodeRef[] = [];
  for (const name of shape.nodes) {
    const node = await registry.get(nodesDef, undefined, name) as Node;
    nodes.push({ name, uid: node.metadata.uid!, ip: nodeIP(node), cidr: (node.spec as { podCIDR?: string }).podCIDR ?? '10.244.0.0/24', node });
  }
  if (!nodes.length) return;
  const now = timestamp(registry.now());
  let nextIP = 2;
  /** Creates a pod already Running on its node (a mirror pod, or one started before anyone looked); undefined if it exists. */
  const startPod = async (pod: KubeObject): Promise<Pod | undefined> => {
    const node = nodes.find((n) => n.name === (pod.spec as { nodeName: string }).nodeName)!;
    const podIP = (pod.spec as { hostNetwork?: boolean }).hostNetwork ? node.ip : `${node.cidr.split('.').slice(0, 3).join('.')}.${nextIP++}`;
    if (!(await createUnlessExists(registry, podsDef, 'kube-system', pod))) return undefined;
    // The kubelet reports the status right away; here it is written with the object.
    return await registry.mutate(podsDef, 'kube-system', pod.metadata.name!, (current) => {
      current.status = { ...runningStatus(current, node, podIP, now), qosClass: (current.status as { qosClass?: string } | undefined)?.qosClass };
      return current;
    }, { subresource: 'status' }) as Pod;
  };
  for (const pod of controlPlanePods(shape, nodes, now)) await startPod(pod);
  await ensureCoreDNS(registry, nodes[0], startPod);
  await ensureKubeProxy(registry, shape.version, nodes, startPod);
}

// ---------------------------------------------------------------- kube-system workloads

const appsDef = (registry: Registry, plural: string) => registry.catalog.find('apps', 'v1', plural)!;

/** A kube-system object made unless it exists (createUnlessExists). */
const createOnce = (registry: Registry, def: ResourceDef, obj: KubeObject) => createUnlessExists(registry, def, 'kube-system', obj);

const writeStatus = (registry: Registry, def: ResourceDef, obj: KubeObject, status: unknown) =>
  registry.mutate(def, 'kube-system', obj.metadata.name!, (current) => { current.status = status; return current; }, { subresource: 'status' });

/** kubeadm's CoreDNS addon: a Deployment, its ReplicaSet and two Running pods, with the statuses the controllers would write. */
async function ensureCoreDNS(registry: Registry, cp: NodeRef, startPod: (pod: KubeObject) => Promise<Pod | undefined>): Promise<void> {
  // The Corefile its pods mount (without it a CoreDNS pod started again waits on FailedMount).
  await createOnce(registry, registry.catalog.find('', 'v1', 'configmaps')!, { metadata: { name: 'coredns' }, data: { Corefile: kubeadmCorefile } } as KubeObject);
  const deployment = await createOnce(registry, appsDef(registry, 'deployments'), {
    metadata: { name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, annotations: { [revisionAnnotation]: '1' } },
    spec: {
      replicas: 2, selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' } }] } },
          containers: [{
            name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.4', args: ['-conf', '/etc/coredns/Corefile'], imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }],
            resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
            livenessProbe: { failureThreshold: 5, httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 5 },
            readinessProbe: { failureThreshold: 3, httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
          }],
          dnsPolicy: 'Default', nodeSelector: { 'kubernetes.io/os': 'linux' }, priorityClassName: 'system-cluster-critical', serviceAccountName: 'coredns',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
        },
      },
    },
  }) as Workload | undefined;
  if (!deployment) return;
  const rsDef = appsDef(registry, 'replicasets');
  const rs = await registry.create(rsDef, 'kube-system', newReplicaSetObject(deployment, 2, 1)) as Workload;
  const pods: Pod[] = [];
  for (const i of [0, 1]) {
    const pod = podFromTemplate(rs.spec.template, rs, `${rs.metadata.name}-${suffix(`${registry.cluster}/coredns/${i}`, 5)}`, { spec: { nodeName: cp.name, priority: 2000000000 } });
    const started = await startPod(pod);
    if (started) pods.push(started);
  }
  const at = registry.now().getTime();
  const rsNow = await writeStatus(registry, rsDef, rs, replicaSetStatus(rs, pods, at).status) as Workload;
  await writeStatus(registry, appsDef(registry, 'deployments'), deployment, deploymentStatus(deployment, [rsNow], at, false).status);
}

/** kubeadm's kube-proxy: a DaemonSet with its revision and one Running pod per node. */
async function ensureKubeProxy(registry: Registry, version: string, nodes: NodeRef[], startPod: (pod: KubeObject) => Promise<Pod | undefined>): Promise<void> {
  const dsDef = appsDef(registry, 'daemonsets');
  const ds = await createOnce(registry, dsDef, {
    metadata: { name: 'kube-proxy', labels: { 'k8s-app': 'kube-proxy' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-proxy' } },
        spec: {
          containers: [{
            name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${version}`, imagePullPolicy: 'IfNotPresent',
            command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
            env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
            securityContext: { privileged: true },
            volumeMounts: [{ name: 'kube-proxy', mountPath: '/var/lib/kube-proxy' }, { name: 'xtables-lock', mountPath: '/run/xtables.lock' }, { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true }],
          }],
          hostNetwork: true, nodeSelector: { 'kubernetes.io/os': 'linux' }, priorityClassName: 'system-node-critical', serviceAccountName: 'kube-proxy',
          tolerations: [{ operator: 'Exists' }],
          volumes: [{ name: 'kube-proxy', configMap: { name: 'kube-proxy' } }, { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }, { name: 'lib-modules', hostPath: { path: '/lib/modules', type: '' } }],
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
  }) as Workload | undefined;
  if (!ds) return;
  const hash = daemonSetHash(ds);
  await createOnce(registry, appsDef(registry, 'controllerrevisions'), revisionObject(ds, hash, 1, revisionHashLabel));
  const pods: Pod[] = [];
  for (const node of nodes) {
    const pod = daemonPod(ds, node.name, `kube-proxy-${suffix(`${registry.cluster}/kube-proxy/${node.name}`, 5)}`);
    Object.assign(pod.spec as object, { nodeName: node.name, priority: 2000001000 });
    const started = await startPod(pod);
    if (started) pods.push(started);
  }
  await writeStatus(registry, dsDef, ds, daemonSetStatus(ds, nodes.map((n) => n.node), pods, registry.now().getTime()).status);
}
