/**
 * How a function's running time grows with its input, for tests that guard against
 * quadratic (or worse) work. Absolute times, and "x is at most k times y" comparisons
 * of two different inputs, break on a loaded machine; the growth of one input shape
 * from n to 8n holds up better: linear work grows 8x (n log n a little more),
 * quadratic work 64x. A single measurement can still be thrown by a GC pause or
 * another process, so the smallest of a few measurements counts: noise can make a
 * linear function look worse, but no noise makes quadratic work look linear.
 */
export const GROWTH_FACTOR = 8;
export const LINEAR_GROWTH_BOUND = 24;

/** CPU time (ms) the process spent in `run()`. CPU time rather than wall time: on a
 * machine busy with other work a process waits for a core, which wall time counts
 * and CPU time does not (the test files run one per process). */
export function cpuTime(run: () => void): number {
  const c0 = process.cpuUsage();
  run();
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

/** Best of `runs` CPU timings (ms) of `run()`, after `warmups` untimed runs. */
export function bestTime(run: () => void, runs = 5, warmups = 1): number {
  for (let i = 0; i < warmups; i++) run();
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, cpuTime(run));
  return best;
}

/** time(8n) / time(n), the smallest of `attempts` measurements, with `prepare`
 * building each input outside the timing. Choose n so that run(prepare(n)) takes a
 * few milliseconds: below that the timer's granularity decides the ratio. */
export function growth<T>(prepare: (n: number) => T, run: (input: T) => void, n: number, attempts = 3): number {
  const small = prepare(n);
  const large = prepare(GROWTH_FACTOR * n);
  let ratio = Infinity;
  for (let i = 0; i < attempts && ratio >= LINEAR_GROWTH_BOUND; i++) {
    ratio = Math.min(ratio, bestTime(() => run(large)) / Math.max(bestTime(() => run(small)), 0.25));
  }
  return ratio;
}
