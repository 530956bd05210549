import { jsClientScenario } from './scenarios/jsClient.ts';
import { pythonClientScenario } from './scenarios/pythonClient.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

jsClientScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());

pythonClientScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
