import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { depthScenario } from './scenarios/depth.ts';

depthScenario('Node entry', () => startNodeServer());
depthScenario('Cloudflare Worker', () => freshWorkerCluster());
