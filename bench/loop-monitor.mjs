// A diagnostic preload for a bench's server process: what held its event loop, and when.
//
//   SERVE_NODE_ARGS='--import ./bench/loop-monitor.mjs' LOOP_MONITOR=/tmp/loop.txt npm run bench -- attacks
//
// It appends one line per event to $LOOP_MONITOR (default /tmp/loop-monitor-<pid>.txt), times in
// epoch ms (performance.timeOrigin + now), so they can be set beside a client's own timestamps:
//   gap <at> <ms>                      the loop woke <ms> late (a 1 ms timer; 5 ms or more)
//   gc <kind> <at> <ms> new= old= promoted=   a GC pause of 3 ms or more, the heap's spaces after it
//                                      (MB) and what the old generation grew by since the previous
//                                      report (pauses reported together share that figure)
//   heap <at> <file>                   LOOP_MONITOR_HEAP=1: V8's sampling heap profile of the live
//                                      objects, every second, written beside the log (inspector's
//                                      HeapProfiler; it slows the server several times over);
//                                      bench/heap-diff.mjs compares the profiles of two spans of time
// Plain JavaScript: it loads before tsx, as the first --import of the process.
import { appendFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

const file = process.env.LOOP_MONITOR ?? `/tmp/loop-monitor-${process.pid}.txt`;
const now = () => performance.timeOrigin + performance.now();
const lines = [];
const flush = () => { if (lines.length) { appendFileSync(file, `${lines.join('\n')}\n`); lines.length = 0; } };
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

let oldBefore = 0;
new PerformanceObserver((list) => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
  const old = (spaces.old_space ?? 0) + (spaces.large_object_space ?? 0);
  for (const entry of list.getEntries()) {
    if (entry.duration < 3) continue;
    const kind = kinds[entry.detail?.kind] ?? entry.detail?.kind;
    lines.push(`gc ${kind} ${(performance.timeOrigin + entry.startTime).toFixed(0)} ${entry.duration.toFixed(1)} new=${mb(spaces.new_space ?? 0)} old=${mb(old)} promoted=${mb(old - oldBefore)}`);
  }
  oldBefore = old;
}).observe({ entryTypes: ['gc'] });

let last = performance.now();
setInterval(() => {
  const at = performance.now();
  if (at - last >= 6) lines.push(`gap ${(performance.timeOrigin + last).toFixed(0)} ${(at - last - 1).toFixed(1)}`);
  last = at;
}, 1).unref();

if (process.env.LOOP_MONITOR_HEAP) {
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 8192 });
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

setInterval(flush, 1000).unref();
process.on('exit', flush);
