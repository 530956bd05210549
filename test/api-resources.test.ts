import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { apiResourcesScenario } from './scenarios/apiResources.ts';

apiResourcesScenario('Node entry, memory store', () => startNodeServer());
apiResourcesScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
