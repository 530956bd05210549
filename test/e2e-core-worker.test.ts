import { coreScenario } from './scenarios/core.ts';
import { startWorker } from '../harness/worker.ts';

coreScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => startWorker());
