import { gatewayScenario } from './scenarios/gateway.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

gatewayScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
