import { autoscalingScenario } from './scenarios/autoscaling.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

autoscalingScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
