import { serverSideApplyScenario } from './scenarios/serverSideApply.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

serverSideApplyScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
