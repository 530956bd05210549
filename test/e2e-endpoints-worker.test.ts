import { endpointsScenario } from './scenarios/endpoints.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

endpointsScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
