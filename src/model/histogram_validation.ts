import { EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN, isCustomSchema, type FloatHistogram, type Span } from "./histogram.js";

/**
 * Why Prometheus would refuse to ingest `h` (remote write or scrape), in its words,
 * or undefined when it is valid. `integer` marks a histogram that came with integer
 * counts: for those the buckets must add up to the count exactly (at most the count
 * when the sum is NaN), a check float counts are spared because of rounding.
 */
export function histogramValidationError(h: FloatHistogram, integer: boolean): string | undefined {
  if (!isCustomSchema(h.schema) && (h.schema < EXPONENTIAL_SCHEMA_MIN || h.schema > EXPONENTIAL_SCHEMA_MAX)) {
    return `histogram has an invalid schema, which must be between ${EXPONENTIAL_SCHEMA_MIN} and ${EXPONENTIAL_SCHEMA_MAX} or ${-53}, got ${h.schema}`;
  }
  let err: string | undefined;
  if (isCustomSchema(h.schema)) {
    err = customBoundsError(h.customValues ?? [], h.positiveSpans, h.positiveBuckets.length);
    if (err !== undefined) return `custom buckets: ${err}`;
    if (h.zeroCount !== 0) return "custom buckets: must have zero count of 0";
    if (h.zeroThreshold !== 0) return "custom buckets: must have zero threshold of 0";
    if (h.negativeSpans.length > 0) return "custom buckets: must not have negative spans";
    if (h.negativeBuckets.length > 0) return "custom buckets: must not have negative buckets";
  } else {
    if ((err = spansError(h.positiveSpans, h.positiveBuckets.length)) !== undefined) return `positive side: ${err}`;
    if ((err = spansError(h.negativeSpans, h.negativeBuckets.length)) !== undefined) return `negative side: ${err}`;
    if (h.customValues !== null && h.customValues.length > 0) return "histogram with exponential schema must not have custom bounds";
  }
  const neg = bucketsTotal(h.negativeBuckets);
  if (typeof neg === "string") return `negative side: ${neg}`;
  const pos = bucketsTotal(h.positiveBuckets);
  if (typeof pos === "string") return `positive side: ${pos}`;
  if (!(h.zeroCount >= 0)) return `zero bucket has observation count of ${h.zeroCount}`;
  if (!(h.count >= 0)) return `histogram has observation count of ${h.count}`;
  if (integer) {
    const inBuckets = neg + pos + h.zeroCount;
    if (Number.isNaN(h.sum)) {
      if (inBuckets > h.count) return `${inBuckets} observations found in buckets, but the Count field is ${h.count}: histogram's observation count should be at least the number of observations found in the buckets`;
    } else if (inBuckets !== h.count) {
      return `${inBuckets} observations found in buckets, but the Count field is ${h.count}: histogram's observation count should equal the number of observations found in the buckets (in absence of NaN)`;
    }
  }
  return undefined;
}

function spansError(spans: readonly Span[], buckets: number): string | undefined {
  let need = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (i > 0 && s.offset < 0) return `span number ${i + 1} with offset ${s.offset}: histogram has a span whose offset is negative`;
    need += s.length;
  }
  if (need !== buckets) return `spans need ${need} buckets, have ${buckets} buckets: histogram spans specify different number of buckets than provided`;
  return undefined;
}

function customBoundsError(bounds: readonly number[], spans: readonly Span[], buckets: number): string | undefined {
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (Number.isNaN(b)) return `bound number ${i + 1} is NaN`;
    if (i > 0 && !(b > bounds[i - 1]!)) return `previous bound is ${bounds[i - 1]} and current is ${b}: custom buckets bounds must be in strictly increasing order`;
    if (b === Infinity) return "last +Inf bound must not be explicitly defined";
  }
  let need = 0;
  let next = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.offset < 0) return `span number ${i + 1} with offset ${s.offset}: histogram has a span whose offset is negative`;
    next += s.offset + s.length;
    need += s.length;
  }
  if (need !== buckets) return `spans need ${need} buckets, have ${buckets} buckets: histogram spans specify different number of buckets than provided`;
  // The last index may be one past the bounds: the implicit +Inf bucket.
  const idx = next - 1;
  if (need > 0 && idx > bounds.length) return `span covers bucket index ${idx}, but only ${bounds.length + 1} buckets are defined by the bounds`;
  return undefined;
}

/** Sum of the absolute counts, or the problem with one of them. */
function bucketsTotal(counts: readonly number[]): number | string {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(c >= 0)) return `bucket number ${i + 1} has observation count of ${c}`;
    total += c;
  }
  return total;
}
