import { rbacScenario } from './scenarios/rbac.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

rbacScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
