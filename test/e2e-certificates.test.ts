import { startNodeServer } from '../harness/server.ts';
import { handleMessage } from '../src/controlplane/index.ts';
import { systemClock } from '../src/ports.ts';
import { InProcessQueue } from '../src/queue/memory.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { certificatesWithoutClientAuthScenario, certificateUsersScenario } from './scenarios/certificates.ts';
import { runCli } from './scenarios/tenancy.ts';

/**
 * Users from certificates (issue 12, points 4 and 5) with the real kubectl and openssl: the
 * Node entry asks for client certificates, so the whole CKA exercise runs there; the Worker
 * cannot, so there it issues certificates and explains its 401.
 */
certificateUsersScenario('Node entry, memory store, control plane on an in-process queue', async () => {
  const queue = new InProcessQueue({ clock: systemClock, mode: 'live', onError: (err) => console.error('control plane error:', err) });
  const server = await startNodeServer({ queue });
  queue.consume((message) => handleMessage({ ports: server.ports, catalog: server.catalog }, message));
  // A cluster the admin API made, as a teacher's would be (`user create` names it).
  const kubeconfig = await runCli(server, ['cluster', 'create', 'school']);
  return {
    url: server.url, adminToken: server.adminToken, cluster: 'school', kubeconfig: async () => kubeconfig,
    close: async () => { queue.close(); await server.close(); },
  };
});

certificatesWithoutClientAuthScenario('Cloudflare Worker in workerd, Durable Object store', async () => {
  const cluster = await freshWorkerCluster();
  return { url: cluster.server.url, adminToken: cluster.server.adminToken, cluster: cluster.name, kubeconfig: () => cluster.kubeconfig(), close: () => cluster.close() };
});
