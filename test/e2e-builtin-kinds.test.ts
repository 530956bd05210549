import { startNodeServer } from '../harness/server.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { builtinKindsScenario } from './scenarios/builtinKinds.ts';

builtinKindsScenario('Node entry, memory store', () => startNodeServer());
builtinKindsScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
