import { imageBase, nginxVersion } from './imageOutput.ts';
import { serverPorts } from './serverPorts.ts';
import type { ProgramInput } from './timeline.ts';

/**
 * What answers on a container's port: the HTTP/1.1 server of an nginx or httpd image, serving
 * the files of its document root from the container's filesystem (its own pages, or the
 * ConfigMap a student mounted over them) with the headers and error pages each server writes;
 * or, on the other ports a known server image listens on, a server that takes bytes and says
 * nothing (redis, databases). A port nobody listens on has no listener: the caller refuses it.
 * Requests are parsed with bounded buffers; a connection is a byte stream in, bytes out.
 */

interface Flavor {
  root: string;
  /** The headers that come first and last, around Content-Type and Content-Length, as each server orders them. */
  head(status: string, date: string, type: string, length: number, extra: string[], keepAlive: boolean): string[];
  errorPage(status: string): { type: string; body: string };
}

/** nginx; `token` is what its Server header and error pages name (`nginx` alone with server_tokens off, as proxies set it). */
const nginxFlavor = (token: string): Flavor => ({
  root: '/usr/share/nginx/html',
  head: (status, date, type, length, extra, keepAlive) => [
    `HTTP/1.1 ${status}`, `Server: ${token}`, `Date: ${date}`, `Content-Type: ${type}`, `Content-Length: ${length}`,
    ...extra.filter((h) => h.startsWith('Last-Modified') || h.startsWith('Location')), `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
    ...extra.filter((h) => !h.startsWith('Last-Modified') && !h.startsWith('Location')),
  ],
  errorPage: (status) => ({
    type: 'text/html',
    body: `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>${token}</center>\r\n</body>\r\n</html>\r\n`,
  }),
});
const nginx = nginxFlavor(`nginx/${nginxVersion}`);
/** An nginx-based proxy (ingress-nginx, NGINX Gateway Fabric): server_tokens off. */
const proxy = nginxFlavor('nginx');

const apacheMessages: Record<string, string> = {
  '404 Not Found': 'The requested URL was not found on this server.',
  '403 Forbidden': 'You don\'t have permission to access this resource.',
  '400 Bad Request': 'Your browser sent a request that this server could not understand.<br />\n',
  '405 Method Not Allowed': 'The requested method is not allowed for this URL.',
  '413 Request Entity Too Large': 'The requested resource does not allow request data with this method, or the amount of data provided in the request exceeds the capacity limit.',
  '301 Moved Permanently': 'The document has moved.',
};

const httpd: Flavor = {
  root: '/usr/local/apache2/htdocs',
  head: (status, date, type, length, extra, keepAlive) => [
    `HTTP/1.1 ${status}`, `Date: ${date}`, 'Server: Apache/2.4.65 (Unix)', ...extra, `Content-Length: ${length}`,
    ...(keepAlive ? ['Keep-Alive: timeout=5, max=100', 'Connection: Keep-Alive'] : ['Connection: close']), `Content-Type: ${type}`,
  ],
  errorPage: (status) => ({
    type: 'text/html; charset=iso-8859-1',
    body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status}</title>\n</head><body>\n<h1>${status.slice(4)}</h1>\n<p>${apacheMessages[status] ?? ''}</p>\n</body></html>\n`,
  }),
};

const flavors: Record<string, Flavor> = { nginx, httpd };

const mimeTypes: Record<string, string> = {
  html: 'text/html', htm: 'text/html', css: 'text/css', js: 'application/javascript', json: 'application/json', txt: 'text/plain',
  xml: 'text/xml', svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', ico: 'image/x-icon',
};

/** What listens on a container port. */
export type Listener = { kind: 'http'; flavor: Flavor; files: Record<string, string>; startedAt: number } | { kind: 'silent' };

/** The container's listener on `port`, if its image's server listens there. */
export function listenerOn(input: ProgramInput, port: number, startedAt: number): Listener | undefined {
  if (!Object.hasOwn(serverPorts(input), port)) return undefined;
  const flavor = flavors[imageBase(input.image)] ?? flavors[imageBase(input.image).split('-')[0]];
  return flavor && port === 80 ? { kind: 'http', flavor, files: input.files ?? {}, startedAt } : { kind: 'silent' };
}

/** Bounds of one request: nginx's large header buffers, and its default client_max_body_size. */
const maxHeaderBytes = 16 << 10;
const maxBodyBytes = 1 << 20;

const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

export interface HttpConnection {
  /** Bytes from the client; returns what the server writes back, and whether it then closes. */
  receive(data: Uint8Array): { out: Uint8Array[]; close: boolean };
}

export function httpConnection(listener: Listener, now: () => number): HttpConnection {
  if (listener.kind === 'silent') return { receive: () => ({ out: [], close: false }) };
  let buffer = new Uint8Array(0);
  let closed = false;
  return {
    receive(data) {
      const out: Uint8Array[] = [];
      if (closed) return { out, close: true };
      const joined = new Uint8Array(buffer.length + data.length);
      joined.set(buffer);
      joined.set(data, buffer.length);
      buffer = joined;
      // Pipelined requests are answered in order.
      for (;;) {
        const text = latin1.decode(buffer.subarray(0, Math.min(buffer.length, maxHeaderBytes + 4)));
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > maxHeaderBytes) { out.push(respond(listener, now, 'GET', '400 Bad Request', false)); closed = true; }
          break;
        }
        const [requestLine, ...headerLines] = text.slice(0, end).split('\r\n');
        const headers = new Map(headerLines.map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const; }));
        const match = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(requestLine);
        const length = Number(headers.get('content-length') ?? '0');
        if (!match || !Number.isSafeInteger(length) || length < 0 || headers.has('transfer-encoding')) {
          out.push(respond(listener, now, 'GET', '400 Bad Request', false));
          closed = true;
          break;
        }
        if (length > maxBodyBytes) { out.push(respond(listener, now, 'GET', '413 Request Entity Too Large', false)); closed = true; break; }
        if (buffer.length < end + 4 + length) break;
        buffer = buffer.slice(end + 4 + length);
        const connection = (headers.get('connection') ?? '').toLowerCase();
        const keepAlive = match[3] === '1.1' ? connection !== 'close' : connection === 'keep-alive';
        out.push(serve(listener, now, match[1], match[2], headers.get('host') ?? 'localhost', keepAlive));
        if (!keepAlive) { closed = true; break; }
      }
      return { out, close: closed };
    },
  };
}

/** nginx's status lines for the answers a proxy gives itself. */
export type ProxyCode = 404 | 500 | 502 | 503 | 504;
const proxyStatus: Record<ProxyCode, string> = { 404: '404 Not Found', 500: '500 Internal Server Error', 502: '502 Bad Gateway', 503: '503 Service Temporarily Unavailable', 504: '504 Gateway Time-out' };

/** What an nginx-based proxy answers itself (no route, no backend), on a connection the client asked to close. */
export function proxyAnswer(code: ProxyCode, now: () => number, method: string): Uint8Array {
  return respond({ kind: 'http', flavor: proxy, files: {}, startedAt: 0 }, now, method, proxyStatus[code], false);
}

/** A proxied response as the proxy passes it on: its own Server header in place of the backend's. */
export function asProxied(response: string): string {
  return response.replace(/^(HTTP\/1\.[01] [^\r]*\r\n(?:[^\r]+\r\n)*?)Server: [^\r]*\r\n/, '$1Server: nginx\r\n');
}

function respond(listener: Extract<Listener, { kind: 'http' }>, now: () => number, method: string, status: string, keepAlive: boolean, extra: string[] = []): Uint8Array {
  const page = listener.flavor.errorPage(status);
  const body = encoder.encode(page.body);
  return message(listener.flavor.head(status, new Date(now()).toUTCString(), page.type, body.length, extra, keepAlive), method === 'HEAD' ? new Uint8Array(0) : body);
}

function message(head: string[], body: Uint8Array): Uint8Array {
  const top = encoder.encode(`${head.join('\r\n')}\r\n\r\n`);
  const out = new Uint8Array(top.length + body.length);
  out.set(top);
  out.set(body, top.length);
  return out;
}

/** A static file server over the document root: index.html for a directory, a redirect to add its slash, 404 otherwise. */
function serve(listener: Extract<Listener, { kind: 'http' }>, now: () => number, method: string, target: string, host: string, keepAlive: boolean): Uint8Array {
  const { flavor, files } = listener;
  let path: string;
  try { path = decodeURIComponent(target.split('?')[0].replace(/^https?:\/\/[^/]+/, '')); } catch { return respond(listener, now, method, '400 Bad Request', false); }
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '..') { if (!parts.pop()) return respond(listener, now, method, '400 Bad Request', false); } else if (p && p !== '.') parts.push(p);
  }
  const file = `${flavor.root}${parts.length ? `/${parts.join('/')}` : ''}`;
  const isDir = (p: string) => Object.keys(files).some((f) => f.startsWith(`${p}/`));
  let found = path.endsWith('/') || !parts.length ? `${file.replace(/\/$/, '')}/index.html` : file;
  if (!path.endsWith('/') && parts.length && !Object.hasOwn(files, found) && isDir(file)) {
    return respond(listener, now, method, '301 Moved Permanently', keepAlive, [`Location: http://${host}${path}/`]);
  }
  if (!Object.hasOwn(files, found)) {
    const forbidden = found.endsWith('/index.html') && isDir(found.slice(0, -'/index.html'.length));
    return respond(listener, now, method, forbidden ? '403 Forbidden' : '404 Not Found', keepAlive);
  }
  if (method !== 'GET' && method !== 'HEAD') return respond(listener, now, method, '405 Method Not Allowed', keepAlive);
  found = found.replace(/\/+/g, '/');
  const body = encoder.encode(files[found]);
  const modified = Math.floor(listener.startedAt / 1000);
  const type = mimeTypes[found.split('.').pop() ?? ''] ?? 'application/octet-stream';
  const extra = [`Last-Modified: ${new Date(modified * 1000).toUTCString()}`, `ETag: "${modified.toString(16)}-${body.length.toString(16)}"`, 'Accept-Ranges: bytes'];
  return message(flavor.head('200 OK', new Date(now()).toUTCString(), type, body.length, extra, keepAlive), method === 'HEAD' ? new Uint8Array(0) : body);
}
