import type { NetPod, NetService } from './clusterState.ts';
import { asProxied, httpConnection, listenerOn, proxyAnswer, type ProxyCode } from './httpServer.ts';
import { gatewayDataPlane, gatewayRoute, ingressRoute, isIngressNginx, requestHost, type Route, type RoutedRequest } from './httpRouting.ts';
import { imageBase } from './imageOutput.ts';
import { dial, serviceEndpoint, type ApiAnswer, type Dial, type NetworkView } from './network.ts';

/**
 * One HTTP request from a client in a pod to what it connected to (network.ts's `dial`): a
 * container's own server (httpServer.ts), or a proxy that routes it on (httpRouting.ts) — an
 * ingress-nginx pod, or a Gateway's address — which forwards it to a ready endpoint of the chosen
 * Service from its own place in the network (so NetworkPolicies judge that hop), and passes the
 * answer back, or answers itself as nginx does (404 with no route, 503/502 with no endpoint).
 */

export interface HttpRequest { method: string; host: string; port: number; path: string; agent: string; headers: Array<[string, string]>; body?: string; tls?: boolean }

export type Exchange =
  | { kind: 'response'; statusLine: string; status: number; headers: string[]; body: string; waitMs: number }
  | { kind: 'silent' };

/** An answer as text, or silence, or `pending` while some pod's containers are still to be read (the caller reads them and runs the command again). */
type Answer = { text: string; waitMs: number } | 'silent' | 'pending';

/** How long nginx waits to connect to a backend that does not answer (ingress-nginx's proxy-connect-timeout). */
const proxyConnectMs = 5000;
/** How long nginx waits for a backend that accepted and says nothing (proxy_read_timeout). */
const proxyReadMs = 60_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const open = (target: Dial): target is Extract<Dial, { kind: 'open' }> => target.kind === 'open';

function requestText(request: HttpRequest): string {
  const given = request.headers.find(([name]) => name.toLowerCase() === 'host');
  const host = given?.[1] ?? `${request.host}${request.port === 80 ? '' : `:${request.port}`}`;
  const extra = request.headers.filter(([name]) => !['host', 'user-agent', 'accept', 'connection'].includes(name.toLowerCase()));
  const agent = request.headers.find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? request.agent;
  const body = request.body === undefined ? [] : [`Content-Length: ${encoder.encode(request.body).length}`];
  return [`${request.method} ${request.path} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${agent}`, 'Accept: */*', ...extra.map(([n, v]) => `${n}: ${v}`), ...body, 'Connection: close', '', ''].join('\r\n') + (request.body ?? '');
}

/** kube-apiserver's static pod (host network, port 6443): the one server here that is not simulated but real. */
const isApiServer = (target: Extract<Dial, { kind: 'open' }>) =>
  target.port === 6443 && !!target.pod?.spec.containers?.some((c) => imageBase(c.image ?? '') === 'kube-apiserver');

const reasons: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests' };

/** The API server's answer as HTTP/1.1 text (Go's net/http writes the Date and the length). */
function apiText(answer: ApiAnswer, now: number): string {
  const body = encoder.encode(answer.body);
  const headers = answer.headers.filter(([n]) => !['content-length', 'date', 'connection', 'transfer-encoding'].includes(n.toLowerCase()));
  const name = (n: string) => n.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
  return [`HTTP/1.1 ${answer.status} ${reasons[answer.status] ?? 'Error'}`, ...headers.map(([n, v]) => `${name(n)}: ${v}`), `Date: ${new Date(now).toUTCString()}`, `Content-Length: ${body.length}`, '', ''].join('\r\n') + answer.body;
}

/** Go's net/http server answering plain HTTP on a TLS port. */
const plainToTls = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

/** The API server: the request as sent (the pod's token in its Authorization), through the real pipeline. */
function apiServer(view: NetworkView, text: string, tls: boolean): Answer {
  if (!tls) return { text: plainToTls, waitMs: 0 };
  if (!view.apiServer) return 'silent';
  const end = text.indexOf('\r\n\r\n');
  const [requestLine, ...lines] = text.slice(0, end).split('\r\n');
  const [method, target] = requestLine.split(' ');
  const headers = lines.map((l): [string, string] => { const i = l.indexOf(':'); return [l.slice(0, i).trim(), l.slice(i + 1).trim()]; })
    .filter(([n]) => !['host', 'connection', 'content-length'].includes(n.toLowerCase()));
  const body = text.slice(end + 4);
  const answer = view.apiServer({ method, target, headers, ...(body ? { body } : {}) });
  return answer ? { text: apiText(answer, view.now()), waitMs: 0 } : 'pending';
}

/** The request as a proxy routes it: method, Host (no port), path, query, headers by lower-case name. */
function routed(text: string): RoutedRequest {
  const [requestLine, ...lines] = text.split('\r\n\r\n')[0].split('\r\n');
  const [method, target] = requestLine.split(' ');
  const headers = new Map(lines.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const; }));
  const q = target.indexOf('?');
  return { method, host: requestHost(headers.get('host') ?? ''), path: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), headers };
}

/** The request with its path replaced (a rewrite), its query kept. */
function rewritten(text: string, path: string): string {
  const lineEnd = text.indexOf('\r\n');
  const [method, target, version] = text.slice(0, lineEnd).split(' ');
  const q = target.indexOf('?');
  return `${method} ${path}${q < 0 ? '' : target.slice(q)} ${version}${text.slice(lineEnd)}`;
}

/** The proxy's own answer, after what it waited. */
const own = (view: NetworkView, code: ProxyCode, method: string, waitMs = 0): Answer => ({ text: decoder.decode(proxyAnswer(code, () => view.now(), method)), waitMs });

/** A proxy forwards to one ready endpoint of the Service, from `proxy`'s place in the network. */
function forward(view: NetworkView, proxy: NetPod, route: Route, text: string, method: string, unavailable: ProxyCode, depth: number): Answer {
  if (route.kind === 'status') return own(view, route.code, method);
  const service: NetService | undefined = view.state.services.find((s) => s.metadata.namespace === route.namespace && s.metadata.name === route.name);
  const port = service?.spec.ports?.find((p) => (typeof route.port === 'number' ? p.port === route.port : p.name === route.port) && (p.protocol ?? 'TCP') === 'TCP');
  const endpoint = service && port ? serviceEndpoint(view.state, service, port) : undefined;
  if (!endpoint) return own(view, unavailable, method);
  const from: NetworkView = { ...view, self: proxy };
  const reached = dial(from, endpoint.ip, endpoint.port, 'TCP');
  if (reached.kind === 'refused') return own(view, 502, method);
  if (reached.kind === 'dropped') return own(view, 504, method, proxyConnectMs);
  const answer = serve(from, reached, route.rewrite ? rewritten(text, route.rewrite) : text, depth + 1);
  if (answer === 'pending') return answer;
  if (answer === 'silent') return own(view, 504, method, proxyReadMs);
  return { text: asProxied(answer.text), waitMs: answer.waitMs };
}

/** What answers a request on an open connection. Proxies chained into each other stop after a few hops (502, as a loop would end). */
function serve(view: NetworkView, target: Extract<Dial, { kind: 'open' }>, text: string, depth: number, tls = false): Answer {
  if (isApiServer(target)) return apiServer(view, text, tls);
  const request = routed(text);
  if (depth > 4) return own(view, 502, request.method);
  if (target.gateway) {
    const proxy = gatewayDataPlane(target.gateway, target.address ?? '');
    return forward(view, proxy, gatewayRoute(view.state, target.gateway, target.port, request), text, request.method, 502, depth);
  }
  const containers = target.pod ? view.containers(target.pod) : [];
  if (!containers) return 'pending';
  if (target.pod && target.port === 80 && containers.some((c) => isIngressNginx(c.input.image))) {
    return forward(view, target.pod, ingressRoute(view.state, target.pod, request), text, request.method, 503, depth);
  }
  const listener = containers.map((c) => listenerOn(c.input, target.port, c.startedAt)).find((l) => l);
  if (!listener || listener.kind === 'silent') return 'silent';
  const { out } = httpConnection(listener, () => view.now()).receive(encoder.encode(text));
  return { text: out.map((chunk) => decoder.decode(chunk)).join(''), waitMs: 0 };
}

/** One request on a fresh connection to an open port; `silent` when what listens says nothing. */
export function exchange(view: NetworkView, target: Dial, request: HttpRequest): Exchange {
  if (!open(target)) return { kind: 'silent' };
  const answer = serve(view, target, requestText(request), 0, request.tls);
  // Not read yet: this run's answer is discarded once the containers are read.
  if (answer === 'pending') return { kind: 'response', statusLine: 'HTTP/1.1 200 OK', status: 200, headers: [], body: '', waitMs: 0 };
  if (answer === 'silent') return { kind: 'silent' };
  const end = answer.text.indexOf('\r\n\r\n');
  if (end < 0) return { kind: 'silent' };
  const [statusLine, ...headers] = answer.text.slice(0, end).split('\r\n');
  return { kind: 'response', statusLine, status: Number(statusLine.split(' ')[1]) || 0, headers, body: answer.text.slice(end + 4), waitMs: answer.waitMs };
}
