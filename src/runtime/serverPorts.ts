import { imageBase } from './imageOutput.ts';
import { isIngressNginx } from './httpRouting.ts';
import type { ProgramInput } from './timeline.ts';

/**
 * What a known server image listens on when it runs its own entrypoint: its ports, and the
 * HTTP paths it answers 200 there. Probes, port-forward and the cluster network ask it.
 */

/** Ports (and HTTP paths answered 200) of server images when they run their own entrypoint. */
const listening: Record<string, Record<number, string[]>> = {
  nginx: { 80: ['/', '/index.html', '/50x.html'] },
  httpd: { 80: ['/', '/index.html'] },
  redis: { 6379: [] }, postgres: { 5432: [] }, mysql: { 3306: [] }, mariadb: { 3306: [] },
  coredns: { 53: [], 8080: ['/health'], 8181: ['/ready'], 9153: ['/metrics'] },
  // The control plane's own health endpoints, which kubeadm's static pods probe.
  etcd: { 2379: [], 2381: ['/health', '/livez', '/readyz'] },
  'kube-apiserver': { 6443: ['/livez', '/readyz', '/healthz'] },
  'kube-controller-manager': { 10257: ['/healthz'] },
  'kube-scheduler': { 10259: ['/livez', '/readyz', '/healthz'] },
  'kube-proxy': { 10249: ['/metrics'], 10256: ['/healthz'] },
};

/** ingress-nginx: HTTP and HTTPS, and its health port (the kubelet probes /healthz on 10254). */
const ingressNginx: Record<number, string[]> = { 80: [], 443: [], 10254: ['/healthz'] };

/** The ports (and HTTP paths answered 200) the image's server listens on; none when the pod replaces its command with something else. */
export function serverPorts(input: ProgramInput): Record<number, string[]> {
  const base = imageBase(input.image);
  // ingress-nginx's controller image is named `controller`: known by its repository, not its base name.
  if (isIngressNginx(input.image)) return input.command?.length ? {} : ingressNginx;
  const own = !input.command?.length || [base, 'docker-entrypoint.sh'].includes(input.command[0].split('/').pop()!) || input.command[0].startsWith('-');
  return own ? listening[base] ?? listening[base.split('-')[0]] ?? {} : {};
}
