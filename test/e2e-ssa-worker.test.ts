import { serverSideApplyScenario } from './scenarios/serverSideApply.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

serverSideApplyScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
