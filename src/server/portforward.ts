import type { Context } from 'hono';
import { badRequest, methodNotAllowed } from '../apimachinery/errors.ts';
import type { Registry } from '../registry/generic.ts';
import type { ResourceDef } from '../registry/types.ts';
import { listenerOn, type Listener } from '../runtime/httpServer.ts';
import { hex64 } from '../runtime/images.ts';
import type { Connection } from './clientCertificates.ts';
import { podServers } from './clusterNetwork.ts';
import type { PodView } from './podContainers.ts';
import { openPortForward, type PortForwardTarget } from './portforwardSession.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { isWebSocketRequest, offeredProtocols } from './upgrade.ts';

/**
 * pods/portforward: kube-apiserver's PortForwardLocation checks (the pod, its node) answer
 * before the upgrade; then kubectl's WebSocket carries SPDY/3.1 (`SPDY/3.1+portforward.k8s.io`,
 * kubectl 1.31+; see docs/exec-wire.md) to the kubelet's port-forward server
 * (portforwardSession.ts), which connects each forwarded connection to what the pod's running
 * containers listen on.
 */

const tunnelProtocol = 'SPDY/3.1+portforward.k8s.io';

export async function handlePortForward(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
  if (info.verb !== 'get' && info.verb !== 'create') throw methodNotAllowed();
  const pod = (await registry.get(def, namespace, info.name!)) as PodView;
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const request = c.req.raw;
  // SPDY itself (kubectl before 1.31, or its fallback when the WebSocket upgrade failed) is not served.
  if (!isWebSocketRequest(request)) {
    const spdy = (request.headers.get('upgrade') ?? '').toLowerCase().startsWith('spdy');
    throw badRequest(spdy ? `unable to upgrade connection: this server forwards ports over WebSocket only (${tunnelProtocol}, kubectl 1.31 or later), not SPDY` : 'Upgrade request required');
  }
  const upgrade = (c.env as Connection | undefined)?.upgrade;
  if (!upgrade) throw badRequest('unable to upgrade connection: this entry cannot hold a WebSocket (use the Node entry or the Worker)');
  const offered = offeredProtocols(request);
  if (!offered.includes(tunnelProtocol)) throw badRequest(`unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${tunnelProtocol}]`);
  const target = await podTarget(registry, pod);
  // No resume token: the session's header compression lives in memory, so the socket keeps its process.
  return upgrade(request, tunnelProtocol, (socket) => openPortForward(target, socket));
}

/** The pod's network namespace as the runtime sees it: each running container's listeners, on the pod's shared ports. */
async function podTarget(registry: Registry, pod: PodView): Promise<PortForwardTarget> {
  const containers = await podServers(registry, pod);
  // containerd's names for the sandbox and its network namespace, stable for the pod.
  const sandbox = hex64(`sandbox/${pod.metadata.uid ?? ''}`);
  const netns = `/var/run/netns/cni-${sandbox.slice(0, 8)}-${sandbox.slice(8, 12)}-${sandbox.slice(12, 16)}-${sandbox.slice(16, 20)}-${sandbox.slice(20, 32)}`;
  return {
    listen(port: number): Listener | undefined {
      for (const c of containers) { const l = listenerOn(c.input, port, c.startedAt); if (l) return l; }
      return undefined;
    },
    // The kubelet's wrapping of containerd's refusal (its pod is the sandbox ID, its uid empty), word for word.
    refused: (port: number) => `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "${netns}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
    now: () => registry.now().getTime(),
  };
}
