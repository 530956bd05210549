import { ApiError } from '../apimachinery/errors.ts';
import { clusterPrefix, type ClusterStore } from '../storage/store.ts';
import { emptyNodeState, nodeFiles, type HostWrites, type NodeHost, type NodeState } from '../runtime/nodeFiles.ts';
import { timestamp } from '../apimachinery/time.ts';
import { ensureCertificateAuthority, x509 } from './certificateAuthority.ts';
import type { Registry } from './generic.ts';
import type { KubeObject } from './types.ts';

/**
 * Each node's state in the cluster's store: the files written on it (through a hostPath
 * volume: `kubectl debug node/…` and `chroot /host`) and its units started or stopped
 * (`systemctl stop kubelet`). One key per node under the cluster's keyspace, listed by no
 * resource (like the CA's), so it is dropped with the cluster, counted in its byte budget
 * (the budgeted store sees every write), and in snapshots. A node nobody touched has no key:
 * its files are all derived (runtime/nodeFiles.ts).
 */

const prefix = (cluster: string) => `${clusterPrefix(cluster)}apiserverless.dev/nodes/`;
export const nodeStateKey = (cluster: string, node: string) => `${prefix(cluster)}${node}`;

/** What one node may hold beyond its base files: a node's disk is not a place for megabytes here. */
export const maxNodeStateBytes = 1 << 20;

export interface StoredNodeState { state: NodeState; revision: number }

const decode = (value: string): NodeState => ({ ...emptyNodeState(), ...(JSON.parse(value) as Partial<NodeState>) });

export async function readNodeState(store: ClusterStore, node: string): Promise<StoredNodeState> {
  const kv = await store.get(nodeStateKey(store.cluster, node));
  return kv ? { state: decode(kv.value), revision: kv.modRevision } : { state: emptyNodeState(), revision: 0 };
}

/** Every node's state that was ever written, by node name, with its revision (the control plane's pass reads them all). */
export async function readNodeStates(store: ClusterStore): Promise<Map<string, StoredNodeState>> {
  const out = new Map<string, StoredNodeState>();
  const p = prefix(store.cluster);
  const page = await store.list(p, { limit: 1000 });
  for (const kv of page.items) out.set(kv.key.slice(p.length), { state: decode(kv.value), revision: kv.modRevision });
  return out;
}

/** The node's disk is full: what a write past the bound gets (the shell says `No space left on device`). */
export class NodeDiskFull extends Error {}

/**
 * Changes a node's state with compare-and-swap (retried on a concurrent change), then wakes the
 * control plane: the kubelet reads its manifests and units on its next pass.
 */
export async function updateNodeState(registry: Registry, node: string, change: (state: NodeState) => void): Promise<NodeState> {
  const store = registry.store;
  const key = nodeStateKey(store.cluster, node);
  for (let attempt = 0; attempt < 20; attempt++) {
    const { state, revision } = await readNodeState(store, node);
    change(state);
    const value = JSON.stringify(state);
    if (value.length > maxNodeStateBytes) throw new NodeDiskFull(`node ${node}: no space left on device`);
    const result = revision ? await store.update(key, value, revision) : await store.create(key, value);
    if (result.ok) {
      await registry.wake();
      return state;
    }
  }
  throw new ApiError(409, 'Conflict', `the state of node ${node} kept changing: try again`);
}

/** How a node looks to the files derived for it: its address, role, version and the cluster's CA. */
export function nodeHost(node: KubeObject, controlPlane: KubeObject | undefined, caCertificate: string): NodeHost {
  const ipOf = (n: KubeObject | undefined) => ((n?.status as { addresses?: Array<{ type: string; address: string }> } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '';
  const labels = node.metadata.labels ?? {};
  const cp = controlPlane ?? node;
  return {
    name: node.metadata.name!, ip: ipOf(node), controlPlane: 'node-role.kubernetes.io/control-plane' in labels,
    apiserver: { name: cp.metadata.name!, ip: ipOf(cp) },
    version: (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? '',
    caCertificate,
  };
}

/** The first control-plane node of a list (the API server's). */
export const controlPlaneNode = (nodes: KubeObject[]) => nodes.find((n) => 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {}));

/** The cluster CA's certificate as kube-root-ca.crt publishes it. */
export const caFromConfigMap = (configMap: KubeObject | undefined) => (configMap as { data?: Record<string, string> } | undefined)?.data?.['ca.crt'] ?? '';

/** One node's files and state, read for a request (exec, attach, logs). */
export async function readNodeFiles(registry: Registry, nodeName: string): Promise<{ host: NodeHost; state: NodeState; files: Record<string, string> } | undefined> {
  const get = async (plural: string, namespace: string | undefined, name: string) => {
    try { return await registry.get(registry.catalog.find('', 'v1', plural)!, namespace, name); } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  };
  const node = await get('nodes', undefined, nodeName);
  if (!node) return undefined;
  const nodes = (await registry.list(registry.catalog.find('', 'v1', 'nodes')!, undefined)).items;
  const host = nodeHost(node, controlPlaneNode(nodes), caFromConfigMap(await get('configmaps', 'kube-system', 'kube-root-ca.crt')));
  let { state } = await readNodeState(registry.store, nodeName);
  if (host.controlPlane && state.files[apiserverCertificate] === undefined) state = await ensureServingCertificate(registry, host);
  return { host, state, files: nodeFiles(host, state) };
}

const apiserverCertificate = '/etc/kubernetes/pki/apiserver.crt';

/**
 * kubeadm's apiserver.crt on the control-plane node, issued by the cluster's CA the first time
 * someone looks at the node (a signature is not reproducible, so it is made once and kept in
 * the node's state): what `openssl x509 -noout -text` shows of it, after `kubectl cp` out.
 */
async function ensureServingCertificate(registry: Registry, host: NodeHost): Promise<NodeState> {
  const ca = await ensureCertificateAuthority(registry.store, registry.now());
  const { issueServingCertificate } = await x509();
  const now = registry.now().getTime();
  const { certificate } = await issueServingCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', host.name],
    ips: ['10.96.0.1', host.ip],
  }, { notBefore: now - 5 * 60_000, notAfter: now + 365 * 86_400_000 });
  return updateNodeState(registry, host.name, (state) => { state.files[apiserverCertificate] ??= certificate; });
}

/** A container's writes on its node, kept: files, and units started or stopped now (their `since`). */
export function applyHostWrites(registry: Registry, node: string, writes: HostWrites): Promise<NodeState> {
  const now = timestamp(registry.now());
  return updateNodeState(registry, node, (state) => {
    Object.assign(state.files, writes.files);
    for (const [unit, active] of Object.entries(writes.units)) {
      // A restart (or a start of a running unit) is a new start; a stop of a stopped unit changes nothing.
      if (active || state.units[unit]?.active !== false) state.units[unit] = { active, since: now };
    }
  });
}
