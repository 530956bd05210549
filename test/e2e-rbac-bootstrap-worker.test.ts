import { rbacBootstrapScenario } from './scenarios/rbacBootstrap.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

rbacBootstrapScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
