import { after } from 'node:test';
import { testAdminToken } from '../harness/server.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';
import { teachScenario } from './scenarios/teach.ts';

/**
 * Teaching tools with the real kubectl v1.35 on the Node entry (memory store, control plane live
 * at ten times real speed): the trace of `kubectl run web` and of a refused request, and every
 * break-and-fix scenario applied, seen with kubectl, fixed with kubectl (the control plane's in the
 * node shell) and checked fixed (test/scenarios/teach.ts). A client certificate logs in here, so the
 * expired-cert scenario ends with the renewed certificate listing pods. kubectl processes: 44.
 */
let plane: ControlPlaneCluster | undefined;
after(() => plane?.close());

teachScenario('Node entry, memory store', async () => {
  plane = await startControlPlane({ mode: 'live', timeScale: 0.1, admin: true });
  // The control plane's clock runs ten times faster: a long ttl keeps the cluster alive through the file.
  return { url: plane.server!.url, adminToken: testAdminToken, cluster: 'alice', ttl: '24h', clientCertificates: true, settleMs: 30_000 };
}, { listThroughBin: true });
