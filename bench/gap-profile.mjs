// What the server's main thread ran while an attack ran, beside its baselines, from a CPU profile
// and the loop monitor's log of the same run:
//
//   ATTACK_STRETCH_TIMES=1 LOOP_MONITOR=/tmp/loop.txt \
//   SERVE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof --cpu-prof-interval 250 --import ./bench/loop-monitor.mjs' \
//   npm run bench -- attacks > /tmp/attacks.txt
//   node bench/gap-profile.mjs /tmp/loop.txt /tmp/prof/<main thread's>.cpuprofile /tmp/attacks.txt [min ms]
//
// It prints each function's self time in ms a second, in the attack stretches less in the
// baselines (the bench's `stretches` lines), then what ran in the loop's late wake-ups inside the
// attack stretches in which the main thread ran `min ms` (default 3) or more: the frame sampled and
// the outermost of this project's frames (src/) under it. The profile's clock is set beside the
// log's by its `clock` line.
import { readFileSync } from 'node:fs';

const [log, profile, benchOutput, minRan = '3'] = process.argv.slice(2);
if (!benchOutput) { console.error('usage: node bench/gap-profile.mjs <loop-monitor log> <cpuprofile> <bench output> [min ms]'); process.exit(2); }
const lines = readFileSync(log, 'utf8').split('\n');
const clock = lines.find((l) => l.startsWith('clock '))?.split(' ');
if (!clock) { console.error(`${log} has no clock line (bench/loop-monitor.mjs writes one)`); process.exit(2); }
const epochOf = (micros) => micros / 1000 + Number(clock[1]) - Number(clock[2]) / 1000;
const stretches = [...readFileSync(benchOutput, 'utf8').matchAll(/baseline (\d+)-(\d+), attack (\d+)-(\d+)/g)].map((m) => m.slice(1).map(Number));
if (!stretches.length) { console.error(`${benchOutput} has no stretches lines (run the bench with ATTACK_STRETCH_TIMES=1)`); process.exit(2); }
const seconds = (from, to) => stretches.reduce((sum, s) => sum + (s[to] - s[from]) / 1000, 0);
const whereIs = (at) => stretches.some((s) => at >= s[0] && at < s[1]) ? 'baseline' : stretches.some((s) => at >= s[2] && at < s[3]) ? 'attack' : undefined;

const { nodes, samples, timeDeltas, startTime } = JSON.parse(readFileSync(profile, 'utf8'));
const byId = new Map(nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
const label = (f) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '').replace(/.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
const ours = (id) => { let outer; for (let x = id; x !== undefined; x = parentOf.get(x)) if (byId.get(x).callFrame.url.includes('/src/')) outer = label(byId.get(x).callFrame); return outer ?? '-'; };

const gaps = lines.filter((l) => l.startsWith('gap ')).map((l) => {
  const [, at, ms] = l.split(' ');
  return { at: Number(at), ms: Number(ms), ran: Number(/ran=([\d.]+)/.exec(l)?.[1] ?? ms) };
}).filter((g) => g.ran >= Number(minRan) && whereIs(g.at) === 'attack');

const self = { baseline: new Map(), attack: new Map() };
const inGaps = new Map();
const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
let at = startTime;
for (let i = 0; i < samples.length; i++) {
  at += timeDeltas[i];
  const epoch = epochOf(at), where = whereIs(epoch);
  if (!where) continue;
  const ms = (timeDeltas[i + 1] ?? 0) / 1000;
  const top = label(byId.get(samples[i]).callFrame);
  add(self[where], top, ms);
  if (gaps.some((g) => epoch >= g.at && epoch <= g.at + g.ms + 1)) add(inGaps, `${top}  <  ${ours(samples[i])}`, ms);
}

const top = Number(process.env.TOP ?? 25);
const attackSeconds = seconds(2, 3), baselineSeconds = seconds(0, 1);
console.log(`self time, ms a second: attack less baseline (attack)   [${fmt(attackSeconds)} s of attack, ${fmt(baselineSeconds)} s of baseline]`);
const names = new Set([...self.attack.keys(), ...self.baseline.keys()]);
const rows = [...names].map((name) => [name, (self.attack.get(name) ?? 0) / attackSeconds, (self.baseline.get(name) ?? 0) / baselineSeconds]);
for (const [name, a, b] of rows.sort((x, y) => (y[1] - y[2]) - (x[1] - x[2])).slice(0, top)) console.log(`${fmt(a - b).padStart(7)} ${`(${fmt(a)})`.padStart(8)}  ${name}`);
console.log(`\nin the ${gaps.length} late wake-ups of the attack stretches where the loop ran ${minRan} ms or more, ms sampled:`);
for (const [name, ms] of [...inGaps].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${fmt(ms).padStart(7)}  ${name}`);

function fmt(n) { return n.toFixed(1); }
