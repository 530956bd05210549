import { admissionScenario } from './scenarios/admission.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

admissionScenario('Cloudflare Worker under wrangler dev, Durable Object store', () => freshWorkerCluster());
