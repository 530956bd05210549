import { storageScenario } from './scenarios/storage.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

storageScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
