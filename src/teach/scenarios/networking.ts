import { kubeadmCorefile } from '../../runtime/dns.ts';
import type { Scenario } from '../types.ts';
import { deployment, deploymentReady, deploymentRef, namespace, ref } from './build.ts';

const service = (ns: string, name: string, selector: Record<string, string>, targetPort: number | string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports: [{ port: 80, targetPort }] },
});

const corefile = kubeadmCorefile;

const corednsConfig = (Corefile: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile } });

/** Services and DNS: traffic that goes nowhere. */
export const networkingScenarios: Scenario[] = [
  {
    name: 'service-selector',
    summary: 'Service frontend/frontend has no endpoints: its selector matches no pod',
    symptom: 'kubectl get endpoints -n frontend frontend: ENDPOINTS <none>; kubectl describe svc: Selector app=front-end, while the pods are app=frontend',
    fix: "kubectl get pods -n frontend --show-labels; kubectl patch svc frontend -n frontend -p '{\"spec\":{\"selector\":{\"app\":\"frontend\"}}}'",
    breaks: [
      { apply: namespace('frontend') },
      { apply: deployment({ namespace: 'frontend', name: 'frontend', replicas: 2, container: { ports: [{ containerPort: 80 }] } }) },
      { apply: service('frontend', 'frontend', { app: 'front-end' }, 80) },
    ],
    checks: [{ says: 'Service frontend/frontend has endpoints', field: { object: ref('v1', 'Endpoints', 'frontend', 'frontend'), path: 'subsets[0].addresses[0].ip', matches: '.' } }],
  },
  {
    name: 'service-targetport',
    summary: 'Service api/api sends traffic to port 8080, where nothing listens',
    symptom: 'kubectl get endpoints -n api api: 10.244.1.x:8080 …; wget -qO- api.api from a pod: connection refused',
    fix: "kubectl patch svc api -n api --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\",\"value\":80}]'",
    breaks: [
      { apply: namespace('api') },
      { apply: deployment({ namespace: 'api', name: 'api', container: { ports: [{ containerPort: 80, name: 'http' }] } }) },
      { apply: service('api', 'api', { app: 'api' }, 8080) },
    ],
    checks: [
      { says: 'Service api/api targets the port its pods listen on (80, or "http")', field: { object: ref('v1', 'Service', 'api', 'api'), path: 'spec.ports[0].targetPort', matches: '^(80|http)$' } },
      deploymentReady('api', 'api'),
    ],
  },
  {
    name: 'networkpolicy-deny',
    summary: 'Pod storefront/client cannot reach the web pods: a default-deny NetworkPolicy isolates them',
    symptom: 'kubectl exec -n storefront client -- wget -qO- -T 2 web: download timed out; kubectl get netpol -n storefront: default-deny-ingress',
    fix: 'add a NetworkPolicy in storefront that allows ingress to app=web from app=client on TCP 80 (keep the default deny)',
    breaks: [
      { apply: namespace('storefront') },
      { apply: deployment({ namespace: 'storefront', name: 'web', container: { ports: [{ containerPort: 80 }] } }) },
      { apply: service('storefront', 'web', { app: 'web' }, 80) },
      { apply: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'storefront', labels: { app: 'client' } }, spec: { containers: [{ name: 'client', image: 'busybox:1.37', command: ['sleep', '3600'] }] } } },
      { apply: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny-ingress', namespace: 'storefront' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } },
    ],
    checks: [
      { says: 'pods labelled app=client may reach app=web on TCP 80', networkAllows: { namespace: 'storefront', from: { app: 'client' }, to: { app: 'web' }, port: 80 }, allowed: true },
      { says: 'other pods still may not (the default deny stays)', networkAllows: { namespace: 'storefront', from: { app: 'intruder' }, to: { app: 'web' }, port: 80 }, allowed: false },
    ],
  },
  {
    name: 'coredns-scaled-to-zero',
    summary: 'No name resolves in the cluster: CoreDNS was scaled to 0',
    symptom: 'kubectl get deploy -n kube-system coredns: 0/0; kubectl get endpoints -n kube-system kube-dns: <none>; nslookup kubernetes.default from a pod times out',
    fix: 'kubectl scale deployment coredns -n kube-system --replicas=2',
    // kubeadm's ConfigMap first (this cluster's bootstrap has none), so the pods the fix brings back can mount it.
    breaks: [{ apply: corednsConfig(corefile) }, { patch: deploymentRef('kube-system', 'coredns'), merge: { spec: { replicas: 0 } } }],
    checks: [deploymentReady('kube-system', 'coredns')],
  },
  {
    name: 'coredns-configmap',
    summary: "Cluster names do not resolve: CoreDNS's Corefile serves the wrong zone",
    symptom: 'nslookup kubernetes.default from a pod: NXDOMAIN; kubectl get cm coredns -n kube-system -o yaml: "kubernetes cluster.lcoal …"',
    fix: 'kubectl edit configmap coredns -n kube-system (kubernetes cluster.local in-addr.arpa ip6.arpa), then kubectl rollout restart deployment coredns -n kube-system',
    breaks: [{ apply: corednsConfig(corefile.replace('kubernetes cluster.local', 'kubernetes cluster.lcoal')) }],
    checks: [
      { says: 'the Corefile serves cluster.local', field: { object: ref('v1', 'ConfigMap', 'coredns', 'kube-system'), path: 'data.Corefile', matches: '\\n\\s*kubernetes cluster\\.local in-addr\\.arpa ip6\\.arpa \\{' } },
      { says: 'and forwards the rest upstream', field: { object: ref('v1', 'ConfigMap', 'coredns', 'kube-system'), path: 'data.Corefile', matches: '\\n\\s*forward \\. /etc/resolv\\.conf' } },
    ],
  },
];
