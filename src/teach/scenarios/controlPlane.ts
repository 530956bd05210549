import type { Check, Scenario } from '../types.ts';
import { deployment, deploymentReady, namespace, nodeRef, ref } from './build.ts';

/**
 * The control plane's own failures, found and fixed from a node shell (`kubectl debug
 * node/controlplane -it --image=busybox`, then `chroot /host`): a static pod manifest with a
 * bad flag, a kubelet stopped on a worker (reached with `ssh node01` from the control plane, as
 * on a kubeadm lab), kube-apiserver pointed at the wrong etcd port.
 */

const manifests = '/etc/kubernetes/manifests';
const mirrorReady = (component: string): Check => ({
  says: `the ${component} static pod runs and is ready`,
  field: { object: ref('v1', 'Pod', `${component}-controlplane`, 'kube-system'), path: 'status.conditions[type=Ready].status', equals: 'True' },
});

export const controlPlaneScenarios: Scenario[] = [
  {
    name: 'scheduler-bad-flag',
    summary: 'New pods stay Pending with no events: kube-scheduler\'s static pod manifest has a mistyped flag',
    symptom: 'kubectl get pods -n reports: web-… Pending, and kubectl describe pod shows no events at all; kubectl get pods -n kube-system: kube-scheduler-controlplane CrashLoopBackOff; kubectl logs -n kube-system kube-scheduler-controlplane: "Error: unknown flag: --bind-adress"',
    fix: "kubectl debug node/controlplane -it --image=busybox, then: chroot /host; sed -i 's/--bind-adress/--bind-address/' /etc/kubernetes/manifests/kube-scheduler.yaml (the kubelet restarts kube-scheduler from the fixed manifest)",
    breaks: [
      { onNode: 'controlplane', script: `sed -i 's/--bind-address=/--bind-adress=/' ${manifests}/kube-scheduler.yaml` },
      { apply: namespace('reports') },
      { apply: deployment({ namespace: 'reports', name: 'web', replicas: 2 }) },
    ],
    checks: [mirrorReady('kube-scheduler'), deploymentReady('reports', 'web', 2)],
  },
  {
    name: 'kubelet-stopped',
    summary: 'node01 is NotReady: its kubelet was stopped',
    symptom: 'kubectl get nodes: node01 NotReady (after the 50 s node-monitor grace period); kubectl describe node node01: conditions Unknown, "Kubelet stopped posting node status.", taints node.kubernetes.io/unreachable',
    fix: 'kubectl debug node/controlplane -it --image=busybox, then: chroot /host; ssh node01; systemctl status kubelet (inactive (dead)); systemctl start kubelet',
    breaks: [
      { onNode: 'controlplane', script: 'ssh node01 systemctl stop kubelet' },
    ],
    checks: [
      { says: 'node01 is Ready', field: { object: nodeRef('node01'), path: 'status.conditions[type=Ready].status', equals: 'True' } },
      { says: 'node01 has no taints (the unreachable ones are gone)', field: { object: nodeRef('node01'), path: 'spec.taints', absent: true } },
    ],
  },
  {
    name: 'apiserver-etcd-servers',
    summary: 'kube-apiserver crash-loops: its manifest sends it to etcd\'s peer port 2380',
    symptom: 'kubectl get pods -n kube-system: kube-apiserver-controlplane CrashLoopBackOff; kubectl logs -n kube-system kube-apiserver-controlplane: "dial tcp 127.0.0.1:2380: connect: connection refused", then "Error creating leases: error creating storage factory: context deadline exceeded"; grep etcd-servers /etc/kubernetes/manifests/kube-apiserver.yaml on the node shows :2380',
    fix: "kubectl debug node/controlplane -it --image=busybox, then: chroot /host; sed -i 's#--etcd-servers=https://127.0.0.1:2380#--etcd-servers=https://127.0.0.1:2379#' /etc/kubernetes/manifests/kube-apiserver.yaml",
    breaks: [
      { onNode: 'controlplane', script: `sed -i 's#--etcd-servers=https://127.0.0.1:2379#--etcd-servers=https://127.0.0.1:2380#' ${manifests}/kube-apiserver.yaml` },
    ],
    checks: [
      mirrorReady('kube-apiserver'),
      { says: 'kube-apiserver talks to etcd on its client port', field: { object: ref('v1', 'Pod', 'kube-apiserver-controlplane', 'kube-system'), path: 'spec.containers[0].command', matches: '--etcd-servers=https://127\\.0\\.0\\.1:2379' } },
    ],
  },
];
