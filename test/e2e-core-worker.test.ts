import { coreScenario } from './scenarios/core.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

coreScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
