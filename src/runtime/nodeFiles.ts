import { stringify } from 'yaml';
import { manifestsDir, manifestText, staticPodManifests } from './staticPods.ts';

/**
 * A node's own filesystem, as `kubectl debug node/…` shows it under /host: what kubeadm
 * and the kubelet's packages leave on a node (its kubeconfig and config, the static pod
 * manifests and PKI on the control plane), with what was written there since on top.
 * The base is derived from the cluster (nothing of it is stored); the writes are the
 * node's state, kept in the cluster's store (registry/nodeFilesystem.ts), with the state
 * of its systemd units.
 */

export interface NodeHost {
  name: string;
  ip: string;
  controlPlane: boolean;
  /** The control-plane node: its name and address (the API server's endpoint). */
  apiserver: { name: string; ip: string };
  version: string;
  /** The cluster CA's certificate (PEM). */
  caCertificate: string;
}

/** A systemd unit's state: active, and since when (ISO time). */
export interface UnitState { active: boolean; since: string }

/** What was done on a node since it was provisioned: files written (null: removed) and units started or stopped. */
export interface NodeState { files: Record<string, string | null>; units: Record<string, UnitState> }

/** A container as `crictl ps` lists it on a node. */
export interface CriContainer { id: string; image: string; createdAt: number; state: 'Running' | 'Exited' | 'Created'; name: string; attempt: number; podId: string; pod: string; namespace: string; logs: string[] }

/** A node as a pod on it with hostPath volumes sees it: its files, its units, its containers. */
export interface NodeView { host: NodeHost; state: NodeState; files: Record<string, string>; containers?: CriContainer[]; peers?: () => Record<string, NodeView> }

export const emptyNodeState = (): NodeState => ({ files: {}, units: {} });

/** The units this node has, as systemd knows them (only the kubelet's state is simulated). */
export const nodeUnits = ['kubelet', 'containerd'] as const;

const b64 = (text: string) => btoa(text);

/** A kubeconfig as kubeadm writes them: the cluster's endpoint and CA, and whose credentials it holds. */
function kubeconfigFile(host: NodeHost, user: string, credentials: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(host.caCertificate), server: `https://${host.apiserver.ip}:6443` }, name: 'kubernetes' }],
    contexts: [{ context: { cluster: 'kubernetes', user }, name: `${user}@kubernetes` }],
    'current-context': `${user}@kubernetes`,
    kind: 'Config',
    preferences: {},
    users: [{ name: user, user: credentials }],
  }, { indentSeq: false });
}

/** kubeadm's KubeletConfiguration (/var/lib/kubelet/config.yaml). */
const kubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: ${manifestsDir}
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

const kubeletDropIn = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const kubeletUnit = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** The files kubeadm and the packages leave on a node (path → content). */
export function baseNodeFiles(host: NodeHost): Record<string, string> {
  // The same host gives the same files: rendered once (their YAML was most of a kubelet's pass), copied out.
  const key = [host.name, host.ip, host.controlPlane, host.apiserver.name, host.apiserver.ip, host.version, host.caCertificate].join('\u0000');
  let files = rendered.get(key);
  if (!files) {
    files = renderNodeFiles(host);
    if (rendered.size >= maxRendered) rendered.delete(rendered.keys().next().value!);
    rendered.set(key, files);
  }
  return { ...files };
}

/** Rendered base files by host (~20 KB for a control-plane node), the oldest forgotten past a bound. */
const rendered = new Map<string, Record<string, string>>();
const maxRendered = 256;

function renderNodeFiles(host: NodeHost): Record<string, string> {
  const files: Record<string, string> = {
    '/etc/hostname': `${host.name}\n`,
    '/etc/os-release': 'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.3 LTS (Noble Numbat)"\nID=ubuntu\n',
    '/etc/kubernetes/kubelet.conf': kubeconfigFile(host, `system:node:${host.name}`, {
      'client-certificate': '/var/lib/kubelet/pki/kubelet-client-current.pem', 'client-key': '/var/lib/kubelet/pki/kubelet-client-current.pem',
    }),
    '/etc/kubernetes/pki/ca.crt': host.caCertificate,
    '/var/lib/kubelet/config.yaml': kubeletConfig,
    '/var/lib/kubelet/kubeadm-flags.env': 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10.1"\n',
    '/usr/lib/systemd/system/kubelet.service': kubeletUnit,
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': kubeletDropIn,
  };
  if (!host.controlPlane) return files;
  for (const manifest of staticPodManifests(host.apiserver, host.version)) files[`${manifestsDir}/${manifest.metadata.name}.yaml`] = manifestText(manifest);
  // The client credentials in these kubeconfigs are not simulated: the server and CA are the cluster's own.
  const notSimulated = { 'client-certificate-data': b64('(not simulated)'), 'client-key-data': b64('(not simulated)') };
  files['/etc/kubernetes/admin.conf'] = kubeconfigFile(host, 'kubernetes-admin', notSimulated);
  files['/etc/kubernetes/super-admin.conf'] = kubeconfigFile(host, 'kubernetes-super-admin', notSimulated);
  files['/etc/kubernetes/scheduler.conf'] = kubeconfigFile(host, 'system:kube-scheduler', notSimulated);
  files['/etc/kubernetes/controller-manager.conf'] = kubeconfigFile(host, 'system:kube-controller-manager', notSimulated);
  files['/etc/kubernetes/pki/etcd/ca.crt'] = host.caCertificate;
  return files;
}

/** The node's files now: the base with the node's writes on top. */
export function nodeFiles(host: NodeHost, state: NodeState): Record<string, string> {
  const files = baseNodeFiles(host);
  for (const [path, content] of Object.entries(state.files)) {
    if (content === null) delete files[path];
    else files[path] = content;
  }
  return files;
}

/** Whether a unit runs: units are active unless the node's state says otherwise. */
export const unitActive = (state: NodeState | undefined, unit: string) => state?.units[unit]?.active !== false;

/**
 * The static pod manifests the kubelet reads (path → text): every file directly under the
 * manifests directory but hidden ones, whatever its extension (a `kube-scheduler.yaml.bak`
 * left there is a second pod, as on a real node).
 */
export function manifestFiles(files: Record<string, string>): Array<[string, string]> {
  return Object.entries(files)
    .filter(([path]) => path.startsWith(`${manifestsDir}/`) && !path.slice(manifestsDir.length + 1).includes('/') && !path.split('/').pop()!.startsWith('.'))
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

/** A container's writes that land on its node: files by node path (null: removed), and units started or stopped. */
export interface HostWrites { files: Record<string, string | null>; units: Record<string, boolean> }

interface MountedPod { spec: { volumes?: Array<{ name: string; hostPath?: unknown }> } }
interface MountingSpec { volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }> }

/**
 * Where a container's hostPath mounts put its writes on the node: a container path under a
 * mount of a hostPath volume maps to the node path under the volume's path (the deepest mount
 * wins, as the kernel's mount table does); `unit:<name>` events (systemctl, after `chroot` into
 * the node's root) are unit changes. Undefined: the path is the container's own.
 */
export function hostPathOf(pod: MountedPod, container: MountingSpec): (path: string) => string | undefined {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, (v.hostPath as { path?: string } | undefined)?.path]));
  const mounts = (container.volumeMounts ?? [])
    .filter((m) => volumes.get(m.name) !== undefined && !m.subPath)
    .map((m) => ({ at: m.mountPath.replace(/\/+$/, ''), host: volumes.get(m.name)!.replace(/\/+$/, '') }))
    .sort((a, b) => b.at.length - a.at.length);
  return (path) => {
    for (const m of mounts) {
      if (path === m.at) return m.host || '/';
      if (path.startsWith(`${m.at}/`)) return `${m.host}${path.slice(m.at.length)}`;
    }
    return undefined;
  };
}

/** Where a write made over `ssh NODE` lands: `node:NODE:PATH` (PATH a file, or `unit:NAME`). */
export const peerPath = (node: string, path: string) => `node:${node}:${path}`;

/**
 * The events of a container that reach nodes, by node ('' is its own), or undefined when none
 * does: files under its hostPath mounts, units changed from its node's root, and what it did
 * on other nodes over `ssh`.
 */
export function hostWritesOf(pod: MountedPod, container: MountingSpec, events: Array<{ path: string; content: string | null }>): Map<string, HostWrites> | undefined {
  const hostPath = hostPathOf(pod, container);
  const out = new Map<string, HostWrites>();
  const writesOf = (node: string) => out.get(node) ?? out.set(node, { files: {}, units: {} }).get(node)!;
  for (const e of events) {
    const peer = /^node:([^:]+):(.*)$/s.exec(e.path);
    const node = peer ? peer[1] : '';
    const path = peer ? peer[2] : e.path;
    if (path.startsWith('unit:')) {
      if (e.content !== null) writesOf(node).units[path.slice(5)] = (JSON.parse(e.content) as { active: boolean }).active;
      continue;
    }
    const on = peer ? path : hostPath(path);
    if (on !== undefined) writesOf(node).files[on] = e.content;
  }
  return out.size ? out : undefined;
}
