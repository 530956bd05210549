import { randomBytes } from 'node:crypto';
import { sharedWorker } from './helpers/sharedWorker.ts';
import { exerciseClassScenario } from './scenarios/exercises.ts';

/**
 * Every shipped exercise on a class of 5 on the Worker (workerd, a Durable Object per cluster,
 * the control plane in real time): `exercise start` and `grade` over the five clusters, students
 * 1–3 making the reference solution (student 1 the exec one with the real kubectl, its file read
 * back through exec in the cluster's Durable Object), 4–5 the wrong one.
 */
exerciseClassScenario('Cloudflare Worker in workerd', async () => {
  const worker = await sharedWorker();
  return { url: worker.url, adminToken: worker.adminToken };
}, {
  students: 5, wrong: 2, settleMs: 120_000, prefix: `ex-${randomBytes(3).toString('hex')}-`,
  withKubectl: ['volume-write-exec'],
});
