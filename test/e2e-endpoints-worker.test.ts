import { endpointsScenario } from './scenarios/endpoints.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

endpointsScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
