import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChunkCorruptError } from "../../src/chunkenc/bstream.js";
import { FloatHistogramChunk } from "../../src/chunkenc/float_histogram_chunk.js";
import { CounterResetHeader } from "../../src/chunkenc/histogram_chunk_base.js";
import { HistogramChunk, HistogramIterator, MAX_INTEGER_COUNT, decodeIntegerHistograms, hasIntegerCounts } from "../../src/chunkenc/histogram_chunk.js";
import { CounterResetHint, FloatHistogram } from "../../src/model/histogram.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { holds } from "../support/property.js";
import { encodeAll, expectReadBack, hist, makeStep, series } from "./histogram_chunk_support.js";

const step = makeStep(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 20 }), fc.constant(2 ** 40)));
const encode = (samples: { t: number; h: FloatHistogram }[]) => encodeAll(samples, () => new HistogramChunk());

describe("HistogramChunk (integer counts)", () => {
  it("reads back every histogram, with the hints Prometheus gives them", () => {
    holds(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const samples = series(steps);
        expectReadBack(samples, encode(samples), decodeIntegerHistograms);
      }),
      { numRuns: 300 },
    );
  });

  it("cuts exactly where a float histogram chunk of the same histograms cuts", () => {
    holds(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const samples = series(steps);
        const ints = encode(samples);
        const floats = encodeAll(samples, () => new FloatHistogramChunk());
        expect(ints.map((c) => [c.numSamples(), c.counterResetHeader()])).toEqual(floats.map((c) => [c.numSamples(), c.counterResetHeader()]));
      }),
    );
  });

  it("reopened chunks continue byte for byte", () => {
    holds(
      fc.property(fc.array(step, { minLength: 2, maxLength: 40 }), fc.nat(), (steps, cut) => {
        const samples = series(steps);
        const whole = encode(samples)[0]!;
        const n = whole.numSamples();
        const k = 1 + (cut % n);
        const part = encode(samples.slice(0, k))[0]!;
        const reopened = HistogramChunk.open(part.bytes().slice());
        expect(reopened.bytes()).toEqual(part.bytes());
        for (const s of samples.slice(k, n)) expect(reopened.append(s.t, s.h)).toBeNull();
        expect(reopened.bytes()).toEqual(whole.bytes());
        expect(reopened.size()).toBe(whole.bytes().length);
      }),
    );
  });

  it("re-encoding what it reads gives the same bytes", () => {
    holds(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        for (const c of encode(series(steps))) {
          const it = c.iterator();
          const again = new HistogramChunk(it.header);
          while (it.next()) expect(again.append(it.t, it.at())).toBeNull();
          expect(again.bytes()).toEqual(c.bytes());
        }
      }),
    );
  });

  it("takes only integer counts from 0 to 2^50", () => {
    const c = new HistogramChunk();
    expect(() => c.append(1, hist({ count: 1.5, sum: 1 }, [[0, 1.5]]))).toThrow(RangeError);
    expect(() => c.append(1, hist({ count: -1, sum: 1 }, [[0, -1]]))).toThrow(RangeError);
    expect(() => c.append(1, hist({ count: 2 ** 51, sum: 1 }, [[0, 2 ** 51]]))).toThrow(RangeError);
    expect(c.numSamples()).toBe(0);
    expect(hasIntegerCounts(hist({ count: 3, zeroCount: 1, sum: 0.5 }, [[0, 2]]))).toBe(true);
    expect(hasIntegerCounts(hist({ count: 3, sum: 1 }, [[0, 2.5]]))).toBe(false);
    // The widest counts and jumps round-trip.
    const big = hist({ count: MAX_INTEGER_COUNT, sum: 1 }, [[0, MAX_INTEGER_COUNT - 1], [1, 1]]);
    expect(c.append(1, hist({ count: 0, sum: 0 }, [[0, 0], [1, 0]]))).toBeNull();
    expect(c.append(2, big)).toBeNull();
    expect(c.append(3, FloatHistogram.from({ sum: STALE_NAN }))).toBeNull();
    const d = decodeIntegerHistograms(c.bytes().slice());
    expect(d.hs[1]!.positiveBuckets).toEqual([MAX_INTEGER_COUNT - 1, 1]);
    expect(d.hs[1]!.count).toBe(MAX_INTEGER_COUNT);
    expect(isStaleNaN(d.hs[2]!.sum)).toBe(true);
    expect(c.append(4, big)).toBe("layout");
  });

  it("marks gauge chunks and reads their histograms back as gauges", () => {
    const g = new HistogramChunk();
    expect(g.append(1, hist({ count: 7, sum: 1, counterResetHint: CounterResetHint.Gauge }, [[0, 7]]))).toBeNull();
    expect(g.append(2, hist({ count: 2, sum: 1, counterResetHint: CounterResetHint.Gauge }, [[1, 2]]))).toBeNull();
    expect(g.counterResetHeader()).toBe(CounterResetHeader.Gauge);
    const d = decodeIntegerHistograms(g.bytes().slice());
    expect(d.hs.map((h) => h.counterResetHint)).toEqual([CounterResetHint.Gauge, CounterResetHint.Gauge]);
    expect(d.hs[0]!.positiveBuckets).toEqual([7, 0]);
    expect(d.hs[1]!.positiveBuckets).toEqual([0, 2]);
  });

  it("rejects random and truncated bytes with ChunkCorruptError, never hanging", () => {
    holds(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        try {
          const it = new HistogramIterator(bytes);
          let n = 0;
          while (it.next()) {
            it.at();
            n++;
          }
          expect(n).toBe(it.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkCorruptError);
        }
      }),
      { numRuns: 2000 },
    );
    holds(
      fc.property(fc.array(step, { minLength: 2, maxLength: 30 }), fc.nat(), (steps, cut) => {
        const bytes = encode(series(steps))[0]!.bytes().slice();
        const short = bytes.slice(0, 3 + (cut % (bytes.length - 3)));
        const it = new HistogramIterator(short);
        expect(() => {
          while (it.next());
        }).toThrow(ChunkCorruptError);
      }),
    );
  });
});
