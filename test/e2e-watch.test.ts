import { startNodeServer } from './helpers/server.ts';
import { startWorker } from './helpers/worker.ts';
import { watchScenario } from './scenarios/watch.ts';

watchScenario('Node entry', () => startNodeServer());
watchScenario('Cloudflare Worker', () => startWorker());
