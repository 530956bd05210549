import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { wireReferenceScenario } from './scenarios/wireReference.ts';

wireReferenceScenario('Node entry, memory store', async () => {
  const server = await startNodeServer();
  return { url: server.url, token: () => server.token(), close: () => server.close() };
});
wireReferenceScenario('Cloudflare Worker in workerd, Durable Object store', async () => {
  const cluster = await freshWorkerCluster();
  return { url: cluster.url, token: () => cluster.token(), close: () => cluster.close() };
});
