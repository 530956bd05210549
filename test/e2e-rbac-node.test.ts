import { rbacScenario } from './scenarios/rbac.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane (the aggregation controller runs on change events).
rbacScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live' });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => { throw new Error('not used'); }, close: () => cluster.close() };
});
