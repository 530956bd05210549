import type { Node } from '../registry/resources/nodes.ts';
import type { Pod } from '../registry/resources/pods.ts';
import { controlPlaneNode, nodeHost, type StoredNodeState } from '../registry/nodeFilesystem.ts';
import { criContainers } from '../runtime/criContainers.ts';
import { emptyNodeState, nodeFiles, type NodeHost, type NodeView } from '../runtime/nodeFiles.ts';

/**
 * The nodes as the control plane's pass sees them beyond their API objects: each node's stored
 * state (files written on it, its units), what it is (its host: address, role, the cluster's CA),
 * and, built once a pass and only when asked, its files and containers as a pod's hostPath
 * volumes see them (with the other nodes, for `ssh`).
 */

/** The nodes' own state (files, units) as the pass read it, and how to see a node through hostPath volumes. */
export interface NodeStates { states: Map<string, StoredNodeState>; host(node: Node): NodeHost; view(node: Node): NodeView }

/** `ca`: the cluster CA's certificate (PEM), as kube-root-ca.crt publishes it. */
export function nodeStates(states: Map<string, StoredNodeState>, nodes: Node[], ca: string, pods: Pod[], now: number): NodeStates {
  const cp = controlPlaneNode(nodes);
  const views = new Map<string, NodeView>();
  const host = (node: Node) => nodeHost(node, cp, ca);
  const view = (node: Node): NodeView => {
    const name = node.metadata.name!;
    let found = views.get(name);
    if (!found) {
      const state = states.get(name)?.state ?? emptyNodeState();
      const h = host(node);
      found = {
        host: h, state, files: nodeFiles(h, state), containers: criContainers(pods as unknown as Parameters<typeof criContainers>[0], name, now),
        peers: () => Object.fromEntries(nodes.filter((n) => n.metadata.name !== name).map((n) => [n.metadata.name!, { ...view(n), peers: undefined }])),
      };
      views.set(name, found);
    }
    return found;
  };
  return { states, host, view };
}
