import { parseGoFloat64 } from "../../../model/strconv.js";
// Arithmetic over classic histogram buckets (float series with an `le` label) for
// histogram_quantile, histogram_quantiles and histogram_fraction, plus the two Go
// number formats their annotations need: strconv.ParseFloat for `le` values and
// fmt's %g / %.Ng for the numbers annotations print.

/** One classic bucket: its upper bound and the cumulative count up to it. */
export interface Bucket {
  upper: number;
  count: number;
}

/** Relative difference between neighbouring cumulative counts below which they are
 * treated as equal (floating-point noise from sharded or federated sums). */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Whether a and b differ by less than epsilon relative to their magnitude (both NaN
 * count as equal; near zero the smallest normal float is the scale). */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

function byUpper(a: Bucket, b: Bucket): number {
  return a.upper < b.upper ? -1 : a.upper > b.upper ? 1 : 0;
}

/** Sums buckets with the same upper bound, in place; `buckets` must be sorted.
 * Returns the coalesced prefix. */
function coalesce(buckets: Bucket[]): Bucket[] {
  let last = buckets[0]!;
  let n = 0;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.upper === last.upper) {
      last = { upper: last.upper, count: last.count + b.count };
    } else {
      buckets[n++] = last;
      last = b;
    }
  }
  buckets[n++] = last;
  buckets.length = n;
  return buckets;
}

/** Where counts had to be raised to make them non-decreasing. */
export interface MonotonicityFix {
  forced: boolean;
  /** Lowest and highest upper bound of a raised bucket, and the largest raise. */
  minBucket: number;
  maxBucket: number;
  maxDiff: number;
}

/** Replaces numerically insignificant differences between neighbouring counts (in
 * either direction) by the previous count, then raises every count that is below
 * the running maximum to it. */
function makeMonotonic(buckets: Bucket[]): MonotonicityFix {
  const fix: MonotonicityFix = { forced: false, minBucket: Infinity, maxBucket: -Infinity, maxDiff: 0 };
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    const cur = b.count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, SMALL_DELTA_TOLERANCE)) {
      b.count = prev;
      continue;
    }
    if (cur < prev) {
      b.count = prev;
      fix.forced = true;
      if (b.upper < fix.minBucket) fix.minBucket = b.upper;
      if (b.upper > fix.maxBucket) fix.maxBucket = b.upper;
      if (prev - cur > fix.maxDiff) fix.maxDiff = prev - cur;
      continue;
    }
    prev = cur;
  }
  return fix;
}

/** The smallest i in [0, n) with pred(i), or n; pred must be monotone (binary search). */
function searchFirst(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const NO_FIX: MonotonicityFix = { forced: false, minBucket: Infinity, maxBucket: -Infinity, maxDiff: 0 };

/**
 * The q-quantile of classic buckets, interpolating linearly inside the bucket the
 * rank falls in. The lowest bucket starts at 0 when its upper bound is positive
 * (otherwise its upper bound is the answer); a rank in the +Inf bucket answers the
 * second-highest bound. NaN when q is NaN, when there is no +Inf bucket, fewer than
 * two distinct bounds, or no observations; -Inf / +Inf for q below 0 / above 1.
 * `buckets` is reordered and may be modified.
 */
export function bucketQuantile(q: number, buckets: Bucket[]): { v: number; fix: MonotonicityFix } {
  if (q !== q) return { v: NaN, fix: NO_FIX };
  if (q < 0) return { v: -Infinity, fix: NO_FIX };
  if (q > 1) return { v: Infinity, fix: NO_FIX };
  buckets.sort(byUpper);
  if (buckets[buckets.length - 1]!.upper !== Infinity) return { v: NaN, fix: NO_FIX };
  const bs = coalesce(buckets);
  const fix = makeMonotonic(bs);
  if (bs.length < 2) return { v: NaN, fix };
  const total = bs[bs.length - 1]!.count;
  if (total === 0) return { v: NaN, fix };
  let rank = q * total;
  const b = searchFirst(bs.length - 1, (i) => bs[i]!.count >= rank);
  if (b === bs.length - 1) return { v: bs[bs.length - 2]!.upper, fix };
  if (b === 0 && bs[0]!.upper <= 0) return { v: bs[0]!.upper, fix };
  let start = 0;
  const end = bs[b]!.upper;
  let count = bs[b]!.count;
  if (b > 0) {
    start = bs[b - 1]!.upper;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  return { v: start + (end - start) * (rank / count), fix };
}

/**
 * The fraction of observations between lower and upper, interpolating linearly
 * inside the buckets the bounds fall in. The lowest bucket starts at 0 when its
 * upper bound is positive, else at -Inf; nothing is interpolated inside a bucket of
 * infinite width (the -Inf-based lowest bucket counts as wholly below a bound inside
 * it, the +Inf bucket as wholly above). Counts are not made monotonic. NaN when
 * there is no +Inf bucket, no observations, or a bound is NaN; 0 when
 * lower >= upper. `buckets` is reordered and may be modified.
 */
export function bucketFraction(lower: number, upper: number, buckets: Bucket[]): number {
  buckets.sort(byUpper);
  if (buckets[buckets.length - 1]!.upper !== Infinity) return NaN;
  const bs = coalesce(buckets);
  const count = bs[bs.length - 1]!.count;
  if (count === 0 || lower !== lower || upper !== upper) return NaN;
  if (lower >= upper) return 0;

  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let lowerBound = bs[0]!.upper <= 0 ? -Infinity : 0;
  for (let i = 0; i < bs.length; i++) {
    const b = bs[i]!;
    if (i > 0) lowerBound = bs[i - 1]!.upper;
    const upperBound = b.upper;
    const interpolate = (v: number): number =>
      lowerBound === -Infinity ? b.count : rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);

    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

export { parseGoFloat64 };

export { formatGoG } from "../../../model/go_format.js";
