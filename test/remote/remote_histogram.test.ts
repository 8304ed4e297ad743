import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FloatHistogram } from "../../src/model/histogram.js";
import { labelsFromPairs } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { decodeWriteRequest, encodeRemoteWriteBody, encodeWriteRequest, isRemoteDecodeError } from "../../src/remote/write_request.js";
import { damaged } from "../support/damage.js";
import { holds } from "../support/property.js";

const span = fc.record({ offset: fc.integer({ min: -30, max: 30 }), length: fc.nat({ max: 4 }) });

const histogram: fc.Arbitrary<{ h: FloatHistogram; integer: boolean }> = fc
  .record({
    custom: fc.boolean(),
    integer: fc.boolean(),
    schema: fc.integer({ min: -4, max: 8 }),
    hint: fc.integer({ min: 0, max: 3 }),
    zeroThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
    pos: fc.array(span, { maxLength: 3 }),
    neg: fc.array(span, { maxLength: 3 }),
    counts: fc.array(fc.nat({ max: 10_000 }), { minLength: 30, maxLength: 30 }),
    frac: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    sum: fc.double(),
  })
  .map(({ custom, integer, schema, hint, zeroThreshold, pos, neg, counts, frac, sum }) => {
    const len = (s: { length: number }[]) => s.reduce((a, x) => a + x.length, 0);
    const v = (c: number) => (integer ? c : c + frac);
    const positiveBuckets = counts.slice(0, len(pos)).map(v);
    const negativeBuckets = custom ? [] : counts.slice(15, 15 + len(neg)).map(v);
    const zeroCount = custom ? 0 : v(counts[29]!);
    const h = FloatHistogram.from({
      counterResetHint: hint,
      schema: custom ? -53 : schema,
      zeroThreshold: custom ? 0 : zeroThreshold,
      zeroCount,
      count: [...positiveBuckets, ...negativeBuckets].reduce((a, b) => a + b, zeroCount),
      sum,
      positiveSpans: pos,
      negativeSpans: custom ? [] : neg,
      positiveBuckets,
      negativeBuckets,
      customValues: custom ? [0.1, 0.5, 1, 5] : null,
    });
    return { h, integer };
  });

function request(hs: { t: number; h: FloatHistogram }[]) {
  return { timeseries: [{ labels: [{ name: "__name__", value: "h" }], samples: [], histograms: hs }] };
}

describe("prompb.Histogram", () => {
  it("decodes what it encodes, integer counts as integer histograms", () => {
    holds(
      fc.property(fc.array(fc.tuple(histogram, fc.integer({ min: -(2 ** 45), max: 2 ** 45 })), { maxLength: 4 }), (xs) => {
        const got = decodeWriteRequest(encodeWriteRequest(request(xs.map(([x, t]) => ({ t, h: x.h }))))).timeseries[0]!.histograms;
        expect(got.map((g) => g.t)).toEqual(xs.map(([, t]) => t));
        got.forEach((g, i) => {
          const want = xs[i]![0];
          expect(g.integer).toBe(want.integer || [want.h.count, want.h.zeroCount, ...want.h.positiveBuckets, ...want.h.negativeBuckets].every(Number.isInteger));
          // The flag rides on the histogram too, so storage picks the integer chunk.
          expect(g.h.integer).toBe(g.integer);
          expect({ ...g.h, customValues: g.h.customValues ?? null, integer: want.h.integer }).toEqual({ ...want.h });
        });
      }),
    );
  });

  it("damaged requests with histograms fail only with decode errors", () => {
    holds(
      fc.property(damaged(fc.array(histogram, { minLength: 1, maxLength: 3 }).map((xs) => encodeWriteRequest(request(xs.map((x, i) => ({ t: i, h: x.h })))))), (bytes) => {
        try {
          decodeWriteRequest(bytes);
        } catch (e) {
          expect(isRemoteDecodeError(e)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("remote write receiver and native histograms", () => {
  const post = (hs: { t: number; h: FloatHistogram }[]) =>
    new Request("http://x/api/v1/write", { method: "POST", body: encodeRemoteWriteBody(request(hs)), headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" } });

  it("stores valid histograms and names the invalid ones in a 400, keeping the rest", async () => {
    const storage = new MemoryStorage();
    const good = FloatHistogram.from({ schema: 0, count: 3, sum: 2, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 2] });
    const short = FloatHistogram.from({ schema: 0, count: 3, sum: 2, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 2] });
    const badSchema = FloatHistogram.from({ schema: 12, count: 0 });
    const res = await remoteWriteHandler(post([{ t: 1000, h: good }, { t: 2000, h: short }, { t: 3000, h: badSchema }]), storage, { maxBodyBytes: 1 << 20 });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(
      "2 native histogram samples rejected: h at 2000: positive side: spans need 3 buckets, have 2 buckets: histogram spans specify different number of buckets than provided; " +
        "h at 3000: histogram has an invalid schema, which must be between -4 and 8 or -53, got 12\n",
    );
    const series = [];
    for await (const s of storage.querier().select([newMatcher("=", "__name__", "h")], { start: 0, end: 10_000 })) series.push(s);
    expect(series.map((s) => [s.labels, [...s.ts], s.hs?.map((h) => h?.toString())])).toEqual([[labelsFromPairs([["__name__", "h"]]), [1000], ["{count:3, sum:2, (0.5,1]:1, (1,2]:2}"]]]);
    expect((await remoteWriteHandler(post([{ t: 4000, h: good }]), storage, { maxBodyBytes: 1 << 20 })).status).toBe(204);
  });
});
