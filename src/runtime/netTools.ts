import { imageBase } from './imageOutput.ts';
import { dial, resolveHost, type NetworkView, type Resolution } from './network.ts';

/**
 * The network commands of container images (busybox's nslookup, wget, nc and ping, curl), as
 * one interface for the shell: a command gets its arguments, the pod's view of the network and
 * its files, and returns timed output lines, how long it took on the shell's virtual clock,
 * its exit code and any files it wrote. Which image ships which command is data here.
 */

export interface ToolLine { atMs: number; text: string; stderr?: boolean }
export interface ToolRun { lines: ToolLine[]; elapsedMs: number; code: number; writes: Array<{ path: string; content: string }> }
export interface ToolContext { view: NetworkView; files: Record<string, string>; image: string; args: string[] }

/** Output on a virtual clock: what a command prints, when. */
export class ToolOutput {
  readonly lines: ToolLine[] = [];
  readonly writes: Array<{ path: string; content: string }> = [];
  elapsedMs = 0;
  private push(lines: string[], stderr: boolean) {
    for (const line of lines) this.lines.push({ atMs: this.elapsedMs, text: line, ...(stderr ? { stderr: true } : {}) });
  }
  /** Lines: `text` and a newline (`'a\n'` is `a` and an empty line). */
  out(text: string): void { this.push(text.split('\n'), false); }
  err(text: string): void { this.push(text.split('\n'), true); }
  /** Bytes as a program writes them to stdout (a body): a final newline ends the last line; none is added as a line. */
  write(text: string): void {
    if (!text) return;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    this.push(lines, false);
  }
  wait(ms: number): void { this.elapsedMs += Math.max(0, ms); }
  done(code: number): ToolRun { return { lines: this.lines, elapsedMs: this.elapsedMs, code, writes: this.writes }; }
}

/**
 * How long a connection whose packets are dropped takes to fail when the command sets no timeout
 * of its own. The kernel gives up on a SYN after about 130 s; this simulation waits this long
 * instead (README, "Known differences").
 */
export const unansweredConnectMs = 5000;

/** busybox's applets that reach the network, and the images that ship curl. */
const busyboxTools = ['nslookup', 'wget', 'nc', 'ping'];
const toolsByImage: Record<string, string[]> = {
  busybox: busyboxTools, alpine: busyboxTools,
  curl: [...busyboxTools, 'curl'], netshoot: [...busyboxTools, 'curl'], 'jessie-dnsutils': ['nslookup', 'ping'], dnsutils: ['nslookup', 'ping'],
  nginx: ['curl'],
};

/** The network commands an image has on its PATH (nginx's Alpine tags carry busybox's as well). */
export function networkTools(image: string): string[] {
  const base = imageBase(image);
  const tag = image.split('@')[0].split('/').pop()?.split(':')[1] ?? '';
  if (base === 'nginx' && tag.includes('alpine')) return [...busyboxTools, 'curl'];
  return toolsByImage[base] ?? [];
}

/** Bounds on a command line a student types: arguments and a URL are cut, never scanned beyond these. */
const maxArgs = 64;
export const maxArgLength = 2048;
export const boundedArgs = (args: string[]) => args.slice(0, maxArgs).map((a) => a.slice(0, maxArgLength));

/** A port argument (1-65535), or undefined. */
export function parsePort(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Whole seconds from a flag value (`-T 2`, `--connect-timeout 1.5`), as milliseconds. */
export function seconds(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,6}(\.\d{1,3})?$/.test(text)) return undefined;
  return Math.round(Number(text) * 1000);
}

/** getaddrinfo for a command, with the time it took on the clock. */
export function lookup(ctx: ToolContext, out: ToolOutput, host: string): Resolution {
  const resolution = resolveHost(ctx.view, ctx.files, host);
  out.wait(resolution.elapsedMs);
  return resolution;
}

/** strerror(ETIMEDOUT) of the image's libc: musl's for Alpine-based images, glibc's otherwise. */
export function timedOutText(image: string): string {
  const base = imageBase(image);
  return base === 'alpine' || base === 'curl' || image.includes('alpine') ? 'Operation timed out' : 'Connection timed out';
}

// ---------------------------------------------------------------- nc

/** busybox nc as students use it to test a port: `nc -zv web 80`, `nc -z -w 2 10.96.0.5 80`. */
export function nc(ctx: ToolContext): ToolRun {
  const out = new ToolOutput();
  let zero = false, verbose = false, udp = false, waitMs: number | undefined;
  const words: string[] = [];
  const args = boundedArgs(ctx.args);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') { words.push(a); continue; }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'z') zero = true;
      else if (f === 'v') verbose = true;
      else if (f === 'u') udp = true;
      else if (f === 'w') { const v = a.slice(j + 1) || args[++i]; waitMs = seconds(v); break; }
      else if (f === 'n') continue;
      else { out.err(`nc: invalid option -- '${f}'`); return out.done(1); }
    }
  }
  const [host, portText] = words;
  const port = parsePort(portText);
  if (!host || !port) { out.err('BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect'); return out.done(1); }
  const found = lookup(ctx, out, host);
  if (found.kind !== 'found') { out.err(`nc: bad address '${host}'`); return out.done(1); }
  const ip = found.ips[0];
  const where = `${host} (${ip}:${port})`;
  const reached = dial(ctx.view, ip, port, udp ? 'UDP' : 'TCP');
  if (reached.kind === 'refused') { out.err(`nc: ${where}: Connection refused`); return out.done(1); }
  if (reached.kind === 'dropped' && !udp) {
    out.wait(waitMs ?? unansweredConnectMs);
    out.err(`nc: ${where}: ${timedOutText(ctx.image)}`);
    return out.done(1);
  }
  if (verbose) out.err(`${where} open`);
  // Without -z nc would hold the connection for stdin; an exec'd nc has none and ends.
  void zero;
  return out.done(0);
}

// ---------------------------------------------------------------- ping

/** busybox ping: pod and node addresses answer (policies permitting ICMP); a ClusterIP never does. */
export function ping(ctx: ToolContext): ToolRun {
  const out = new ToolOutput();
  let count = 4, deadlineMs: number | undefined;
  let host: string | undefined;
  const args = boundedArgs(ctx.args);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-c') count = Math.min(Math.max(Number(args[++i]) || 1, 1), 100);
    else if (/^-c\d+$/.test(a)) count = Math.min(Number(a.slice(2)), 100) || 1;
    else if (a === '-w' || a === '-W') deadlineMs = seconds(args[++i]);
    else if (a.startsWith('-')) continue;
    else host ??= a;
  }
  if (!host) { out.err('BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST'); return out.done(1); }
  const found = lookup(ctx, out, host);
  if (found.kind !== 'found') { out.err(`ping: bad address '${host}'`); return out.done(1); }
  const ip = found.ips[0];
  out.out(`PING ${host} (${ip}): 56 data bytes`);
  const reached = dial(ctx.view, ip, 0, 'ICMP');
  const sameNode = reached.kind === 'open' && reached.pod?.spec.nodeName === ctx.view.self.spec.nodeName;
  const times: number[] = [];
  const sent = deadlineMs === undefined ? count : Math.min(count, Math.max(1, Math.ceil(deadlineMs / 1000)));
  for (let seq = 0; seq < sent; seq++) {
    if (reached.kind === 'open') {
      const time = 0.05 + ((seq * 37 + ip.length * 11) % 60) / 1000;
      times.push(time);
      out.out(`64 bytes from ${ip}: seq=${seq} ttl=${sameNode ? 64 : 63} time=${time.toFixed(3)} ms`);
    }
    if (seq < sent - 1) out.wait(1000);
  }
  if (!times.length) out.wait(1000);
  const loss = Math.round(((sent - times.length) / sent) * 100);
  out.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${times.length} packets received, ${loss}% packet loss`);
  if (times.length) {
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    out.out(`round-trip min/avg/max = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)} ms`);
  }
  return out.done(times.length ? 0 : 1);
}
