import type { Scenario } from '../types.ts';
import { deployment, deploymentReady, namespace } from './build.ts';

/** Workloads that do not run: the image, the command, the requests, the namespace's quota. */
export const workloadScenarios: Scenario[] = [
  {
    name: 'image-typo',
    summary: 'Deployment shop/web never becomes ready: its image does not exist',
    symptom: 'kubectl get pods -n shop: web-… 0/1 ErrImagePull, then ImagePullBackOff; kubectl describe pod shows "Failed to pull image … not found"',
    fix: 'kubectl set image deployment/web web=nginx:1.27 -n shop',
    breaks: [
      { apply: namespace('shop') },
      { apply: deployment({ namespace: 'shop', name: 'web', replicas: 2, image: 'nginx:1.27-typo', container: { ports: [{ containerPort: 80 }] } }) },
    ],
    checks: [deploymentReady('shop', 'web', 2)],
  },
  {
    name: 'crashloop-command',
    summary: 'Deployment jobs/worker crash-loops: its command exits at once',
    symptom: 'kubectl get pods -n jobs: worker-… 0/1 CrashLoopBackOff with RESTARTS growing; kubectl logs shows "starting" and nothing else',
    fix: "kubectl edit deployment worker -n jobs (command: [\"sh\", \"-c\", \"echo working; sleep 3600\"]), or kubectl patch … --type=json",
    breaks: [
      { apply: namespace('jobs') },
      { apply: deployment({ namespace: 'jobs', name: 'worker', image: 'busybox:1.37', container: { command: ['sh', '-c', 'echo starting; exit 1'] } }) },
    ],
    checks: [deploymentReady('jobs', 'worker')],
  },
  {
    name: 'requests-too-large',
    summary: 'Deployment analytics/report stays Pending: it requests more CPU than any node has',
    symptom: 'kubectl get pods -n analytics: report-… 0/1 Pending; kubectl describe pod: "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s) …"',
    fix: 'kubectl set resources deployment report -n analytics --requests=cpu=100m',
    breaks: [
      { apply: namespace('analytics') },
      { apply: deployment({ namespace: 'analytics', name: 'report', image: 'busybox:1.37', container: { command: ['sleep', '3600'], resources: { requests: { cpu: '64' } } } }) },
    ],
    checks: [deploymentReady('analytics', 'report')],
  },
  {
    name: 'quota-blocks-deployment',
    summary: 'Deployment team-a/web gets 2 of its 4 pods: a ResourceQuota caps the namespace',
    symptom: 'kubectl get deploy -n team-a: web 2/4; kubectl describe rs: FailedCreate "pods … is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2"',
    fix: 'kubectl edit resourcequota pods -n team-a (spec.hard.pods: "10"), or kubectl delete resourcequota pods -n team-a',
    breaks: [
      { apply: namespace('team-a') },
      { apply: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace: 'team-a' }, spec: { hard: { pods: '2' } } } },
      { apply: deployment({ namespace: 'team-a', name: 'web', replicas: 4 }) },
    ],
    checks: [deploymentReady('team-a', 'web', 4)],
  },
];
