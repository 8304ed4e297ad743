import type { Bucket, FloatHistogram } from "../../../model/histogram.js";

/** Quantile and fraction estimates over a native histogram, as Prometheus computes
 * them: linear interpolation inside custom and zero buckets, exponential (linear in
 * log2) inside exponential buckets. `nanInfo` names what went wrong with NaN
 * observations, for the caller's info annotation. */

export interface Estimate {
  v: number;
  nanInfo?: "result" | "skew" | "fraction";
}

export function nativeQuantile(q: number, h: FloatHistogram): Estimate {
  if (q < 0) return { v: -Infinity };
  if (q > 1) return { v: Infinity };
  if (h.count === 0 || Number.isNaN(q)) return { v: NaN };
  const nanSum = Number.isNaN(h.sum);
  // Observations of NaN land in no bucket, so with a NaN sum the buckets are read
  // from below; otherwise from whichever end is closer to the quantile.
  const forward = nanSum || q < 0.5;
  const all = h.allBuckets();
  const it = forward ? all : all.reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let bucket: Bucket | undefined;
  let count = 0;
  let k = 0;
  for (; k < it.length; k++) {
    bucket = it[k]!;
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  // Without populated buckets (all observations NaN) the search ends on an empty one.
  bucket = bucket === undefined ? { lower: 0, upper: 0, lowerInclusive: false, upperInclusive: false, count: 0, index: 0 } : { ...bucket };
  if (!h.usesCustomBuckets() && bucket.lower < 0 && bucket.upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) bucket.lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) bucket.upper = 0;
  } else if (h.usesCustomBuckets()) {
    if (bucket.lower === -Infinity) {
      if (bucket.upper <= 0) return { v: bucket.upper };
      bucket.lower = 0;
    } else if (bucket.upper === Infinity) {
      return { v: bucket.lower };
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (nanSum) return { v: NaN, nanInfo: "result" };
    return { v: bucket.upper };
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  let nanInfo: Estimate["nanInfo"];
  if (nanSum) {
    for (k++; k < it.length; k++) count += it[k]!.count;
    if (count < h.count) nanInfo = "skew";
  }
  const fraction = rank / bucket.count;
  const out = (v: number): Estimate => (nanInfo === undefined ? { v } : { v, nanInfo });
  if (h.usesCustomBuckets() || (bucket.lower <= 0 && bucket.upper >= 0)) {
    return out(bucket.lower + (bucket.upper - bucket.lower) * fraction);
  }
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return out(2 ** (logLower + (logUpper - logLower) * fraction));
  return out(-(2 ** (logUpper + (logLower - logUpper) * (1 - fraction))));
}

/** Share of a bucket's width at or below v (strictly inside it). */
function fractionBelow(b: Bucket, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

export function nativeFraction(lower: number, upper: number, h: FloatHistogram): Estimate {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return { v: NaN };
  if (lower >= upper) return { v: 0 };
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  const all = h.allBuckets();
  let k = 0;
  for (; k < all.length; k++) {
    const b = { ...all[k]! };
    count += b.count;
    let zeroBucket = false;
    const linear = (v: number) => (b.lower === -Infinity ? b.count : rank + b.count * fractionBelow(b, v, true));
    const exponential = (v: number) => rank + b.count * fractionBelow(b, v, false);
    if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
      else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
    }
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) {
      k++;
      break;
    }
    const lin = h.usesCustomBuckets() || zeroBucket;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = lin ? linear(lower) : exponential(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = lin ? linear(upper) : exponential(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) {
      k++;
      break;
    }
    rank += b.count;
  }
  let nanInfo: Estimate["nanInfo"];
  if (Number.isNaN(h.sum)) {
    for (; k < all.length; k++) count += all[k]!.count;
    if (count < h.count) nanInfo = "fraction";
  } else {
    count = h.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  const v = (upperRank - lowerRank) / h.count;
  return nanInfo === undefined ? { v } : { v, nanInfo };
}

/** histogram_stddev/histogram_stdvar: the variance of bucket midpoints (geometric
 * for exponential buckets, arithmetic for custom ones, zero for the zero bucket)
 * around the histogram's mean. */
export function nativeVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const b of h.allBuckets()) {
    if (b.count === 0) continue;
    let val: number;
    if (h.usesCustomBuckets()) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    const inc = b.count * delta * delta;
    const t = variance + inc;
    if (!Number.isFinite(t)) c = 0;
    else if (Math.abs(variance) >= Math.abs(inc)) c += variance - t + inc;
    else c += inc - t + variance;
    variance = t;
  }
  variance += c;
  return variance / h.count;
}
