/**
 * Preloaded into the server under test by the soak (`NODE_OPTIONS=--import=<this file>`, BENCH_LAG_FILE=<path>): the
 * server's own event-loop lag, which no outside probe can see without adding its own. Every interval it appends one
 * JSON line `{at, p50, p99, max}` (ms of lag beyond the 10 ms sampling resolution, host clock) and starts afresh, so
 * the bench can cut the run into windows. Each line also carries `heapMB`: the heap in use right after the interval's
 * last major (mark-sweep) garbage collection, or null when none ran — what the program really keeps, which RSS (that
 * includes whatever room V8 chose to keep for later) does not tell. On SIGUSR2 it collects garbage fully and appends
 * `{at, forcedHeapMB}`, for the soak's moments of its own choosing. Plain JavaScript: it loads before tsx does. The
 * timer is unref'd, so it never keeps the server alive.
 */
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const file = process.env.BENCH_LAG_FILE;
if (file) {
  const RESOLUTION_MS = 10;
  const every = Number(process.env.BENCH_LAG_INTERVAL_MS) || 5000;
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  let heapAfterMajorGc = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) heapAfterMajorGc = process.memoryUsage().heapUsed / 2 ** 20;
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const line = { at: performance.timeOrigin + performance.now(), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), heapMB: heapAfterMajorGc };
    heapAfterMajorGc = null;
    h.reset();
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // the bench removed its temp dir: nothing left to report to
    }
  }, every).unref();
  // SIGUSR2: a full collection now, then one line `{at, forcedHeapMB}` — the heap the program keeps at a moment the
  // soak chooses (after setup, at the end of the sittings, after they adjourned), which the GCs V8 happens to run do
  // not give at the right time. `gc` without --expose-gc on the command line, which NODE_OPTIONS does not allow here.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    try {
      appendFileSync(file, `${JSON.stringify({ at: performance.timeOrigin + performance.now(), forcedHeapMB: process.memoryUsage().heapUsed / 2 ** 20 })}\n`);
    } catch {
      // as above
    }
  });
}
