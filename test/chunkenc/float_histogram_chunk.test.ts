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
import { CounterResetHint, FloatHistogram } from "../../src/model/histogram.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { holds } from "../support/property.js";
import { encodeAll, expectReadBack, hist, makeStep, series } from "./histogram_chunk_support.js";

const step = makeStep(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 1e6, noNaN: true })));
const encode = (samples: { t: number; h: FloatHistogram }[]) => encodeAll(samples, () => new FloatHistogramChunk());

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
        expectReadBack(samples, encode(samples), decodeFloatHistograms);
      }),
      { numRuns: 300 },
    );
  });

  it("reopened chunks continue byte for byte", () => {
    holds(
      fc.property(fc.array(step, { minLength: 2, maxLength: 40 }), fc.nat(), (steps, cut) => {
        const samples = series(steps);
        const chunks = encode(samples);
        const whole = chunks[0]!.bytes().slice();
        const n = chunks[0]!.numSamples();
        const k = 1 + (cut % n);
        const part = encode(samples.slice(0, k))[0]!;
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
