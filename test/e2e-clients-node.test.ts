import { jsClientScenario } from './scenarios/jsClient.ts';
import { pythonClientScenario } from './scenarios/pythonClient.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane running live (a Deployment's pod gets scheduled and started).
jsClientScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => cluster.token(), close: () => cluster.close() };
});

pythonClientScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => cluster.token(), close: () => cluster.close() };
});
