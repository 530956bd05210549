import { parse, stringify } from 'yaml';
import { hash64 } from '../apimachinery/hash.ts';

/**
 * kubeadm's static pods: the manifests it writes to /etc/kubernetes/manifests on the
 * control-plane node, and the mirror pod the kubelet makes of each in the API. One source:
 * a new cluster's mirror pods are made from the same manifests its node's files hold, and
 * a manifest edited on the node (runtime/nodeFiles.ts) is read back by the kubelet
 * (controlplane/staticPods.ts) into a new mirror pod.
 */

type Obj = Record<string, unknown>;
export interface StaticPodManifest { apiVersion: 'v1'; kind: 'Pod'; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string>; creationTimestamp: null }; spec: Obj; status: Obj }

export const manifestsDir = '/etc/kubernetes/manifests';
const pki = '/etc/kubernetes/pki';
const hostPath = (name: string, path: string, type = 'DirectoryOrCreate') => ({ name, hostPath: { path, ...(type ? { type } : {}) } });
const mount = (name: string, mountPath: string, readOnly = true) => ({ name, mountPath, readOnly });
const httpProbe = (host: string, path: string, port: number, scheme: string, failureThreshold: number, timeoutSeconds = 15, initialDelaySeconds = 10) => ({
  failureThreshold, httpGet: { host, path, port, scheme }, initialDelaySeconds, periodSeconds: 10, successThreshold: 1, timeoutSeconds,
});

/** A manifest as kubeadm writes it (no node: the kubelet adds it). */
function staticPod(component: string, image: string, command: string[], cpu: string, extra: { memory?: string; probe?: Obj; volumes: Obj[]; mounts: Obj[]; annotations?: Record<string, string> }): StaticPodManifest {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { ...(extra.annotations ? { annotations: extra.annotations } : {}), creationTimestamp: null, labels: { component, tier: 'control-plane' }, name: component, namespace: 'kube-system' },
    spec: {
      containers: [{
        command, image, imagePullPolicy: 'IfNotPresent', ...(extra.probe ?? {}), name: component,
        resources: { requests: { cpu, ...(extra.memory ? { memory: extra.memory } : {}) } }, volumeMounts: extra.mounts,
      }],
      hostNetwork: true, priority: 2000001000, priorityClassName: 'system-node-critical',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, volumes: extra.volumes,
    },
    status: {},
  };
}

/** The four control-plane manifests of a kubeadm cluster whose control-plane node has address `ip`. */
export function staticPodManifests(cp: { name: string; ip: string }, version: string): StaticPodManifest[] {
  const v = version;
  const certs = [hostPath('ca-certs', '/etc/ssl/certs'), hostPath('etc-ca-certificates', '/etc/ca-certificates'), hostPath('k8s-certs', pki),
    hostPath('usr-local-share-ca-certificates', '/usr/local/share/ca-certificates'), hostPath('usr-share-ca-certificates', '/usr/share/ca-certificates')];
  const certMounts = [mount('ca-certs', '/etc/ssl/certs'), mount('etc-ca-certificates', '/etc/ca-certificates'), mount('k8s-certs', pki),
    mount('usr-local-share-ca-certificates', '/usr/local/share/ca-certificates'), mount('usr-share-ca-certificates', '/usr/share/ca-certificates')];
  return [
    staticPod('etcd', 'registry.k8s.io/etcd:3.6.5-0', [
      'etcd', `--advertise-client-urls=https://${cp.ip}:2379`, `--cert-file=${pki}/etcd/server.crt`, '--client-cert-auth=true', '--data-dir=/var/lib/etcd',
      '--feature-gates=InitialCorruptCheck=true', `--initial-advertise-peer-urls=https://${cp.ip}:2380`, `--initial-cluster=${cp.name}=https://${cp.ip}:2380`,
      `--key-file=${pki}/etcd/server.key`, `--listen-client-urls=https://127.0.0.1:2379,https://${cp.ip}:2379`, '--listen-metrics-urls=http://127.0.0.1:2381',
      `--listen-peer-urls=https://${cp.ip}:2380`, `--name=${cp.name}`, `--peer-cert-file=${pki}/etcd/peer.crt`, '--peer-client-cert-auth=true',
      `--peer-key-file=${pki}/etcd/peer.key`, `--peer-trusted-ca-file=${pki}/etcd/ca.crt`, '--snapshot-count=10000', `--trusted-ca-file=${pki}/etcd/ca.crt`,
      '--watch-progress-notify-interval=5s',
    ], '100m', {
      memory: '100Mi', probe: { livenessProbe: httpProbe('127.0.0.1', '/livez', 2381, 'HTTP', 8), readinessProbe: httpProbe('127.0.0.1', '/readyz', 2381, 'HTTP', 3) },
      volumes: [hostPath('etcd-certs', `${pki}/etcd`), hostPath('etcd-data', '/var/lib/etcd')], mounts: [mount('etcd-data', '/var/lib/etcd', false), mount('etcd-certs', `${pki}/etcd`, false)],
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${cp.ip}:2379` },
    }),
    staticPod('kube-apiserver', `registry.k8s.io/kube-apiserver:${v}`, [
      'kube-apiserver', `--advertise-address=${cp.ip}`, '--allow-privileged=true', '--authorization-mode=Node,RBAC', `--client-ca-file=${pki}/ca.crt`,
      '--enable-admission-plugins=NodeRestriction', '--enable-bootstrap-token-auth=true', `--etcd-cafile=${pki}/etcd/ca.crt`,
      `--etcd-certfile=${pki}/apiserver-etcd-client.crt`, `--etcd-keyfile=${pki}/apiserver-etcd-client.key`, '--etcd-servers=https://127.0.0.1:2379',
      `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`, `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
      `--proxy-client-key-file=${pki}/front-proxy-client.key`, '--requestheader-allowed-names=front-proxy-client', `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
      '--requestheader-extra-headers-prefix=X-Remote-Extra-', '--requestheader-group-headers=X-Remote-Group', '--requestheader-username-headers=X-Remote-User',
      '--secure-port=6443', '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${pki}/sa.pub`,
      `--service-account-signing-key-file=${pki}/sa.key`, '--service-cluster-ip-range=10.96.0.0/12', `--tls-cert-file=${pki}/apiserver.crt`,
      `--tls-private-key-file=${pki}/apiserver.key`,
    ], '250m', {
      probe: {
        livenessProbe: httpProbe(cp.ip, '/livez', 6443, 'HTTPS', 8), readinessProbe: httpProbe(cp.ip, '/readyz', 6443, 'HTTPS', 3, 15, 0),
        startupProbe: httpProbe(cp.ip, '/livez', 6443, 'HTTPS', 24),
      },
      volumes: certs, mounts: certMounts, annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${cp.ip}:6443` },
    }),
    staticPod('kube-controller-manager', `registry.k8s.io/kube-controller-manager:${v}`, [
      'kube-controller-manager', '--allocate-node-cidrs=true', '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf', '--bind-address=127.0.0.1', `--client-ca-file=${pki}/ca.crt`,
      '--cluster-cidr=10.244.0.0/16', '--cluster-name=kubernetes', `--cluster-signing-cert-file=${pki}/ca.crt`, `--cluster-signing-key-file=${pki}/ca.key`,
      '--controllers=*,bootstrapsigner,tokencleaner', '--kubeconfig=/etc/kubernetes/controller-manager.conf', '--leader-elect=true',
      `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`, `--root-ca-file=${pki}/ca.crt`, `--service-account-private-key-file=${pki}/sa.key`,
      '--service-cluster-ip-range=10.96.0.0/12', '--use-service-account-credentials=true',
    ], '200m', {
      probe: { livenessProbe: httpProbe('127.0.0.1', '/healthz', 10257, 'HTTPS', 8), startupProbe: httpProbe('127.0.0.1', '/healthz', 10257, 'HTTPS', 24) },
      volumes: [...certs, hostPath('flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec'), hostPath('kubeconfig', '/etc/kubernetes/controller-manager.conf', 'FileOrCreate')],
      mounts: [...certMounts, mount('flexvolume-dir', '/usr/libexec/kubernetes/kubelet-plugins/volume/exec', false), mount('kubeconfig', '/etc/kubernetes/controller-manager.conf')],
    }),
    staticPod('kube-scheduler', `registry.k8s.io/kube-scheduler:${v}`, [
      'kube-scheduler', '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf', '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true',
    ], '100m', {
      probe: { livenessProbe: httpProbe('127.0.0.1', '/livez', 10259, 'HTTPS', 8), readinessProbe: httpProbe('127.0.0.1', '/readyz', 10259, 'HTTPS', 3, 15, 0) },
      volumes: [hostPath('kubeconfig', '/etc/kubernetes/scheduler.conf', 'FileOrCreate')], mounts: [mount('kubeconfig', '/etc/kubernetes/scheduler.conf')],
    }),
  ];
}

/** A manifest's file text: YAML with sorted keys, as kubeadm (sigs.k8s.io/yaml) writes it. */
export const manifestText = (manifest: StaticPodManifest | Obj) => stringify(manifest, { sortMapEntries: true, indentSeq: false });

/** What the kubelet's file source makes of a manifest: the pod, or why it cannot read it (its log's words). */
export function readManifest(path: string, text: string): { pod: StaticPodManifest } | { error: string } {
  let doc: unknown;
  try { doc = parse(text); } catch (err) {
    return { error: `Could not process manifest file" err="${path}: couldn't parse as pod(${(err as Error).message.split('\n')[0]}), please check config file" path="${path}` };
  }
  const pod = doc as StaticPodManifest | null;
  if (!pod || typeof pod !== 'object' || pod.kind !== 'Pod' || !pod.metadata?.name || !Array.isArray((pod.spec as { containers?: unknown })?.containers)) {
    return { error: `Could not process manifest file" err="${path}: invalid pod: the manifest is not a pod with a name and containers" path="${path}` };
  }
  return { pod };
}

/** The kubelet's config hash of a manifest's content (kubernetes.io/config.hash): a new one means a new pod. */
export const configHash = (text: string) => hash64(text) + hash64(`${text}\n`);

/** The mirror pod the kubelet creates in the API for a static pod on `node`. */
export function mirrorPod(manifest: StaticPodManifest, node: { name: string; uid: string }, hash: string, seenAt: string): Obj {
  const pod = structuredClone(manifest) as { metadata: Obj & { annotations?: Record<string, string> }; spec: Obj & { tolerations?: Obj[] } };
  delete pod.metadata.creationTimestamp;
  return {
    metadata: {
      ...pod.metadata, name: `${manifest.metadata.name}-${node.name}`, namespace: manifest.metadata.namespace || 'kube-system',
      annotations: {
        ...manifest.metadata.annotations, 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': seenAt.replace('Z', '.000000000Z'), 'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    // The kubelet tolerates every NoExecute taint for its static pods.
    spec: { ...pod.spec, nodeName: node.name, automountServiceAccountToken: false, tolerations: [...(pod.spec.tolerations ?? []), { effect: 'NoExecute', operator: 'Exists' }] },
  };
}
