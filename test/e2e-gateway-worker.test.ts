import { gatewayScenario } from './scenarios/gateway.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

gatewayScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
