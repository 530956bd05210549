import { sharedWorker } from './helpers/sharedWorker.ts';
import { tenancyScenario } from './scenarios/tenancy.ts';

/** The class of 30 runs where classes will run: on the Worker. */
tenancyScenario('Cloudflare Worker, one Durable Object per cluster', async () => {
  // The shared server (its other clusters do not matter here), whose minimum ttl lets clusters expire in seconds.
  const worker = await sharedWorker();
  return { url: worker.url, adminToken: worker.adminToken, store: worker.store, sweep: async () => {}, close: async () => {}, controlPlane: true };
}, 30);
