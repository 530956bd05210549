import { startNodeServer } from '../harness/server.ts';
import { tenancyScenario } from './scenarios/tenancy.ts';

/**
 * The Node entry takes a class of 10 (here and in e2e-tenancy-dynamodb), which isolates and
 * expires clusters the same way as the class of 30 on the Worker (e2e-tenancy-worker) at a
 * third of the kubectl processes.
 */
tenancyScenario('Node entry, memory store', async () => {
  const server = await startNodeServer();
  return { url: server.url, adminToken: server.adminToken, store: server.ports.store, sweep: server.sweep, close: server.close };
}, 10);
