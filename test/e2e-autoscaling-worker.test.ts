import { autoscalingScenario } from './scenarios/autoscaling.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

autoscalingScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
