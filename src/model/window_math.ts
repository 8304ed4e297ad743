import type { FloatHistogram } from "./histogram.js";
import { isStaleNaN } from "./sample.js";

/** Arithmetic over samples shared by the PromQL engine and the shards that evaluate
 * pushed-down parts of a query, so both compute the same bits. */

/** Neumaier-compensated addition: returns the new sum and compensation. Prometheus
 * sums this way (sum, avg, *_over_time), which is why results differ from naive
 * summation in the last bits. */
export function kahanAdd(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t)) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/**
 * rate/increase/delta over samples ts/vs[lo, hi) of the window (start, end]: the
 * change extrapolated towards the window's edges the way Prometheus does (at most half
 * a sample interval past the first/last sample, never below a counter's zero point).
 * Undefined with fewer than two samples.
 */
export function extrapolatedDelta(
  ts: Float64Array,
  vs: Float64Array,
  lo: number,
  hi: number,
  start: number,
  end: number,
  rangeMs: number,
  isCounter: boolean,
  isRate: boolean,
  /** False when the caller knows vs[lo, hi) has no counter reset to look for. */
  resets = isCounter,
): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = ts[lo]!;
  const lastT = ts[hi - 1]!;
  const first = vs[lo]!;
  let result = vs[hi - 1]! - first;
  if (isCounter && resets) {
    let prev = first;
    for (let k = lo + 1; k < hi; k++) {
      const cur = vs[k]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let toStart = (firstT - start) / 1000;
  let toEnd = (end - lastT) / 1000;
  const sampled = (lastT - firstT) / 1000;
  const avgStep = sampled / (n - 1);
  const threshold = avgStep * 1.1;
  if (toStart >= threshold) toStart = avgStep / 2;
  if (isCounter && result > 0 && first >= 0) {
    const toZero = sampled * (first / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = avgStep / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= rangeMs / 1000;
  return result * factor;
}

/** max_over_time of vs[lo, hi) (hi > lo): NaN only where every value is NaN. */
export function maxOf(vs: Float64Array, lo: number, hi: number): number {
  let m = vs[lo]!;
  for (let k = lo + 1; k < hi; k++) if (vs[k]! > m || Number.isNaN(m)) m = vs[k]!;
  return m;
}

/** min_over_time of vs[lo, hi) (hi > lo), as maxOf. */
export function minOf(vs: Float64Array, lo: number, hi: number): number {
  let m = vs[lo]!;
  for (let k = lo + 1; k < hi; k++) if (vs[k]! < m || Number.isNaN(m)) m = vs[k]!;
  return m;
}

/** Index range [lo, hi) of the samples of `ts` inside the left-open window (end - range, end],
 * looking only at ts[from, to). */
export function windowBounds(ts: Float64Array, end: number, range: number, hint: number, from = 0, to = ts.length): [number, number] {
  const start = end - range;
  let lo = Math.max(from, Math.min(hint, to));
  while (lo > from && ts[lo - 1]! > start) lo--;
  while (lo < to && ts[lo]! <= start) lo++;
  let hi = lo;
  while (hi < to && ts[hi]! <= end) hi++;
  return [lo, hi];
}

/** A module-level function, not a closure: the bundle names closures (esbuild's
 * keepNames) each time they are created, which costs more than this hot loop. */
function isStaleAt(vs: Float64Array, hs: (FloatHistogram | undefined)[] | undefined, i: number): boolean {
  const h = hs?.[i];
  if (h !== undefined) return isStaleNaN(h.sum);
  const v = vs[i]!;
  return v !== v && isStaleNaN(v);
}

/** The samples (and native histograms, when given) without stale markers, which
 * range functions never see. */
export function withoutStale(
  ts: Float64Array,
  vs: Float64Array,
  hs?: (FloatHistogram | undefined)[],
): { ts: Float64Array; vs: Float64Array; hs?: (FloatHistogram | undefined)[] } {
  let n = 0;
  let anyHist = false;
  for (let i = 0; i < vs.length; i++) {
    if (isStaleAt(vs, hs, i)) n++;
    else if (hs?.[i] !== undefined) anyHist = true;
  }
  if (n === 0) return anyHist ? { ts, vs, hs } : { ts, vs };
  const ots = new Float64Array(ts.length - n);
  const ovs = new Float64Array(ts.length - n);
  const ohs: (FloatHistogram | undefined)[] = [];
  let o = 0;
  for (let i = 0; i < vs.length; i++) {
    if (isStaleAt(vs, hs, i)) continue;
    const h = hs?.[i];
    if (h !== undefined) ohs[o] = h;
    ots[o] = ts[i]!;
    ovs[o++] = vs[i]!;
  }
  return anyHist ? { ts: ots, vs: ovs, hs: ohs } : { ts: ots, vs: ovs };
}
