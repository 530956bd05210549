// What was live more in one span of time than in another, by where it was allocated, from the
// heap profiles bench/loop-monitor.mjs writes (LOOP_MONITOR_HEAP=1):
//
//   node bench/heap-diff.mjs /tmp/loop.txt <from>-<to>[,…] <from>-<to>[,…]
//
// Spans are epoch ms (a bench's own timestamps); each span's profiles are averaged, the first
// spans' taken from the second's. A site is the allocating frame and the last three of this
// project's frames (src/) on its stack.
import { readFileSync } from 'node:fs';

const [log, before, after] = process.argv.slice(2);
if (!after) { console.error('usage: node bench/heap-diff.mjs <loop-monitor log> <from-to,…> <from-to,…>'); process.exit(2); }
const within = (at, spans) => spans.split(',').some((span) => { const [from, to] = span.split('-').map(Number); return at >= from && at <= to; });
const frame = (cf) => `${cf.functionName || '(anonymous)'}@${cf.url.split('/').slice(-2).join('/')}`;
const profiles = readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('heap ')).map((l) => { const [, at, file] = l.split(' '); return { at: Number(at), file }; });

function liveBySite(file) {
  const sites = new Map();
  const walk = (node, stack) => {
    const here = [...stack, node.callFrame];
    if (node.selfSize) {
      const ours = here.filter((cf) => cf.url.includes('/src/')).slice(-3).map(frame).join(' < ');
      const site = `${frame(node.callFrame)} :: ${ours}`;
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children ?? []) walk(child, here);
  };
  walk(JSON.parse(readFileSync(file, 'utf8')).head, []);
  return sites;
}

function averaged(spans) {
  const chosen = profiles.filter((p) => within(p.at, spans));
  const sum = new Map();
  for (const { file } of chosen) for (const [site, bytes] of liveBySite(file)) sum.set(site, (sum.get(site) ?? 0) + bytes / chosen.length);
  return { sum, count: chosen.length };
}

const a = averaged(before), b = averaged(after);
const total = (m) => [...m.values()].reduce((x, y) => x + y, 0);
const mb = (bytes) => (bytes / 1e6).toFixed(2);
console.log(`profiles: ${a.count} then ${b.count}; live (sampled) ${mb(total(a.sum))} MB, then ${mb(total(b.sum))} MB`);
const sites = new Set([...a.sum.keys(), ...b.sum.keys()]);
const grown = [...sites].map((site) => [site, (b.sum.get(site) ?? 0) - (a.sum.get(site) ?? 0)]).sort((x, y) => y[1] - x[1]);
for (const [site, bytes] of grown.slice(0, Number(process.env.TOP ?? 20))) console.log(`${mb(bytes).padStart(8)} MB  ${site}`);
