import { startNodeServer } from '../harness/server.ts';
import { startWorker } from '../harness/worker.ts';
import { depthScenario } from './scenarios/depth.ts';

depthScenario('Node entry', () => startNodeServer());
depthScenario('Cloudflare Worker', () => startWorker());
