import { rbacBootstrapScenario } from './scenarios/rbacBootstrap.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

rbacBootstrapScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
