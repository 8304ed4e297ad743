import { CounterResetHint, FloatHistogram, type Span } from "../model/histogram.js";
import { isStaleNaN } from "../model/sample.js";

/**
 * When Prometheus' TSDB appends a native histogram to a series it either continues
 * the series' current histogram chunk or cuts a new one, and what a query reads back
 * depends on that: a chunk stores one counter reset header, so the first histogram of
 * a counter chunk reads back with an unknown hint, later ones with "not reset", and
 * every histogram of a gauge chunk as a gauge. This tracks that decision per series
 * (Prometheus' FloatHistogramAppender.appendable/appendableGauge and the head's chunk
 * range cut) without encoding the chunk.
 */

/** Prometheus' default block/chunk range: head chunks never cross a 2h boundary. */
const CHUNK_RANGE_MS = 2 * 3600_000;

export class HistogramChunkState {
  private last: FloatHistogram | null = null;
  private gauge = false;
  private rangeEnd = -Infinity;
  private inChunk = 0;

  /** A float sample was appended: the next histogram starts a new chunk. */
  float(): void {
    this.last = null;
    this.inChunk = 0;
  }

  /** Appends h at t; returns the histogram as storage would read it back. */
  append(t: number, h: FloatHistogram): FloatHistogram {
    const stale = isStaleNaN(h.sum);
    const isGauge = h.counterResetHint === CounterResetHint.Gauge;
    let cut = this.last === null || t >= this.rangeEnd;
    if (!cut) cut = isGauge ? !this.appendableGauge(h, stale) : !this.appendable(h, stale);
    if (cut) {
      this.inChunk = 0;
      this.gauge = isGauge;
      this.rangeEnd = Math.floor(t / CHUNK_RANGE_MS) * CHUNK_RANGE_MS + CHUNK_RANGE_MS;
    }
    this.inChunk++;
    this.last = h;
    if (stale) {
      const out = new FloatHistogram();
      out.sum = h.sum;
      return out;
    }
    const out = h.copy();
    out.counterResetHint = this.gauge ? CounterResetHint.Gauge : this.inChunk > 1 ? CounterResetHint.NotCounterReset : CounterResetHint.Unknown;
    return out;
  }

  private appendable(h: FloatHistogram, stale: boolean): boolean {
    const a = this.last!;
    if (this.gauge) return false;
    if (h.counterResetHint === CounterResetHint.CounterReset) return false;
    if (stale) return true;
    if (isStaleNaN(a.sum)) return false;
    if (h.count < a.count) return false;
    if (h.schema !== a.schema || h.zeroThreshold !== a.zeroThreshold) return false;
    if (h.usesCustomBuckets() && !sameBounds(h.customValues, a.customValues)) return false;
    if (h.zeroCount < a.zeroCount) return false;
    return noBucketDecreased(a.positiveSpans, a.positiveBuckets, h.positiveSpans, h.positiveBuckets) &&
      noBucketDecreased(a.negativeSpans, a.negativeBuckets, h.negativeSpans, h.negativeBuckets);
  }

  private appendableGauge(h: FloatHistogram, stale: boolean): boolean {
    const a = this.last!;
    if (!this.gauge) return false;
    if (stale) return true;
    if (isStaleNaN(a.sum)) return false;
    if (h.schema !== a.schema || h.zeroThreshold !== a.zeroThreshold) return false;
    return !h.usesCustomBuckets() || sameBounds(h.customValues, a.customValues);
  }
}

function sameBounds(a: number[] | null, b: number[] | null): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function indexed(spans: Span[], buckets: number[]): Map<number, number> {
  const m = new Map<number, number>();
  let idx = 0;
  let b = 0;
  for (const s of spans) {
    idx += s.offset;
    for (let k = 0; k < s.length; k++) m.set(idx++, buckets[b++] ?? 0);
  }
  return m;
}

/** Every bucket of the previous histogram is still there with at least its count,
 * unless it was empty. */
function noBucketDecreased(aSpans: Span[], aBuckets: number[], bSpans: Span[], bBuckets: number[]): boolean {
  const b = indexed(bSpans, bBuckets);
  for (const [i, v] of indexed(aSpans, aBuckets)) {
    const w = b.get(i);
    if (w === undefined ? v !== 0 : v > w) return false;
  }
  return true;
}
