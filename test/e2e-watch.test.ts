import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { watchScenario } from './scenarios/watch.ts';

watchScenario('Node entry', () => startNodeServer());
watchScenario('Cloudflare Worker', () => freshWorkerCluster());
