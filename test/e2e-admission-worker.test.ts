import { admissionScenario } from './scenarios/admission.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';

admissionScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
