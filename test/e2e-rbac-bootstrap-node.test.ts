import { rbacBootstrapScenario } from './scenarios/rbacBootstrap.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane (the aggregation controller runs on change events).
rbacBootstrapScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live' });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => { throw new Error('not used'); }, close: () => cluster.close() };
});
