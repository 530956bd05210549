import { startNodeServer } from './helpers/server.ts';
import { startWorker } from './helpers/worker.ts';
import { depthScenario } from './scenarios/depth.ts';

depthScenario('Node entry', () => startNodeServer());
depthScenario('Cloudflare Worker', () => startWorker());
