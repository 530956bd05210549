import { gatewayScenario } from './scenarios/gateway.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane running live.
gatewayScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => cluster.token(), close: () => cluster.close() };
});
