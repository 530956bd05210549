import { crdsScenario } from './scenarios/crds.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

crdsScenario('Cloudflare Worker in workerd, Durable Object store', async () => {
  const [cluster, other] = await Promise.all([freshWorkerCluster(), freshWorkerCluster()]);
  return { ...cluster, otherKubeconfig: () => other.kubeconfig() };
});
