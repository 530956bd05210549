import { kubeletScenario } from './scenarios/kubelet.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

kubeletScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
