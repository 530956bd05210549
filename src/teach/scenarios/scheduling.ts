import type { Scenario } from '../types.ts';
import { deployment, deploymentReady, namespace, nodeRef } from './build.ts';

/** Pods the scheduler places nowhere: a taint, a cordon, a nodeSelector no node matches. */
export const schedulingScenarios: Scenario[] = [
  {
    name: 'node-tainted',
    summary: 'Deployment ops/app stays Pending: node01 is tainted and nothing tolerates it',
    symptom: 'kubectl get pods -n ops: app-… Pending; kubectl describe pod: "0/2 nodes are available: 2 node(s) had untolerated taint(s)"; kubectl describe node node01: "Taints: maintenance=planned:NoSchedule"',
    fix: 'kubectl describe node node01 | grep Taints; kubectl taint node node01 maintenance-',
    breaks: [
      { patch: nodeRef('node01'), merge: { spec: { taints: [{ key: 'maintenance', value: 'planned', effect: 'NoSchedule' }] } } },
      { apply: namespace('ops') },
      { apply: deployment({ namespace: 'ops', name: 'app', replicas: 2 }) },
    ],
    checks: [deploymentReady('ops', 'app', 2)],
  },
  {
    name: 'node-cordoned',
    summary: 'Deployment cache/redis stays Pending: node01 was cordoned and never uncordoned',
    symptom: 'kubectl get nodes: node01 Ready,SchedulingDisabled; kubectl get pods -n cache: redis-… Pending ("1 node(s) were unschedulable")',
    fix: 'kubectl uncordon node01',
    breaks: [
      { patch: nodeRef('node01'), merge: { spec: { unschedulable: true } } },
      { apply: namespace('cache') },
      { apply: deployment({ namespace: 'cache', name: 'redis', image: 'redis:7' }) },
    ],
    checks: [
      { says: 'node01 takes new pods', field: { object: nodeRef('node01'), path: 'spec.unschedulable', notEquals: true } },
      deploymentReady('cache', 'redis'),
    ],
  },
  {
    name: 'nodeselector-mismatch',
    summary: 'Deployment ml/trainer stays Pending: its nodeSelector matches no node',
    symptom: 'kubectl get pods -n ml: trainer-… Pending; kubectl describe pod: "1 node(s) didn\'t match Pod\'s node affinity/selector"',
    fix: 'kubectl label node node01 accelerator=nvidia-a100 (or remove the nodeSelector: kubectl edit deployment trainer -n ml)',
    breaks: [
      { apply: namespace('ml') },
      { apply: deployment({ namespace: 'ml', name: 'trainer', image: 'busybox:1.37', container: { command: ['sleep', '3600'] }, pod: { nodeSelector: { accelerator: 'nvidia-a100' } } }) },
    ],
    checks: [deploymentReady('ml', 'trainer')],
  },
];
