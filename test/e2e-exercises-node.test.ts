import { after } from 'node:test';
import { testAdminToken } from '../harness/server.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';
import { exerciseClassScenario } from './scenarios/exercises.ts';

/**
 * Every shipped exercise on a class of 5 clusters on the Node entry (memory store, control
 * plane live at ten times real speed): students 1–3 make the reference solution, 4–5 the wrong
 * one; student 1 solves one exercise per CKA domain with the real kubectl.
 */
let plane: ControlPlaneCluster | undefined;
after(() => plane?.close());

exerciseClassScenario('Node entry', async () => {
  plane = await startControlPlane({ mode: 'live', timeScale: 0.1, admin: true });
  return { url: plane.server!.url, adminToken: testAdminToken };
}, {
  students: 5, wrong: 2, settleMs: 120_000, prefix: 'student-',
  withKubectl: ['rbac-role-binding', 'deployment-rollout', 'expose-service', 'configmap-volume', 'volume-write-exec', 'fix-rbac-serviceaccount'],
});
