import { randomBytes } from 'node:crypto';
import { sharedWorker } from './helpers/sharedWorker.ts';
import { exerciseClassScenario } from './scenarios/exercises.ts';

/**
 * A class on the Worker (workerd, a Durable Object per cluster, the control plane in real
 * time): `exercise start` and `grade` over three clusters for an exercise graded through exec
 * in the cluster's Durable Object (a file in a pod), one set up by a break-and-fix scenario and
 * one waiting on the controllers (endpoints). Student 3 makes the wrong solution.
 */
exerciseClassScenario('Cloudflare Worker in workerd', async () => {
  const worker = await sharedWorker();
  return { url: worker.url, adminToken: worker.adminToken };
}, {
  only: ['fix-service-selector', 'volume-write-exec', 'configmap-volume'],
  students: 3, wrong: 1, settleMs: 120_000, prefix: `ex-${randomBytes(3).toString('hex')}-`,
});
