import { parseResolvConf, reverseName, searchCandidates, type DnsReply, type QueryType } from './dns.ts';
import { ipv4 } from './clusterState.ts';
import { dnsQuery, resolveHost, resolverTimeoutMs } from './network.ts';
import { boundedArgs, ToolOutput, type ToolContext, type ToolRun } from './netTools.ts';

/**
 * nslookup in the three shapes images ship it: busybox since 1.29 (its own resolver: A and AAAA
 * questions, the search list applied only to a name without dots, each reply printed as it comes,
 * exit code 1 if any was NXDOMAIN), busybox 1.28 and older (libc's getaddrinfo, with the search
 * list and ndots, and reverse names beside each address — why CKA courses pin `busybox:1.28`),
 * and BIND's (dnsutils images). The questions go over the simulated network to the server of
 * /etc/resolv.conf, so a Service with no CoreDNS behind it, or a policy that drops port 53,
 * makes them time out as they would.
 */

type Flavor = 'busybox' | 'busybox-1.28' | 'bind';

function flavorOf(image: string): Flavor {
  const ref = image.split('@')[0].split('/').pop() ?? '';
  const [base, tag = ''] = ref.split(':');
  if (base.includes('dnsutils') || base === 'netshoot') return 'bind';
  const m = /^(\d+)\.(\d+)/.exec(tag);
  return base === 'busybox' && m && Number(m[1]) === 1 && Number(m[2]) <= 28 ? 'busybox-1.28' : 'busybox';
}

const usage = 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any';
const queryTypes: Record<string, QueryType> = { a: 'A', aaaa: 'AAAA', ptr: 'PTR', cname: 'CNAME', any: 'ANY' };

export function nslookup(ctx: ToolContext): ToolRun {
  const flavor = flavorOf(ctx.image);
  if (flavor === 'busybox-1.28') return oldBusybox(ctx);
  const out = new ToolOutput();
  const args = boundedArgs(ctx.args);
  let timeoutMs = flavor === 'bind' ? 15_000 : resolverTimeoutMs;
  const types: QueryType[] = [];
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const [key, value = ''] = args[i].slice(1).split('=', 2);
    if (key === 'type' || key === 'querytype' || key === 'query' || key === 'q') {
      const type = queryTypes[value.toLowerCase()];
      if (!type) { out.err(`nslookup: invalid query type "${value}"`); return out.done(1); }
      types.push(type);
    } else if (key === 'timeout' || key === 't') {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) { out.err(`nslookup: invalid number '${value}'`); return out.done(1); }
      timeoutMs = seconds * 1000;
    } else if (key !== 'debug' && key !== 'retry' && key !== 'port') { out.err(usage); return out.done(1); }
  }
  const [host, explicitServer, extra] = args.slice(i);
  if (!host || extra !== undefined) { out.err(usage); return out.done(1); }
  const resolver = parseResolvConf(ctx.files['/etc/resolv.conf']);
  const servers = explicitServer ? [explicitServer] : resolver.nameservers.length ? resolver.nameservers : ['127.0.0.1'];

  // The questions: a reverse one for an address, else A and AAAA (busybox: search list only for a dotless name).
  const questions: Array<{ name: string; type: QueryType }> = [];
  if (!types.length && ipv4(host) !== undefined) questions.push({ name: reverseName(host), type: 'PTR' });
  else if (flavor === 'bind') return bindLookup(ctx, out, host, servers, types[0] ?? 'A', timeoutMs);
  else {
    const names = host.includes('.') || !resolver.search.length ? [host] : resolver.search.map((d) => `${host}.${d}`);
    for (const type of types.length ? types : ['A', 'AAAA'] as QueryType[]) for (const name of names) questions.push({ name, type });
  }
  for (const server of servers) {
    const first = dnsQuery(ctx.view, server, questions[0].name, questions[0].type);
    if (first.kind !== 'reply') {
      // Unanswered: busybox sends twice and waits its timeout; a refusal (no CoreDNS behind the
      // Service) comes back as an ICMP error that its read reports once per send.
      if (first.kind === 'refused') { out.err('nslookup: read: Connection refused'); out.wait(timeoutMs / 2); out.err('nslookup: read: Connection refused'); out.wait(timeoutMs / 2); } else out.wait(timeoutMs);
      continue;
    }
    out.out(`Server:\t\t${server}\nAddress:\t${server}:53\n`);
    let code = 0;
    for (const q of questions) {
      const result = dnsQuery(ctx.view, server, q.name, q.type);
      if (result.kind !== 'reply') continue;
      const reply = result.reply;
      if (reply.rcode !== 'NOERROR') { out.out(`** server can't find ${q.name}: ${reply.rcode}\n`); code = 1; continue; }
      if (!reply.authoritative) out.out('Non-authoritative answer:');
      if (!reply.records.length) out.out(`*** Can't find ${q.name}: No answer`);
      printRecords(out, reply);
      out.out('');
    }
    return out.done(code);
  }
  out.out(';; connection timed out; no servers could be reached\n');
  return out.done(1);
}

function printRecords(out: ToolOutput, reply: DnsReply): void {
  for (const r of reply.records) {
    if (r.type === 'A') out.out(`Name:\t${r.name}\nAddress: ${r.data}`);
    else if (r.type === 'CNAME') out.out(`${r.name}\tcanonical name = ${r.data}`);
    else out.out(`${r.name}\tname = ${r.data}`);
  }
}

/** BIND's nslookup: the search list with ndots, the first name that exists answers. */
function bindLookup(ctx: ToolContext, out: ToolOutput, host: string, servers: string[], type: QueryType, timeoutMs: number): ToolRun {
  const resolver = parseResolvConf(ctx.files['/etc/resolv.conf']);
  for (const server of servers) {
    let reply: DnsReply | undefined;
    let reached = false;
    for (const name of searchCandidates(host, resolver)) {
      const result = dnsQuery(ctx.view, server, name, type);
      if (result.kind !== 'reply') break;
      reached = true;
      reply = result.reply;
      if (reply.rcode === 'NOERROR' && reply.records.length) break;
    }
    if (!reached) { out.wait(timeoutMs); continue; }
    out.out(`Server:\t\t${server}\nAddress:\t${server}#53\n`);
    if (!reply || reply.rcode !== 'NOERROR' || !reply.records.length) { out.out(`** server can't find ${host}: ${reply?.rcode === 'NOERROR' ? 'NXDOMAIN' : reply?.rcode ?? 'NXDOMAIN'}\n`); return out.done(1); }
    if (!reply.authoritative) out.out('Non-authoritative answer:');
    printRecords(out, reply);
    out.out('');
    return out.done(0);
  }
  out.out(';; connection timed out; no servers could be reached\n');
  return out.done(1);
}

/** busybox 1.28: getaddrinfo for the name, a reverse lookup for each address, `%-10s` headers. */
function oldBusybox(ctx: ToolContext): ToolRun {
  const out = new ToolOutput();
  const args = boundedArgs(ctx.args);
  const [host, explicitServer] = args;
  if (!host || host.startsWith('-') || args.length > 2) { out.err('BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server'); return out.done(1); }
  const resolver = parseResolvConf(ctx.files['/etc/resolv.conf']);
  const server = explicitServer ?? resolver.nameservers[0] ?? '127.0.0.1';
  const reverse = (ip: string) => {
    const result = dnsQuery(ctx.view, server, reverseName(ip), 'PTR');
    if (result.kind !== 'reply') { out.wait(resolverTimeoutMs); return ''; }
    const ptr = result.reply.records.find((r) => r.type === 'PTR');
    return ptr ? ` ${ptr.data}` : '';
  };
  out.out(`${'Server:'.padEnd(10)} ${server}`);
  out.out(`Address 1: ${server}${reverse(server)}\n`);
  const found = resolveHost(ctx.view, ctx.files, host, [server]);
  out.wait(found.elapsedMs);
  if (found.kind !== 'found') { out.err(`nslookup: can't resolve '${host}'`); return out.done(1); }
  out.out(`${'Name:'.padEnd(10)} ${host}`);
  found.ips.forEach((ip, k) => out.out(`Address ${k + 1}: ${ip}${reverse(ip)}`));
  return out.done(0);
}
