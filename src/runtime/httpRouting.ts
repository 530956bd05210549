import type { ClusterState, NetGateway, NetGatewayListener, NetHTTPRoute, NetIngress, NetIngressBackend, NetIngressClass, NetPod, NetRouteMatch } from './clusterState.ts';

/**
 * Layer-7 routing as the two data planes a CKA student meets do it, read from the cluster's
 * objects: ingress-nginx (a pod of its controller image routes by the Ingresses of its class)
 * and a Gateway API implementation (the address the gateway controller published in a
 * Gateway's status routes by the HTTPRoutes accepted for its listeners). Each answers a request
 * (host, path, headers) with the Service to forward it to, or with what the proxy itself answers
 * when nothing matches. Pure: no I/O, no clock; the forwarding is httpExchange.ts's.
 */

/** An HTTP request as a proxy routes it. */
export interface RoutedRequest { method: string; host: string; path: string; query: URLSearchParams; headers: Map<string, string> }

/** Where a request goes: a Service port, or the proxy's own answer (a status line's code). */
export type Route =
  | { kind: 'service'; namespace: string; name: string; port: number | string; rewrite?: string }
  | { kind: 'status'; code: 404 | 500 };

/** The request's host as both data planes compare it: no port, lower case. */
export const requestHost = (hostHeader: string) => hostHeader.replace(/:\d+$/, '').toLowerCase();

const created = (o: { metadata: { creationTimestamp?: string } }) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;
const byAge = <T extends { metadata: { creationTimestamp?: string; namespace?: string; name?: string } }>(a: T, b: T) =>
  created(a) - created(b) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);

// ---------------------------------------------------------------- ingress-nginx

/** The controller image of ingress-nginx (registry.k8s.io/ingress-nginx/controller:v1.x). */
export const isIngressNginx = (image: string | undefined) => /(^|\/)ingress-nginx\/controller(?:[:@]|$)/.test(image ?? '');

/** A controller's flags (`--ingress-class=nginx`), from its args after its own entrypoint. */
function flag(args: string[], name: string): string | undefined {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}

/** Whether an ingress-nginx pod serves an Ingress: its IngressClass (by controller), its legacy annotation, or no class when it takes those. */
export function servesIngress(classes: NetIngressClass[], controller: NetPod, ing: NetIngress): boolean {
  if (ing.metadata.deletionTimestamp) return false;
  const container = (controller.spec.containers ?? []).find((c) => isIngressNginx(c.image));
  const args = [...(container?.command ?? []), ...(container?.args ?? [])];
  const controllerClass = flag(args, 'controller-class') ?? 'k8s.io/ingress-nginx';
  const ours = classes.filter((c) => c.spec?.controller === controllerClass);
  const annotated = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  if (annotated !== undefined) return annotated === (flag(args, 'ingress-class') ?? 'nginx');
  if (ing.spec.ingressClassName) return ours.some((c) => c.metadata.name === ing.spec.ingressClassName);
  return flag(args, 'watch-ingress-without-class') === 'true'
    || ours.some((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
}

const servedIngresses = (state: ClusterState, controller: NetPod) =>
  state.ingresses.filter((ing) => servesIngress(state.ingressClasses, controller, ing)).sort(byAge);

/** A wildcard Ingress host (`*.foo.com`) covers exactly one more label. */
const ingressHostMatches = (rule: string, host: string) =>
  rule === host || (rule.startsWith('*.') && host.endsWith(rule.slice(1)) && !host.slice(0, host.length - rule.length + 1).includes('.') && host.length > rule.length - 1);

interface Location { exact: boolean; path: string; prefix: (p: string) => boolean; backend: NetIngressBackend; namespace: string; rewrite?: string }

/** Prefix: element-wise (`/foo` is `/foo`, `/foo/`, `/foo/bar`, never `/foobar`); ImplementationSpecific: nginx's own prefix location. */
function location(path: string, pathType: string | undefined, backend: NetIngressBackend, namespace: string, rewrite: string | undefined): Location {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const prefix = pathType === 'ImplementationSpecific' ? (p: string) => p.startsWith(path)
    : (p: string) => trimmed === '/' || p === trimmed || p.startsWith(`${trimmed}/`);
  return { exact: pathType === 'Exact', path, prefix, backend, namespace, rewrite };
}

const serviceOf = (backend: NetIngressBackend | undefined, namespace: string, rewrite?: string): Route | undefined =>
  backend?.service ? { kind: 'service', namespace, name: backend.service.name, port: backend.service.port?.number ?? backend.service.port?.name ?? 80, ...(rewrite ? { rewrite } : {}) } : undefined;

/**
 * `nginx.ingress.kubernetes.io/rewrite-target`: ingress-nginx rewrites a matched location's whole
 * path to the target (`/pay/x` → `/` with `rewrite-target: /`). A target naming regex captures
 * (`/$2`) is not applied: the path goes on as it came.
 */
const rewriteOf = (ing: NetIngress) => {
  const target = ing.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'];
  return target && !target.includes('$') ? target : undefined;
};

/**
 * ingress-nginx's choice for a request reaching one of its pods: the server for the request's
 * host (an exact host before a wildcard; rules without a host live in the catch-all server,
 * which only hosts no rule names reach), then its locations — an Exact path, else the longest
 * prefix, the oldest Ingress first — and else the server's default: the `defaultBackend` of an
 * Ingress defining it, or the controller's own 404.
 */
export function ingressRoute(state: ClusterState, controller: NetPod, request: RoutedRequest): Route {
  const ingresses = servedIngresses(state, controller);
  const hosts = ingresses.flatMap((ing) => (ing.spec.rules ?? []).map((r) => r.host).filter((h): h is string => !!h));
  const server = hosts.find((h) => h === request.host) ?? hosts.filter((h) => ingressHostMatches(h, request.host)).sort((a, b) => b.length - a.length)[0];
  const locations: Location[] = [];
  let fallback: Route | undefined;
  for (const ing of ingresses) {
    const namespace = ing.metadata.namespace ?? 'default';
    const rules = (ing.spec.rules ?? []).filter((r) => (r.host ?? undefined) === server);
    for (const rule of rules) for (const p of rule.http?.paths ?? []) locations.push(location(p.path ?? '/', p.pathType, p.backend, namespace, rewriteOf(ing)));
    // An Ingress's defaultBackend is the default of the servers it defines (with no rules: of the catch-all one).
    if (ing.spec.defaultBackend && (rules.length || (!server && !ing.spec.rules?.length))) fallback ??= serviceOf(ing.spec.defaultBackend, namespace);
  }
  const exact = locations.find((l) => l.exact && l.path === request.path);
  const chosen = exact ?? locations.filter((l) => !l.exact && l.prefix(request.path)).sort((a, b) => b.path.length - a.path.length)[0];
  return (chosen && serviceOf(chosen.backend, chosen.namespace, chosen.rewrite)) ?? fallback ?? { kind: 'status', code: 404 };
}

// ---------------------------------------------------------------- Gateway API

/** The data plane's controller: the simulated one of src/controlplane/controllers/gateway.ts. */
export const gatewayControllerName = 'apiserverless.dev/gateway-controller';

/** A Gateway programmed with this address that has an HTTP listener on the port. */
export function gatewayAt(state: ClusterState, ip: string, port: number): NetGateway | undefined {
  return state.gateways.find((gw) => !gw.metadata.deletionTimestamp && gw.status?.addresses?.some((a) => a.value === ip)
    && gw.spec.listeners?.some((l) => l.port === port && l.protocol === 'HTTP'));
}

/** Gateway API hostnames: a `*.` wildcard covers one label or more. */
const gatewayHostMatches = (pattern: string, host: string) => pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1);

/** Whether the route's parent status (written by the gateway controller) says it is accepted on this listener. */
function attached(route: NetHTTPRoute, gw: NetGateway, listener: NetGatewayListener): boolean {
  return (route.status?.parents ?? []).some((p) => p.controllerName === gatewayControllerName
    && p.parentRef.name === gw.metadata.name && (p.parentRef.namespace ?? route.metadata.namespace) === gw.metadata.namespace
    && (p.parentRef.sectionName === undefined || p.parentRef.sectionName === listener.name)
    && (p.parentRef.port === undefined || p.parentRef.port === listener.port)
    && p.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True'));
}

const refsUnresolved = (route: NetHTTPRoute, gw: NetGateway) => (route.status?.parents ?? []).some((p) => p.controllerName === gatewayControllerName
  && p.parentRef.name === gw.metadata.name && p.conditions?.some((c) => c.type === 'ResolvedRefs' && c.status === 'False'));

/** A match's path test; `RegularExpression` (implementation-specific) is not evaluated here and matches nothing. */
function pathMatches(match: NetRouteMatch, path: string): boolean {
  const type = match.path?.type ?? 'PathPrefix';
  const value = match.path?.value ?? '/';
  if (type === 'Exact') return path === value;
  if (type !== 'PathPrefix') return false;
  const trimmed = value.length > 1 ? value.replace(/\/+$/, '') : value;
  return trimmed === '/' || path === trimmed || path.startsWith(`${trimmed}/`);
}

function matches(match: NetRouteMatch, request: RoutedRequest): boolean {
  if (!pathMatches(match, request.path)) return false;
  if (match.method && match.method !== request.method) return false;
  // Exact values only: RegularExpression header and query matches are not evaluated (they match nothing).
  if (!(match.headers ?? []).every((h) => (h.type ?? 'Exact') === 'Exact' && request.headers.get(h.name.toLowerCase()) === h.value)) return false;
  return (match.queryParams ?? []).every((q) => (q.type ?? 'Exact') === 'Exact' && request.query.get(q.name) === q.value);
}

interface Candidate { route: NetHTTPRoute; rule: number; match: NetRouteMatch; exactHost: boolean }

/** The Gateway API's precedence among matching rules: hostname, Exact path, longest prefix, method, headers, query, oldest route, name, rule order. */
function precedence(a: Candidate, b: Candidate): number {
  const pathType = (c: Candidate) => (c.match.path?.type === 'Exact' ? 0 : 1);
  const length = (c: Candidate) => (c.match.path?.value ?? '/').length;
  return Number(b.exactHost) - Number(a.exactHost) || pathType(a) - pathType(b) || length(b) - length(a)
    || Number(!!b.match.method) - Number(!!a.match.method) || (b.match.headers?.length ?? 0) - (a.match.headers?.length ?? 0)
    || (b.match.queryParams?.length ?? 0) - (a.match.queryParams?.length ?? 0) || byAge(a.route, b.route) || a.rule - b.rule;
}

/**
 * What the Gateway at this address does with a request on `port`: the listeners on the port whose
 * hostname admits the request's host, the HTTPRoutes accepted on them whose hostnames admit it,
 * the best matching rule, and one of its backendRefs by weight. No listener or rule: 404, as
 * NGINX Gateway Fabric's default server answers; a rule whose backends are invalid (not a
 * Service, missing, not permitted): 500, as the specification asks.
 */
export function gatewayRoute(state: ClusterState, gw: NetGateway, port: number, request: RoutedRequest, random = Math.random): Route {
  const listeners = (gw.spec.listeners ?? []).filter((l) => l.port === port && l.protocol === 'HTTP' && (!l.hostname || gatewayHostMatches(l.hostname, request.host)));
  const candidates: Candidate[] = [];
  for (const route of [...state.httpRoutes].sort(byAge)) {
    if (route.metadata.deletionTimestamp || !listeners.some((l) => attached(route, gw, l))) continue;
    const hostnames = route.spec.hostnames ?? [];
    const host = hostnames.find((h) => gatewayHostMatches(h, request.host));
    if (hostnames.length && !host) continue;
    (route.spec.rules ?? []).forEach((rule, index) => {
      for (const match of rule.matches?.length ? rule.matches : [{}]) {
        if (matches(match, request)) candidates.push({ route, rule: index, match, exactHost: host === request.host });
      }
    });
  }
  const best = candidates.sort(precedence)[0];
  if (!best) return { kind: 'status', code: 404 };
  const namespace = best.route.metadata.namespace ?? 'default';
  const refs = (best.route.spec.rules?.[best.rule].backendRefs ?? []).filter((r) => (r.weight ?? 1) > 0);
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  let pick = random() * total;
  const ref = refs.find((r) => (pick -= r.weight ?? 1) < 0) ?? refs[refs.length - 1];
  if (!ref || (ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service' || ref.port === undefined) return { kind: 'status', code: 500 };
  const refNamespace = ref.namespace ?? namespace;
  const exists = state.services.some((s) => s.metadata.namespace === refNamespace && s.metadata.name === ref.name);
  if (!exists || (refNamespace !== namespace && refsUnresolved(best.route, gw))) return { kind: 'status', code: 500 };
  return { kind: 'service', namespace: refNamespace, name: ref.name, port: ref.port };
}

/**
 * The endpoint a Gateway's traffic comes from, for the backends' NetworkPolicies: NGINX Gateway
 * Fabric runs a data plane per Gateway in the Gateway's namespace, labelled with its name.
 */
export function gatewayDataPlane(gw: NetGateway, address: string): NetPod {
  return {
    metadata: { name: `${gw.metadata.name}-nginx`, namespace: gw.metadata.namespace, labels: { 'gateway.networking.k8s.io/gateway-name': gw.metadata.name ?? '' } },
    spec: { containers: [] },
    status: { phase: 'Running', podIP: address },
  };
}
