import * as schema from '../../schema/core.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';
import { timestamp } from '../../apimachinery/time.ts';

interface NodeCondition { type: string; status: string; lastHeartbeatTime?: string; [k: string]: unknown }
export type Node = KubeObject & {
  spec?: { unschedulable?: boolean; taints?: Array<{ key: string; value?: string; effect: string }> };
  status?: { conditions?: NodeCondition[]; addresses?: Array<{ type: string; address: string }>; nodeInfo?: Record<string, string>; capacity?: Record<string, string>; allocatable?: Record<string, string> };
};

const rolePrefix = 'node-role.kubernetes.io/';

export function nodeStatusCell(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodes = defineResource<Node>({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false,
  shortNames: ['no'], verbs: allVerbs, subresources: ['status', 'proxy'],
  schema: schema.node,
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'The status of the node' },
    { name: 'Roles', type: 'string', description: 'The roles of the node' },
    ageColumn,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'List of internal IPs.' },
    { name: 'External-IP', type: 'string', priority: 1, description: 'List of external IPs.' },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node.' },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: 'Kernel Version reported by the node.' },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'Container Runtime Version reported by the node.' },
  ],
  row(node, { now }) {
    const roles = Object.keys(node.metadata.labels ?? {}).filter((l) => l.startsWith(rolePrefix)).map((l) => l.slice(rolePrefix.length)).sort();
    const info = node.status?.nodeInfo ?? {};
    return [node.metadata.name, nodeStatusCell(node), roles.join(',') || '<none>', age(node, now), info.kubeletVersion ?? '',
      address(node, 'InternalIP'), address(node, 'ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
  },
  fieldSelectors: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable ?? false) },
  strategy: {
    /**
     * Heartbeats are virtual: a Ready node's heartbeat is always "a few seconds ago",
     * computed when read, so an idle cluster writes nothing to its store.
     */
    decorate(obj, { now }) {
      // A node whose kubelet went silent keeps the last heartbeat it posted.
      if (obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown')) return;
      const beat = timestamp(Math.floor(now.getTime() / 10_000) * 10_000);
      for (const c of obj.status?.conditions ?? []) if (c.lastHeartbeatTime) c.lastHeartbeatTime = beat;
    },
  },
});
