import { kubeletScenario } from './scenarios/kubelet.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

kubeletScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
