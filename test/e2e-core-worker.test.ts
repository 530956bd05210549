import { coreScenario } from './scenarios/core.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

coreScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
