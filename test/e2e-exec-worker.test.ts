import { execScenario } from './scenarios/exec.ts';
import { networkScenario } from './scenarios/network.ts';
import { idleSessionScenario } from './scenarios/execIdle.ts';
import { nodeShellScenario } from './scenarios/nodeShell.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

// The Worker in workerd: the WebSocket ends in the cluster's Durable Object.
execScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
networkScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
idleSessionScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
nodeShellScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
