import { admissionScenario } from './scenarios/admission.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane (the quota controller keeps status.used).
admissionScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live' });
  return { kubeconfig: () => cluster.kubeconfig(), token: () => { throw new Error('not used'); }, close: () => cluster.close() };
});
