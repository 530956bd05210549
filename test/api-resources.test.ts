import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { apiResourcesScenario } from './scenarios/apiResources.ts';

apiResourcesScenario('Node entry, memory store', () => startNodeServer());
apiResourcesScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
