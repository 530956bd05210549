import { execScenario } from './scenarios/exec.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

// The Worker under wrangler dev: the WebSocket ends in the cluster's Durable Object.
execScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
