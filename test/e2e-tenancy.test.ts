import { startNodeServer } from '../harness/server.ts';
import { startWorker, adminTestToken } from '../harness/worker.ts';
import { tenancyScenario } from './scenarios/tenancy.ts';

tenancyScenario('Node entry, memory store', async () => {
  const server = await startNodeServer();
  return { url: server.url, adminToken: server.adminToken, store: server.ports.store, sweep: server.sweep, close: server.close };
});

tenancyScenario('Cloudflare Worker, one Durable Object per cluster', async () => {
  const worker = await startWorker({ vars: { MIN_TTL_SECONDS: '1' } });
  return { url: worker.url, adminToken: adminTestToken, store: worker.store, sweep: async () => {}, close: () => worker.close() };
});
