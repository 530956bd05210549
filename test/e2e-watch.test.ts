import { startNodeServer } from '../harness/server.ts';
import { startWorker } from '../harness/worker.ts';
import { watchScenario } from './scenarios/watch.ts';

watchScenario('Node entry', () => startNodeServer());
watchScenario('Cloudflare Worker', () => startWorker());
