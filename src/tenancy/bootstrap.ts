import { kubernetesVersion } from '../app.ts';
import type { Registry } from '../registry/generic.ts';
import { systemNamespaces } from '../registry/resources/namespaces.ts';
import type { KubeObject } from '../registry/types.ts';
import { ApiError } from '../server/errors.ts';

/** What a fresh cluster looks like: a kubeadm cluster's nodes, namespaces and services. */
export interface ClusterShape {
  /** Node names; the first is the control plane. */
  nodes: string[];
  version: string;
}

export const defaultShape: ClusterShape = { nodes: ['controlplane', 'node01'], version: kubernetesVersion };

/** A kubeadm-provisioned node as the kubelet would register it. */
export function nodeObject(name: string, index: number, controlPlane: boolean, version: string): KubeObject {
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
  const ip = `192.168.0.${10 + index}`;
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
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
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
  const ensure = async (plural: string, namespace: string | undefined, obj: KubeObject) => {
    try {
      await registry.create(def(plural), namespace, obj);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  };
  for (const name of systemNamespaces) await ensure('namespaces', undefined, { metadata: { name } });
  for (const [i, name] of shape.nodes.entries()) {
    const node = nodeObject(name, i, i === 0, shape.version);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const c of (node.status as { conditions: Array<Record<string, string>> }).conditions) c.lastHeartbeatTime = c.lastTransitionTime = now;
    await ensure('nodes', undefined, node);
  }
  for (const ns of systemNamespaces) {
    await ensure('serviceaccounts', ns, { metadata: { name: 'default' } });
    await ensure('configmaps', ns, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n(apiserverless cluster CA)\n-----END CERTIFICATE-----\n' } } as KubeObject);
  }
  await ensure('services', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
  } as KubeObject);
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
}
