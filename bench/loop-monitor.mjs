// A diagnostic preload for a bench's server process: what held its event loop, and when.
//
//   SERVE_NODE_ARGS='--import ./bench/loop-monitor.mjs' LOOP_MONITOR=/tmp/loop.txt npm run bench -- attacks
//
// It appends one line per event to $LOOP_MONITOR (default /tmp/loop-monitor-<pid>.txt), times in
// epoch ms (performance.timeOrigin + now), so they can be set beside a client's own timestamps:
//   gap <at> <ms> [ran= waited=]       the loop woke <ms> late (a 1 ms timer; 5 ms or more)
//   gc <kind> <at> <ms> new= old= promoted=   a GC pause of 3 ms or more (LOOP_MONITOR_GC_MS=0: every
//                                      one), the heap's spaces after it
//                                      (MB) and what the old generation grew by since the previous
//                                      report (pauses reported together share that figure)
//   clock <at> <monotonic µs>          once: the clock a --cpu-prof profile's timestamps are in
//   busy <at> <fraction> <cpu ms>      each second: the loop's utilization over it, and the process's
//                                      CPU time (every thread: the GC's helpers too)
//   heap <at> <file>                   LOOP_MONITOR_HEAP=1: V8's sampling heap profile of the live
//                                      objects, every second, written beside the log (inspector's
//                                      HeapProfiler; it slows the server several times over);
//                                      bench/heap-diff.mjs compares the profiles of two spans of time;
//                                      LOOP_MONITOR_HEAP=all: of every object allocated since the start,
//                                      collected or not (so two times' difference is what was allocated
//                                      between them)
// Plain JavaScript: it loads before tsx, as the first --import of the process.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

const file = process.env.LOOP_MONITOR ?? `/tmp/loop-monitor-${process.pid}.txt`;
const now = () => performance.timeOrigin + performance.now();
const lines = [];
const flush = () => { if (lines.length) { appendFileSync(file, `${lines.join('\n')}\n`); lines.length = 0; } };
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

const gcAtLeastMs = Number(process.env.LOOP_MONITOR_GC_MS ?? 3);
let oldBefore = 0;
new PerformanceObserver((list) => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  const old = (spaces.old_space ?? 0) + (spaces.large_object_space ?? 0);
  for (const entry of list.getEntries()) {
    if (entry.duration < gcAtLeastMs) continue;
    const kind = kinds[entry.detail?.kind] ?? entry.detail?.kind;
    lines.push(`gc ${kind} ${(performance.timeOrigin + entry.startTime).toFixed(0)} ${entry.duration.toFixed(1)} new=${mb(spaces.new_space ?? 0)} old=${mb(old)} promoted=${mb(old - oldBefore)}`);
  }
  oldBefore = old;
}).observe({ entryTypes: ['gc'] });

// LOOP_MONITOR_SCHED=1 (Linux): a gap's line also says how long the main thread ran in it and how
// long it waited for a core (/proc's schedstat), to tell a loop held by work from a process the
// machine did not run.
const schedFile = process.env.LOOP_MONITOR_SCHED ? `/proc/self/task/${process.pid}/schedstat` : undefined;
const sched = () => readFileSync(schedFile, 'utf8').split(' ').slice(0, 2).map((ns) => Number(ns) / 1e6);
let last = performance.now();
let lastSched = schedFile ? sched() : undefined;
setInterval(() => {
  const at = performance.now();
  const nextSched = schedFile ? sched() : undefined;
  if (at - last >= 6) {
    const where = nextSched ? ` ran=${(nextSched[0] - lastSched[0]).toFixed(1)} waited=${(nextSched[1] - lastSched[1]).toFixed(1)}` : '';
    lines.push(`gap ${(performance.timeOrigin + last).toFixed(0)} ${(at - last - 1).toFixed(1)}${where}`);
  }
  last = at;
  lastSched = nextSched;
}, 1).unref();

let elu = performance.eventLoopUtilization();
let cpu = process.cpuUsage();
setInterval(() => {
  const nextElu = performance.eventLoopUtilization();
  const nextCpu = process.cpuUsage();
  const used = (nextCpu.user - cpu.user + nextCpu.system - cpu.system) / 1000;
  lines.push(`busy ${now().toFixed(0)} ${performance.eventLoopUtilization(nextElu, elu).utilization.toFixed(3)} ${used.toFixed(0)}`);
  elu = nextElu;
  cpu = nextCpu;
}, 1000).unref();

if (process.env.LOOP_MONITOR_HEAP) {
  const session = new inspector.Session();
  session.connect();
  const all = process.env.LOOP_MONITOR_HEAP === 'all';
  session.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: all, includeObjectsCollectedByMinorGC: all });
  setInterval(() => {
    const at = now().toFixed(0);
    session.post('HeapProfiler.getSamplingProfile', (err, result) => {
      if (err) return;
      const out = `${file}.${at}.heapprofile`;
      writeFileSync(out, JSON.stringify(result.profile));
      lines.push(`heap ${at} ${out}`);
    });
  }, 1000).unref();
}

// The monotonic clock a CPU profile's timestamps are in (µs), beside epoch ms, so that a
// `--cpu-prof` profile's samples can be set beside these lines.
lines.push(`clock ${now().toFixed(3)} ${(Number(process.hrtime.bigint()) / 1000).toFixed(0)}`);

setInterval(flush, 1000).unref();
process.on('exit', flush);
