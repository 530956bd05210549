import { ipv4, type ClusterState, type NetPod, type NetService } from './clusterState.ts';

/**
 * Cluster DNS as CoreDNS serves it with kubeadm's Corefile (`kubernetes cluster.local
 * in-addr.arpa ip6.arpa { pods insecure }`): Service names (ClusterIP, headless → ready
 * endpoint addresses, ExternalName → CNAME), endpoint names (`web-0.nginx.default.svc…`,
 * `10-244-1-5.web.default.svc…`), pod names (`10-244-1-5.default.pod.cluster.local`) and
 * reverse records, read from the cluster's objects when asked. Also what the kubelet writes
 * for a pod's resolver (/etc/resolv.conf, /etc/hosts) and how a libc reads them back.
 */

export const clusterDomain = 'cluster.local';

/** kubeadm's Corefile, as its CoreDNS addon writes it to the kube-system/coredns ConfigMap. */
export const kubeadmCorefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
/** The kubelet's --cluster-dns (kubeadm: the tenth address of the Service range, kube-dns's ClusterIP). */
export const clusterDNS = '10.96.0.10';

export type QueryType = 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'ANY';
export interface DnsRecord { name: string; type: 'A' | 'CNAME' | 'PTR'; data: string }
/** A reply: its code, its answer section, and whether CoreDNS answered for its own zone (the AA bit). */
export interface DnsReply { rcode: 'NOERROR' | 'NXDOMAIN'; records: DnsRecord[]; authoritative: boolean }

const dashed = (ip: string) => ip.replaceAll('.', '-');
const isHeadless = (svc: NetService) => !svc.spec.clusterIP || svc.spec.clusterIP === 'None';

/** The ready addresses of a service's EndpointSlices, with each one's DNS label (its hostname, else its dashed IP). */
function readyEndpoints(state: ClusterState, svc: NetService): Array<{ ip: string; label: string }> {
  const out: Array<{ ip: string; label: string }> = [];
  for (const slice of state.endpointSlices) {
    if (slice.metadata.namespace !== svc.metadata.namespace || slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    if (slice.addressType && slice.addressType !== 'IPv4') continue;
    for (const e of slice.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses) out.push({ ip, label: e.hostname ?? dashed(ip) });
    }
  }
  return out.sort((a, b) => (ipv4(a.ip) ?? 0) - (ipv4(b.ip) ?? 0));
}

const findService = (state: ClusterState, namespace: string, name: string) =>
  state.services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
const namespaceExists = (state: ClusterState, namespace: string) => state.namespaces.some((n) => n.metadata.name === namespace);

/** CoreDNS's reply to one question. Names are case-insensitive; a trailing dot is allowed. */
export function coreDNS(state: ClusterState, question: string, type: QueryType): DnsReply {
  const name = question.toLowerCase().replace(/\.$/, '');
  const none = (rcode: DnsReply['rcode'], authoritative = true): DnsReply => ({ rcode, records: [], authoritative });
  if (name.endsWith('.in-addr.arpa')) return reverse(state, name, type);
  if (name !== clusterDomain && !name.endsWith(`.${clusterDomain}`)) return none('NXDOMAIN', false); // forwarded upstream: no Internet here
  const labels = name === clusterDomain ? [] : name.slice(0, -clusterDomain.length - 1).split('.');
  const answer = (records: DnsRecord[]): DnsReply => ({ rcode: 'NOERROR', records: type === 'ANY' || records.some((r) => r.type === 'CNAME') || type === 'A' ? records : [], authoritative: true });
  const [first, second, third, fourth] = labels;
  if (!labels.length || (labels.length === 1 && (first === 'svc' || first === 'pod'))) return none('NOERROR');
  if (labels.length === 2 && (second === 'svc' || second === 'pod')) return none(namespaceExists(state, first) ? 'NOERROR' : 'NXDOMAIN');
  if (labels.length === 3 && third === 'svc') {
    const svc = findService(state, second, first);
    if (!svc) return none('NXDOMAIN');
    if (svc.spec.type === 'ExternalName') return answer([{ name, type: 'CNAME', data: svc.spec.externalName ?? '' }]);
    if (!isHeadless(svc)) return answer([{ name, type: 'A', data: svc.spec.clusterIP! }]);
    return answer(readyEndpoints(state, svc).map((e) => ({ name, type: 'A', data: e.ip })));
  }
  if (labels.length === 4 && fourth === 'svc') {
    const svc = findService(state, third, second);
    const found = svc ? readyEndpoints(state, svc).filter((e) => e.label === first) : [];
    return found.length ? answer(found.map((e) => ({ name, type: 'A', data: e.ip }))) : none('NXDOMAIN');
  }
  // `pods insecure`: the address is read from the name, for any namespace that exists.
  if (labels.length === 3 && third === 'pod') {
    const ip = first.replaceAll('-', '.');
    return ipv4(ip) !== undefined && namespaceExists(state, second) ? answer([{ name, type: 'A', data: ip }]) : none('NXDOMAIN');
  }
  return none('NXDOMAIN');
}

/** PTR records for Service ClusterIPs and the ready endpoints of Services. */
function reverse(state: ClusterState, name: string, type: QueryType): DnsReply {
  const octets = name.slice(0, -'.in-addr.arpa'.length).split('.');
  const ip = octets.length === 4 ? octets.reverse().join('.') : '';
  const ptr = (target: string): DnsReply => ({ rcode: 'NOERROR', records: type === 'PTR' || type === 'ANY' ? [{ name, type: 'PTR', data: target }] : [], authoritative: true });
  if (ipv4(ip) === undefined) return { rcode: 'NXDOMAIN', records: [], authoritative: true };
  const fqdn = (svc: NetService) => `${svc.metadata.name}.${svc.metadata.namespace}.svc.${clusterDomain}`;
  const byClusterIP = state.services.find((s) => s.spec.clusterIP === ip);
  if (byClusterIP) return ptr(fqdn(byClusterIP));
  for (const svc of state.services) {
    const endpoint = readyEndpoints(state, svc).find((e) => e.ip === ip);
    if (endpoint) return ptr(`${endpoint.label}.${fqdn(svc)}`);
  }
  return { rcode: 'NXDOMAIN', records: [], authoritative: true };
}

/** The name a reverse lookup of an address asks for. */
export const reverseName = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

// ---------------------------------------------------------------- the pod's resolver files

/** What the kubelet reads of a pod to write its resolver files. */
export interface DnsPod { metadata: { name?: string; namespace?: string }; spec: Pick<NetPod['spec'], 'hostname' | 'subdomain' | 'hostNetwork' | 'dnsPolicy' | 'dnsConfig' | 'hostAliases'> }

/**
 * /etc/resolv.conf as the kubelet writes it for the pod's dnsPolicy: ClusterFirst (the default;
 * a host-networked pod falls back to the node's unless ClusterFirstWithHostNet), Default (the
 * node's), None (only dnsConfig); dnsConfig's nameservers, searches and options are merged in.
 */
export function resolvConf(pod: DnsPod): string {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec.hostNetwork);
  const namespace = pod.metadata.namespace ?? 'default';
  const base = cluster
    ? { nameservers: [clusterDNS], searches: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain], options: [{ name: 'ndots', value: '5' }] }
    : policy === 'None' ? { nameservers: [], searches: [], options: [] } : { nameservers: ['8.8.8.8'], searches: [], options: [] };
  const config = pod.spec.dnsConfig ?? {};
  const nameservers = [...new Set([...base.nameservers, ...(config.nameservers ?? [])])].slice(0, 3);
  const searches = [...new Set([...base.searches, ...(config.searches ?? [])])];
  const options = new Map<string, string | undefined>(base.options.map((o) => [o.name, o.value] as const));
  for (const o of config.options ?? []) options.set(o.name, o.value);
  const lines = [
    ...(searches.length ? [`search ${searches.join(' ')}`] : []),
    ...nameservers.map((n) => `nameserver ${n}`),
    ...(options.size ? [`options ${[...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** /etc/hosts as the kubelet writes it (its header, the pod's own name, then hostAliases). */
export function hostsFile(pod: DnsPod, podIP: string | undefined): string {
  const lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters'];
  const hostname = pod.spec.hostname ?? pod.metadata.name ?? '';
  if (podIP && !pod.spec.hostNetwork) {
    const fqdn = pod.spec.subdomain ? `${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}\t` : '';
    lines.push(`${podIP}\t${fqdn}${hostname}`);
  }
  if (pod.spec.hostAliases?.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of pod.spec.hostAliases) lines.push(`${alias.ip}\t${(alias.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface Resolver { nameservers: string[]; search: string[]; ndots: number }

/** Bound on what is read of a resolver file a student may have rewritten. */
const maxResolverFileBytes = 64 << 10;

/** /etc/resolv.conf as a libc reads it: up to three nameservers, the last search (or domain) line, ndots. */
export function parseResolvConf(text: string | undefined): Resolver {
  const out: Resolver = { nameservers: [], search: [], ndots: 1 };
  for (const line of (text ?? '').slice(0, maxResolverFileBytes).split('\n')) {
    const [key, ...words] = line.trim().split(/\s+/);
    if (key === 'nameserver' && words[0] && out.nameservers.length < 3) out.nameservers.push(words[0]);
    else if (key === 'search' || key === 'domain') out.search = words.filter(Boolean).slice(0, 32);
    else if (key === 'options') {
      for (const w of words) { const m = /^ndots:(\d{1,2})$/.exec(w); if (m) out.ndots = Math.min(Number(m[1]), 15); }
    }
  }
  return out;
}

/** The address /etc/hosts gives a name, if any. */
export function hostsLookup(text: string | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const line of (text ?? '').slice(0, maxResolverFileBytes).split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && ipv4(ip) !== undefined && names.some((n) => n.toLowerCase() === wanted)) return ip;
  }
  return undefined;
}

/** The names a libc asks for, in order: with fewer dots than ndots the search domains come first. */
export function searchCandidates(name: string, resolver: Resolver): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = resolver.search.map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  return dots >= resolver.ndots ? [name, ...searched] : [...searched, name];
}
