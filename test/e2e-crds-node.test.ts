import { crdsScenario } from './scenarios/crds.ts';
import { startControlPlane } from './helpers/controlplane.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { timestamp } from '../src/apimachinery/time.ts';

// The Node entry with its control plane running live, and a second cluster `other` in the same store.
crdsScenario('Node entry, memory store', async () => {
  const cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
  const other = { name: 'other', uid: crypto.randomUUID(), createdAt: timestamp(cluster.clock.now()), expiresAt: null, nodes: ['controlplane', 'node01'], kubernetesVersion };
  await provisionInStore(cluster.ports, cluster.catalog, other);
  return {
    kubeconfig: () => cluster.kubeconfig(), token: () => cluster.token(), close: () => cluster.close(),
    async otherKubeconfig() {
      const token = await cluster.ports.keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], cluster: 'other', clusterUid: other.uid });
      return kubeconfig({ server: `${cluster.server!.url}/clusters/other`, cluster: 'other', user: 'kubernetes-admin', token, insecure: true });
    },
  };
});
