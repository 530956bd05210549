import { startNodeServer } from '../harness/server.ts';
import { sharedWorker } from './helpers/sharedWorker.ts';
import { tenancyScenario } from './scenarios/tenancy.ts';

/**
 * The class of 30 runs where classes will run: on the Worker. The Node entries
 * (here and in e2e-tenancy-dynamodb) take 10 students, which isolates and
 * expires clusters the same way at a third of the kubectl processes.
 */
tenancyScenario('Node entry, memory store', async () => {
  const server = await startNodeServer();
  return { url: server.url, adminToken: server.adminToken, store: server.ports.store, sweep: server.sweep, close: server.close };
}, 10);

tenancyScenario('Cloudflare Worker, one Durable Object per cluster', async () => {
  // The shared server (its other clusters do not matter here), whose minimum ttl lets clusters expire in seconds.
  const worker = await sharedWorker();
  return { url: worker.url, adminToken: worker.adminToken, store: worker.store, sweep: async () => {}, close: async () => {} };
}, 30);
