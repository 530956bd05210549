import { exchange } from './httpExchange.ts';
import { dial } from './network.ts';
import { boundedArgs, lookup, maxArgLength, parsePort, seconds, timedOutText, ToolOutput, unansweredConnectMs, type ToolContext, type ToolRun } from './netTools.ts';

/**
 * busybox wget and curl against the simulated network: the name is resolved through the pod's
 * resolver, the connection goes where kube-proxy and the policies send it (network.ts), and the
 * request is answered by the destination container's own HTTP server (httpServer.ts) from its
 * files, or routed on by an ingress controller or a Gateway (httpExchange.ts). Failures print what each client prints: busybox's `bad address`, `Connection refused`,
 * `download timed out`; curl's numbered errors (6, 7, 22, 28).
 */

interface Url { scheme: string; host: string; port: number; path: string }

/** `http://host:port/path`, `host:port`, `host/path`: bounded, one pass. */
function parseUrl(text: string): Url | undefined {
  if (text.length > maxArgLength) return undefined;
  const m = /^(?:([a-z]+):\/\/)?([^/:?#\s]+)(?::(\d{1,5}))?([/?][^\s]*)?$/i.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  const port = m[3] ? parsePort(m[3]) : scheme === 'https' ? 443 : 80;
  if (!port) return undefined;
  return { scheme, host: m[2], port, path: m[4]?.startsWith('/') ? m[4] : `/${m[4] ?? ''}` };
}

/** A `Name: value` header argument (`-H`, `--header`); curl drops one with an empty value. */
function headerArg(text: string | undefined): [string, string] | undefined {
  const i = text?.indexOf(':') ?? -1;
  if (!text || i <= 0) return undefined;
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

const header = (headers: string[], name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();

// ---------------------------------------------------------------- busybox wget

/** busybox's progress line for a finished transfer (an 80-column bar; stderr is not a terminal). */
const progressLine = (name: string, size: number) => `${name.padEnd(20).slice(0, 20)}100% |${'*'.repeat(32)}| ${String(size).padStart(6)}  0:00:00 ETA`;

export function wget(ctx: ToolContext): ToolRun {
  const out = new ToolOutput();
  let quiet = false, spider = false, showHeaders = false, output: string | undefined, timeoutMs: number | undefined, agent = 'Wget';
  const headers: Array<[string, string]> = [];
  let urlText: string | undefined;
  const args = boundedArgs(ctx.args);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const long = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (long) {
      const value = () => long[2] ?? args[++i];
      if (long[1] === 'quiet') quiet = true;
      else if (long[1] === 'spider') spider = true;
      else if (long[1] === 'server-response') showHeaders = true;
      else if (long[1] === 'output-document') output = value();
      else if (long[1] === 'timeout') timeoutMs = seconds(value());
      else if (long[1] === 'user-agent') agent = value() ?? agent;
      else if (long[1] === 'header') { const h = headerArg(value()); if (h) headers.push(h); }
      else if (['tries', 'post-data', 'user', 'password'].includes(long[1])) value();
      continue;
    }
    if (!a.startsWith('-') || a === '-') { urlText ??= a; continue; }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'q') quiet = true;
      else if (f === 'S') showHeaders = true;
      else if (f === 'c' || f === 's') continue;
      else if ('OTUYPo'.includes(f)) {
        const v = a.slice(j + 1) || args[++i];
        if (f === 'O') output = v;
        else if (f === 'T') timeoutMs = seconds(v);
        else if (f === 'U') agent = v ?? agent;
        break;
      } else { out.err(`wget: unrecognized option: ${f}`); return out.done(1); }
    }
  }
  const url = urlText === undefined ? undefined : parseUrl(urlText);
  if (!url) { out.err(urlText === undefined ? 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...' : `wget: bad address '${urlText}'`); return out.done(1); }
  let current = url;
  for (let redirects = 0; redirects < 5; redirects++) {
    const found = lookup(ctx, out, current.host);
    if (found.kind !== 'found') { out.err(`wget: bad address '${current.host}'`); return out.done(1); }
    const ip = found.ips[0];
    if (!quiet) out.err(`Connecting to ${current.host}${current.port === 80 ? '' : `:${current.port}`} (${ip}:${current.port})`);
    const reached = dial(ctx.view, ip, current.port, 'TCP');
    if (reached.kind === 'refused') { out.err(`wget: can't connect to remote host (${ip}): Connection refused`); return out.done(1); }
    if (reached.kind === 'dropped') {
      // -T arms an alarm around the connect; without it the kernel's own SYN timeout ends it.
      if (timeoutMs !== undefined) { out.wait(timeoutMs); out.err('wget: download timed out'); return out.done(1); }
      out.wait(unansweredConnectMs);
      out.err(`wget: can't connect to remote host (${ip}): ${timedOutText(ctx.image)}`);
      return out.done(1);
    }
    const response = exchange(ctx.view, reached, { method: spider ? 'HEAD' : 'GET', ...current, agent, headers, tls: current.scheme === 'https' });
    if (response.kind === 'silent') { out.wait(timeoutMs ?? unansweredConnectMs); out.err('wget: download timed out'); return out.done(1); }
    out.wait(response.waitMs);
    if (showHeaders) out.err([response.statusLine, ...response.headers].map((h) => `  ${h}`).join('\n'));
    const location = header(response.headers, 'location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = parseUrl(location);
      if (!next) { out.err(`wget: bad address '${location}'`); return out.done(1); }
      current = next;
      continue;
    }
    if (response.status >= 400 || response.status < 200) { out.err(`wget: server returned error: ${response.statusLine}`); return out.done(1); }
    if (spider) { if (!quiet) out.err('remote file exists'); return out.done(0); }
    const toStdout = output === '-';
    const file = output ?? (current.path.split('?')[0].split('/').pop() || 'index.html');
    if (!quiet) out.err(toStdout ? 'writing to stdout' : `saving to '${file}'`);
    if (toStdout) out.write(response.body);
    else out.writes.push({ path: file, content: response.body });
    if (!quiet) out.err(`${progressLine(toStdout ? '-' : file, new TextEncoder().encode(response.body).length)}\n${toStdout ? 'written to stdout' : `'${file}' saved`}`);
    return out.done(0);
  }
  out.err('wget: too many redirections');
  return out.done(1);
}

// ---------------------------------------------------------------- curl

/** curl's progress meter, as printed to a stderr that is not a terminal when the body goes to stdout or a file. */
function curlMeter(size: number): string {
  const n = String(size).padStart(5);
  return `  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n100 ${n}  100 ${n}    0     0   600k      0 --:--:-- --:--:-- --:--:--  600k`;
}

export function curl(ctx: ToolContext): ToolRun {
  const out = new ToolOutput();
  let silent = false, showError = false, head = false, include = false, fail = false, follow = false, verbose = false, insecure = false;
  let output: string | undefined, writeOut: string | undefined, maxTimeMs: number | undefined, connectTimeoutMs: number | undefined, method = 'GET';
  let caFile: string | undefined, data: string | undefined, methodGiven = false;
  const headers: Array<[string, string]> = [];
  let urlText: string | undefined;
  const args = boundedArgs(ctx.args);
  const takes = new Set(['o', 'w', 'm', 'H', 'X', 'A', 'd', 'u', 'e', 'x', 'b', 'c', 'T', 'F', 'r', 'Y', 'y']);
  const longs: Record<string, string> = { silent: 's', 'show-error': 'S', head: 'I', include: 'i', fail: 'f', location: 'L', verbose: 'v', output: 'o', 'write-out': 'w', 'max-time': 'm', header: 'H', request: 'X', 'user-agent': 'A', data: 'd', 'data-raw': 'd', insecure: 'k' };
  const apply = (f: string, value: string | undefined) => {
    switch (f) {
      case 's': silent = true; break;
      case 'S': showError = true; break;
      case 'I': head = true; method = 'HEAD'; break;
      case 'i': include = true; break;
      case 'f': fail = true; break;
      case 'L': follow = true; break;
      case 'v': verbose = true; break;
      case 'o': output = value; break;
      case 'w': writeOut = value; break;
      case 'm': maxTimeMs = seconds(value); break;
      case 'X': method = (value ?? 'GET').toUpperCase(); methodGiven = true; break;
      case 'H': { const h = headerArg(value); if (h && h[1]) headers.push(h); break; }
      case 'd': data = data === undefined ? value ?? '' : `${data}&${value ?? ''}`; break;
      case 'k': insecure = true; break;
      default:
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      if (name === 'connect-timeout') { connectTimeoutMs = seconds(inline ?? args[++i]); continue; }
      if (name === 'cacert') { caFile = inline ?? args[++i]; continue; }
      const f = longs[name];
      if (f) apply(f, takes.has(f) ? inline ?? args[++i] : undefined);
      continue;
    }
    if (!a.startsWith('-') || a === '-') { urlText ??= a; continue; }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (takes.has(f)) { apply(f, a.slice(j + 1) || args[++i]); break; }
      apply(f, undefined);
    }
  }
  const error = (code: number, text: string) => { if (!silent || showError) out.err(`curl: (${code}) ${text}`); return out.done(code); };
  if (urlText === undefined) { out.err("curl: try 'curl --help' or 'curl --manual' for more information"); return out.done(2); }
  if (data !== undefined) {
    if (!methodGiven) method = 'POST';
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  if (caFile !== undefined && ctx.files[caFile] === undefined) return error(77, `error setting certificate file: ${caFile}`);
  let url = parseUrl(urlText);
  if (!url) return error(3, 'URL rejected: Malformed input to a URL function');
  const budget = [connectTimeoutMs, maxTimeMs].filter((t): t is number => t !== undefined);
  const limitMs = budget.length ? Math.min(...budget) : undefined;
  for (let redirects = 0; ; redirects++) {
    const found = lookup(ctx, out, url.host);
    if (found.kind === 'unreachable' && limitMs !== undefined && limitMs < out.elapsedMs) { out.elapsedMs = limitMs; return error(28, `Resolving timed out after ${limitMs} milliseconds`); }
    if (found.kind !== 'found') return error(6, `Could not resolve host: ${url.host}`);
    const ip = found.ips[0];
    if (verbose) out.err(`*   Trying ${ip}:${url.port}...`);
    const reached = dial(ctx.view, ip, url.port, 'TCP');
    if (reached.kind === 'refused') return error(7, `Failed to connect to ${url.host} port ${url.port} after 0 ms: Could not connect to server`);
    if (reached.kind === 'dropped') {
      if (limitMs !== undefined) { out.wait(limitMs); return error(28, `Connection timed out after ${limitMs + 1} milliseconds`); }
      out.wait(unansweredConnectMs);
      return error(28, `Failed to connect to ${url.host} port ${url.port} after ${unansweredConnectMs} ms: Could not connect to server`);
    }
    if (verbose) out.err(`* Connected to ${url.host} (${ip}) port ${url.port}`);
    const tls = url.scheme === 'https';
    const response = exchange(ctx.view, reached, { method, ...url, agent: 'curl/8.17.0', headers, ...(data !== undefined ? { body: data } : {}), tls });
    if (response.kind === 'silent') { const t = maxTimeMs ?? unansweredConnectMs; out.wait(t); return error(28, `Operation timed out after ${t} milliseconds with 0 bytes received`); }
    // The server's certificate is the cluster CA's: trusted with --cacert (the service account's ca.crt) or not checked with -k.
    if (tls && !insecure && caFile === undefined) {
      if (!silent || showError) out.err('curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.');
      return out.done(60);
    }
    out.wait(response.waitMs);
    const location = header(response.headers, 'location');
    if (follow && location && response.status >= 300 && response.status < 400 && redirects < 10) {
      const next = parseUrl(location);
      if (next) { url = next; continue; }
    }
    if (fail && response.status >= 400) return error(22, `The requested URL returned error: ${response.status}`);
    const head_ = [response.statusLine, ...response.headers].join('\n');
    const body = head ? `${head_}\n\n` : include ? `${head_}\n\n${response.body}` : response.body;
    if (output && output !== '-') { if (output !== '/dev/null') out.writes.push({ path: output, content: body }); } else out.write(body);
    if (!silent) out.err(curlMeter(new TextEncoder().encode(response.body).length));
    if (writeOut !== undefined) {
      const fields: Record<string, string> = { http_code: String(response.status), response_code: String(response.status), remote_ip: ip, remote_port: String(url.port), size_download: String(response.body.length), url_effective: `${url.scheme}://${url.host}${url.port === 80 ? '' : `:${url.port}`}${url.path}` };
      out.write(writeOut.slice(0, maxArgLength).replace(/%\{(\w+)\}/g, (m, k: string) => fields[k] ?? m).replaceAll('\\n', '\n'));
    }
    return out.done(0);
  }
}
