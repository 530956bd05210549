import { storageScenario } from './scenarios/storage.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

storageScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
