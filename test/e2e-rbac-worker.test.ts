import { rbacScenario } from './scenarios/rbac.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

rbacScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
