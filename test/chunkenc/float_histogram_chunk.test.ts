import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CounterResetHeader,
  FloatHistogramChunk,
  FloatHistogramIterator,
  decodeFloatHistograms,
} from "../../src/chunkenc/float_histogram_chunk.js";
import { putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from "../../src/chunkenc/varbit.js";
import { BitReader, BitWriter } from "../../src/chunkenc/bstream.js";
import { sameFloatBits } from "../../src/chunkenc/floatbits.js";
import { CounterResetHint, CUSTOM_BUCKETS_SCHEMA, FloatHistogram, type Span } from "../../src/model/histogram.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { holds } from "../support/property.js";

/** Buckets as index -> count without empty ones: what a histogram means, whatever
 * its span layout. */
function bucketMap(spans: { offset: number; length: number }[], buckets: number[]): Map<number, number> {
  const m = new Map<number, number>();
  let i = 0;
  let b = 0;
  for (const s of spans) {
    i += s.offset;
    for (let k = 0; k < s.length; k++, i++, b++) if (buckets[b] !== 0) m.set(i, buckets[b]!);
  }
  return m;
}

function expectSameHistogram(got: FloatHistogram, want: FloatHistogram): void {
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
function hist(fields: Partial<FloatHistogram>, pos: [number, number][], neg: [number, number][] = []): FloatHistogram {
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
function encodeAll(samples: { t: number; h: FloatHistogram }[]): FloatHistogramChunk[] {
  const chunks: FloatHistogramChunk[] = [];
  const range = (t: number) => Math.floor(t / 7_200_000);
  for (const s of samples) {
    const cur = chunks[chunks.length - 1];
    if (cur !== undefined && range(cur.minTime()) === range(s.t) && cur.append(s.t, s.h) === null) continue;
    const c = new FloatHistogramChunk();
    expect(c.append(s.t, s.h)).toBeNull();
    chunks.push(c);
  }
  return chunks;
}

// A sequence of histograms of one series: mostly growing counters whose buckets come
// and go (empty ones vanish), with resets, schema changes, gauges and stale markers.
const step = fc.record({
  dt: fc.oneof(fc.constant(15_000), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 2 ** 40 })),
  kind: fc.constantFrom("grow", "grow", "grow", "grow", "new_bucket", "reset", "schema", "gauge", "stale", "custom"),
  inc: fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 8, maxLength: 8 }),
  idx: fc.integer({ min: -20, max: 20 }),
  sum: fc.double({ noNaN: false }),
  zt: fc.constantFrom(0, 2 ** -128, 0.001, 1),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function series(steps: Step[]): { t: number; h: FloatHistogram }[] {
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

class ReferenceHints {
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

describe("varbit integers", () => {
  it("round-trip signed and unsigned values of every width", () => {
    holds(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -300, max: 300 }), fc.maxSafeInteger(), fc.maxSafeInteger().map((v) => (v === 0 ? 0 : -v)), fc.integer({ min: -(2 ** 30), max: 2 ** 30 }))), (vals) => {
        const w = new BitWriter();
        const sink = { put: (v: number, n: number) => w.writeBits(v, n) };
        for (const v of vals) {
          putVarbitInt(sink, v);
          putVarbitUint(sink, Math.abs(v));
        }
        const r = new BitReader(w.bytes().slice());
        for (const v of vals) {
          expect(readVarbitInt(r)).toBe(v);
          expect(readVarbitUint(r)).toBe(Math.abs(v));
        }
      }),
    );
  });

  it("uses Prometheus' bucket boundaries", () => {
    const width = (v: number) => {
      const w = new BitWriter();
      putVarbitInt({ put: (x, n) => w.writeBits(x, n) }, v);
      return w.bitLength();
    };
    expect([0, 1, 4, -3, 5, -4, 32, -31, 33, 256, 257, 2048, 2049, 131072, 131073, 16777216, 16777217].map(width)).toEqual([
      1, 5, 5, 5, 9, 9, 9, 9, 13, 13, 17, 17, 24, 24, 32, 32, 64,
    ]);
  });
});

describe("FloatHistogramChunk", () => {
  it("reads back every histogram, with the hints Prometheus gives them", () => {
    holds(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const samples = series(steps);
        const chunks = encodeAll(samples);
        // The cut decisions are those the storage-free model of the head makes.
        const model = new ReferenceHints();
        const got = chunks.flatMap((c) => {
          const d = decodeFloatHistograms(c.bytes().slice());
          return d.hs.map((h, i) => ({ t: d.ts[i]!, h }));
        });
        expect(got.map((g) => g.t)).toEqual(samples.map((s) => s.t));
        samples.forEach((s, i) => {
          expectSameHistogram(got[i]!.h, s.h);
          const want = model.append(s.t, s.h);
          if (!isStaleNaN(s.h.sum)) expect(got[i]!.h.counterResetHint).toBe(want.counterResetHint);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("reopened chunks continue byte for byte", () => {
    holds(
      fc.property(fc.array(step, { minLength: 2, maxLength: 40 }), fc.nat(), (steps, cut) => {
        const samples = series(steps);
        const chunks = encodeAll(samples);
        const whole = chunks[0]!.bytes().slice();
        const n = chunks[0]!.numSamples();
        const k = 1 + (cut % n);
        const part = encodeAll(samples.slice(0, k))[0]!;
        const reopened = FloatHistogramChunk.open(part.bytes().slice());
        expect(reopened.bytes()).toEqual(part.bytes());
        for (const s of samples.slice(k, n)) expect(reopened.append(s.t, s.h)).toBeNull();
        expect(reopened.bytes()).toEqual(whole);
        expect(reopened.size()).toBe(whole.length);
      }),
    );
  });

  it("seeks forward to the first histogram at or after a time", () => {
    const c = new FloatHistogramChunk();
    for (let i = 0; i < 50; i++) expect(c.append(1000 + i * 10, hist({ count: i, sum: i }, [[0, i]]))).toBeNull();
    const it = c.iterator();
    expect(it.seek(1055)).toBe(true);
    expect(it.t).toBe(1060);
    expect(it.at().count).toBe(6);
    expect(it.seek(0)).toBe(true);
    expect(it.t).toBe(1060);
    expect(it.seek(1490)).toBe(true);
    expect(it.seek(1491)).toBe(false);
  });

  it("cuts on counter resets and layout changes, and marks gauge chunks", () => {
    const c = new FloatHistogramChunk();
    expect(c.append(1, hist({ count: 5, sum: 1 }, [[0, 5]]))).toBeNull();
    expect(c.append(2, hist({ count: 4, sum: 1 }, [[0, 4]]))).toBe("counter_reset");
    expect(c.append(2, hist({ count: 5, sum: 1 }, [[1, 5]]))).toBe("counter_reset");
    expect(c.append(2, hist({ count: 5, sum: 1, schema: 1 }, [[0, 5]]))).toBe("layout");
    expect(c.append(2, hist({ count: 7, sum: 1 }, [[0, 5], [3, 2]]))).toBeNull();
    expect(c.append(3, hist({ count: 7, sum: 1, counterResetHint: CounterResetHint.Gauge }, [[0, 5]]))).toBe("layout");
    expect(c.append(3, hist({ count: 7, sum: 1, counterResetHint: CounterResetHint.CounterReset }, [[0, 7]]))).toBe("counter_reset");
    expect(c.append(3, FloatHistogram.from({ sum: STALE_NAN }))).toBeNull();
    expect(c.append(4, hist({ count: 7, sum: 1 }, [[0, 7]]))).toBe("layout");
    // The first histogram recoded with the bucket the second one brought.
    const d = decodeFloatHistograms(c.bytes().slice());
    expect(d.hs[0]!.positiveBuckets).toEqual([5, 0]);
    expect(d.hs.map((h) => h.counterResetHint)).toEqual([CounterResetHint.Unknown, CounterResetHint.NotCounterReset, CounterResetHint.Unknown]);
    const g = new FloatHistogramChunk();
    expect(g.append(1, hist({ count: 7, sum: 1, counterResetHint: CounterResetHint.Gauge }, [[0, 7]]))).toBeNull();
    expect(g.append(2, hist({ count: 2, sum: 1, counterResetHint: CounterResetHint.Gauge }, [[1, 2]]))).toBeNull();
    expect(g.counterResetHeader()).toBe(CounterResetHeader.Gauge);
    expect(g.bytes()[2]! >>> 6).toBe(0b11);
    expect(decodeFloatHistograms(g.bytes().slice()).hs.map((h) => h.counterResetHint)).toEqual([CounterResetHint.Gauge, CounterResetHint.Gauge]);
    expect(new FloatHistogramIterator(g.bytes().slice()).header).toBe(CounterResetHeader.Gauge);
  });

  it("stores a typical 15 s native histogram in a few bytes per sample", () => {
    const c = new FloatHistogramChunk();
    const pos = new Map<number, number>();
    for (let i = 0; i < 120; i++) {
      for (let b = 0; b < 10; b++) if ((i * 7 + b * 3) % 5 === 0) pos.set(b, (pos.get(b) ?? 0) + 1);
      const count = [...pos.values()].reduce((a, v) => a + v, 0);
      expect(c.append(1_700_000_000_000 + i * 15_000, hist({ count, sum: count * 0.25 }, [...pos]))).toBeNull();
    }
    expect(c.size() / 120).toBeLessThan(12);
  });
});
