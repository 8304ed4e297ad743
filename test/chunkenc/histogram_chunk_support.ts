/** Histogram sequences and checks shared by the float and integer histogram chunk tests. */
import { expect } from "vitest";
import fc from "fast-check";
import type { HistogramChunkBase } from "../../src/chunkenc/histogram_chunk_base.js";
import { sameFloatBits } from "../../src/chunkenc/floatbits.js";
import { CounterResetHint, CUSTOM_BUCKETS_SCHEMA, FloatHistogram, type Span } from "../../src/model/histogram.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";

/** Buckets as index -> count without empty ones: what a histogram means, whatever
 * its span layout. */
export function bucketMap(spans: { offset: number; length: number }[], buckets: number[]): Map<number, number> {
  const m = new Map<number, number>();
  let i = 0;
  let b = 0;
  for (const s of spans) {
    i += s.offset;
    for (let k = 0; k < s.length; k++, i++, b++) if (buckets[b] !== 0) m.set(i, buckets[b]!);
  }
  return m;
}

export function expectSameHistogram(got: FloatHistogram, want: FloatHistogram): void {
  expect(sameFloatBits(got.sum, want.sum)).toBe(true);
  if (isStaleNaN(want.sum)) return;
  expect(got.schema).toBe(want.schema);
  expect(got.zeroThreshold).toBe(want.zeroThreshold);
  expect(got.count).toBe(want.count);
  expect(got.zeroCount).toBe(want.zeroCount);
  expect(bucketMap(got.positiveSpans, got.positiveBuckets)).toEqual(bucketMap(want.positiveSpans, want.positiveBuckets));
  expect(bucketMap(got.negativeSpans, got.negativeBuckets)).toEqual(bucketMap(want.negativeSpans, want.negativeBuckets));
  expect(got.customValues ?? []).toEqual(want.schema === CUSTOM_BUCKETS_SCHEMA ? (want.customValues ?? []) : []);
}

/** A histogram from sparse buckets (index -> count). */
export function hist(fields: Partial<FloatHistogram>, pos: [number, number][], neg: [number, number][] = []): FloatHistogram {
  const h = FloatHistogram.from(fields);
  const lay = (list: [number, number][]) => {
    const sorted = [...list].sort((a, b) => a[0] - b[0]).filter((e, i, a) => i === 0 || a[i - 1]![0] !== e[0]);
    const spans: { offset: number; length: number }[] = [];
    let last = 0;
    for (const [i] of sorted) {
      if (spans.length > 0 && i === last + 1) spans[spans.length - 1]!.length++;
      else spans.push({ offset: spans.length === 0 ? i : i - last - 1, length: 1 });
      last = i;
    }
    return { spans, buckets: sorted.map((e) => e[1]) };
  };
  const p = lay(pos);
  const n = lay(neg);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  return h;
}

/** Appends like a head does: a histogram that does not fit, or is in the next 2h
 * range, starts a new chunk. */
export function encodeAll<C extends HistogramChunkBase>(samples: { t: number; h: FloatHistogram }[], make: () => C): C[] {
  const chunks: C[] = [];
  const range = (t: number) => Math.floor(t / 7_200_000);
  for (const s of samples) {
    const cur = chunks[chunks.length - 1];
    if (cur !== undefined && range(cur.minTime()) === range(s.t) && cur.append(s.t, s.h) === null) continue;
    const c = make();
    expect(c.append(s.t, s.h)).toBeNull();
    chunks.push(c);
  }
  return chunks;
}

/** Checks that chunks read back every sample, with the hints of the cut decisions the
 * storage-free model of the head makes. */
export function expectReadBack(
  samples: { t: number; h: FloatHistogram }[],
  chunks: HistogramChunkBase[],
  decode: (bytes: Uint8Array) => { ts: Float64Array; hs: FloatHistogram[] },
): void {
  const model = new ReferenceHints();
  const got = chunks.flatMap((c) => {
    const d = decode(c.bytes().slice());
    return d.hs.map((h, i) => ({ t: d.ts[i]!, h }));
  });
  expect(got.map((g) => g.t)).toEqual(samples.map((s) => s.t));
  samples.forEach((s, i) => {
    expectSameHistogram(got[i]!.h, s.h);
    const want = model.append(s.t, s.h);
    if (!isStaleNaN(s.h.sum)) expect(got[i]!.h.counterResetHint).toBe(want.counterResetHint);
  });
}

/** Steps of a sequence of histograms of one series (see `series`); `inc` draws the
 * counts added (integers for integer chunks). */
export function makeStep(inc: fc.Arbitrary<number>) {
  return fc.record({
    dt: fc.oneof(fc.constant(15_000), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2 ** 40 })),
    kind: fc.constantFrom("grow", "grow", "grow", "grow", "new_bucket", "reset", "schema", "gauge", "stale", "custom"),
    inc: fc.array(inc, { minLength: 8, maxLength: 8 }),
    idx: fc.integer({ min: -20, max: 20 }),
    sum: fc.double({ noNaN: false }),
    zt: fc.constantFrom(0, 2 ** -128, 0.001, 1),
  });
}

export type Step = ReturnType<typeof makeStep> extends fc.Arbitrary<infer T> ? T : never;

/** The histograms of steps: mostly growing counters whose buckets come and go (empty
 * ones vanish), with resets, schema changes, gauges and stale markers. */
export function series(steps: Step[]): { t: number; h: FloatHistogram }[] {
  const out: { t: number; h: FloatHistogram }[] = [];
  let t = 1_700_000_000_000;
  let pos = new Map<number, number>([[0, 1], [1, 2], [5, 0]]);
  let schema = 3;
  let zc = 0;
  for (const s of steps) {
    t += s.dt;
    if (s.kind === "stale") {
      out.push({ t, h: FloatHistogram.from({ sum: STALE_NAN }) });
      continue;
    }
    if (s.kind === "reset") {
      pos = new Map([[s.idx, 1]]);
      zc = 0;
    } else if (s.kind === "schema") {
      schema = schema === 3 ? 2 : 3;
    } else if (s.kind === "new_bucket") {
      pos.set(s.idx, (pos.get(s.idx) ?? 0) + s.inc[0]!);
    } else {
      let k = 0;
      for (const [i, v] of pos) pos.set(i, v + s.inc[k++ % 8]!);
      zc += s.inc[7]!;
    }
    const list = [...pos].filter(([, v], n) => v !== 0 || n % 2 === 0);
    const count = zc + list.reduce((a, [, v]) => a + v, 0);
    if (s.kind === "custom") {
      const bounds = [0.1, 0.5, 1, 33554.43, 1e9, -3];
      const cl = list.filter(([i]) => i >= 0 && i <= bounds.length).map(([i, v]) => [i, v] as [number, number]);
      out.push({ t, h: hist({ schema: CUSTOM_BUCKETS_SCHEMA, customValues: bounds.slice(), count: cl.reduce((a, [, v]) => a + v, 0), sum: s.sum }, cl) });
      continue;
    }
    const hint = s.kind === "gauge" ? CounterResetHint.Gauge : CounterResetHint.Unknown;
    out.push({ t, h: hist({ schema, zeroThreshold: s.zt === 0.001 ? 0.001 : 2 ** -128, zeroCount: zc, count, sum: s.sum, counterResetHint: hint }, list, [[-2, zc]]) });
  }
  return out;
}


/**
 * An independent model of the hints Prometheus reads back (its appendable rules
 * without encoding anything, no size cuts): the property below checks the chunk
 * against it.
 */
/** Prometheus' default block/chunk range: head chunks never cross a 2h boundary. */
const MODEL_RANGE_MS = 2 * 3600_000;

export class ReferenceHints {
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
      this.rangeEnd = Math.floor(t / MODEL_RANGE_MS) * MODEL_RANGE_MS + MODEL_RANGE_MS;
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

