import { describe, expect, it } from "vitest";
import { CounterResetHint, FloatHistogram } from "../../src/model/histogram.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { decodeHistogramSamples, encodeHistogramSamples } from "../../src/tsdb/histogram_record.js";

describe("histogram WAL records", () => {
  it("keep whether a histogram is an integer one, its hint, floats among them and stale markers", () => {
    const h = (integer: boolean, hint: CounterResetHint) =>
      Object.assign(FloatHistogram.from({ count: 3, sum: 1.5, counterResetHint: hint, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [3] }), { integer });
    const samples = [
      { t: 1, h: h(true, CounterResetHint.Gauge) },
      { t: 2, h: h(false, CounterResetHint.CounterReset) },
      { t: 3, v: 7 },
      { t: 4, h: Object.assign(FloatHistogram.from({ sum: STALE_NAN }), { integer: true }) },
    ];
    const got = decodeHistogramSamples(encodeHistogramSamples(samples));
    expect(got.map((s) => [s.t, s.h?.integer, s.h?.counterResetHint, s.v])).toEqual([
      [1, true, CounterResetHint.Gauge, undefined],
      [2, false, CounterResetHint.CounterReset, undefined],
      [3, undefined, undefined, 7],
      [4, true, CounterResetHint.Unknown, undefined],
    ]);
    expect(isStaleNaN(got[3]!.h!.sum)).toBe(true);
    expect(got[0]!.h!.equals(samples[0]!.h!)).toBe(true);
  });
});
