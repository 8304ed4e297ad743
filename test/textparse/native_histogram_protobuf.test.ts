import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtobufError } from "../../src/encoding/protobuf.js";
import { CounterResetHint } from "../../src/model/histogram.js";
import { newDtoMetric, type DtoExemplar, type DtoFamily, type DtoMetric, type DtoNativeHistogram } from "../../src/textparse/dto.js";
import { dtoFamilyEntries } from "../../src/textparse/dto_entries.js";
import { decodeDelimitedFamilies, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import type { SampleEntry } from "../../src/textparse/entry.js";
import { damaged } from "../support/damage.js";
import { holds } from "../support/property.js";

const label = fc.record({ name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), value: fc.string({ maxLength: 8 }) });
const exemplar: fc.Arbitrary<DtoExemplar> = fc.record({
  labels: fc.array(label, { maxLength: 2 }),
  value: fc.double(),
  timestampMs: fc.option(fc.integer({ min: -(2 ** 40), max: 2 ** 42 }), { nil: undefined }),
});
const span = fc.record({ offset: fc.integer({ min: -20, max: 20 }), length: fc.nat({ max: 4 }) });

/** Native parts with at least one span, so that they read back as native. */
const native: fc.Arbitrary<DtoNativeHistogram> = fc
  .record({
    schema: fc.integer({ min: -4, max: 8 }),
    zeroThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
    integer: fc.boolean(),
    pos: fc.array(span, { minLength: 1, maxLength: 3 }),
    neg: fc.array(span, { maxLength: 3 }),
    counts: fc.array(fc.nat({ max: 1000 }), { minLength: 40, maxLength: 40 }),
    frac: fc.double({ min: 0, max: 1, noNaN: true }),
    exemplars: fc.array(exemplar, { maxLength: 2 }),
  })
  .map(({ schema, zeroThreshold, integer, pos, neg, counts, frac, exemplars }) => {
    const n = (spans: { length: number }[]) => spans.reduce((a, s) => a + s.length, 0);
    const scale = (c: number) => (integer ? c : c + frac);
    return {
      schema,
      zeroThreshold,
      zeroCount: scale(counts[39]!),
      positiveSpans: pos,
      positiveCounts: counts.slice(0, n(pos)).map(scale),
      negativeSpans: neg,
      negativeCounts: counts.slice(20, 20 + n(neg)).map(scale),
      integer,
      exemplars,
    };
  });

const histogramMetric: fc.Arbitrary<DtoMetric> = fc
  .record({
    labels: fc.array(label, { maxLength: 2 }),
    native,
    count: fc.nat({ max: 2 ** 40 }),
    sum: fc.double(),
    buckets: fc.array(fc.tuple(fc.double(), fc.option(exemplar, { nil: undefined })), { maxLength: 3 }),
    ts: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
  })
  .map(({ labels, native: n, count, sum, buckets, ts }) => {
    const m = newDtoMetric(labels, "histogram");
    m.sampleCount = n.integer ? count : count + 0.5;
    m.sampleSum = sum;
    m.buckets = buckets.map(([upperBound, ex], i) => (ex === undefined ? { upperBound, cumulativeCount: i * 3 } : { upperBound, cumulativeCount: i * 3, exemplar: ex }));
    m.native = n;
    m.timestampMs = ts;
    return m;
  });

const counterMetric: fc.Arbitrary<DtoMetric> = fc.tuple(fc.array(label, { maxLength: 2 }), fc.double(), fc.option(exemplar, { nil: undefined })).map(([labels, v, ex]) => {
  const m = newDtoMetric(labels, "counter");
  m.value = v;
  if (ex !== undefined) m.exemplar = ex;
  return m;
});

const families: fc.Arbitrary<DtoFamily[]> = fc.uniqueArray(
  fc.oneof(
    fc.record({ name: fc.stringMatching(/^h_[a-z0-9_]{0,8}$/), help: fc.string({ maxLength: 6 }), type: fc.constantFrom("HISTOGRAM" as const, "GAUGE_HISTOGRAM" as const), metrics: fc.array(histogramMetric, { maxLength: 3 }) }),
    fc.record({ name: fc.stringMatching(/^c_[a-z0-9_]{0,8}$/), help: fc.string({ maxLength: 6 }), type: fc.constant("COUNTER" as const), metrics: fc.array(counterMetric, { maxLength: 3 }) }),
  ),
  { selector: (f) => f.name, maxLength: 3 },
);

describe("client_model native histograms and exemplars in the delimited protobuf format", () => {
  it("decode what they encode: integer and float counts, spans, zero bucket, exemplars", () => {
    holds(
      fc.property(families, (fams) => {
        expect(decodeDelimitedFamilies(encodeDelimitedFamilies(fams))).toEqual(fams);
      }),
    );
  });

  it("damaged streams fail only with ProtobufError, in decoding and in turning families into samples", () => {
    holds(
      fc.property(fc.oneof(damaged(families.map(encodeDelimitedFamilies)), fc.uint8Array({ maxLength: 300 })), (bytes) => {
        try {
          for (const f of decodeDelimitedFamilies(bytes)) {
            dtoFamilyEntries(f, { nativeHistograms: true, classicHistograms: true });
            dtoFamilyEntries(f, { nativeHistograms: false, classicHistograms: false });
          }
        } catch (e) {
          expect(e).toBeInstanceOf(ProtobufError);
          expect((e as Error).message).not.toBe("");
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("a histogram without spans or zero bucket reads as classic only; an empty span marks it native", () => {
    const m = newDtoMetric([], "histogram");
    m.sampleCount = 0;
    m.native = { schema: 3, zeroThreshold: 0, zeroCount: 0, positiveSpans: [], positiveCounts: [], negativeSpans: [], negativeCounts: [], integer: true, exemplars: [] };
    const [back] = decodeDelimitedFamilies(encodeDelimitedFamilies([{ name: "h", help: "", type: "HISTOGRAM", metrics: [m] }]));
    // The encoder adds the no-op span client libraries send for an empty native histogram.
    expect(back!.metrics[0]!.native?.positiveSpans).toEqual([{ offset: 0, length: 0 }]);
    const classic = newDtoMetric([], "histogram");
    const [c] = decodeDelimitedFamilies(encodeDelimitedFamilies([{ name: "h", help: "", type: "HISTOGRAM", metrics: [classic] }]));
    expect(c!.metrics[0]!.native).toBeUndefined();
  });
});

describe("protobuf families as scraped samples", () => {
  const nativeMetric = (): DtoMetric => {
    const m = newDtoMetric([{ name: "path", value: "/a" }, { name: "empty", value: "" }], "histogram");
    m.sampleCount = 6;
    m.sampleSum = 4.5;
    m.buckets = [{ upperBound: 1, cumulativeCount: 4, exemplar: { labels: [{ name: "trace_id", value: "b" }], value: 0.7, timestampMs: undefined } }];
    m.native = {
      schema: 0,
      zeroThreshold: 0.001,
      zeroCount: 1,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveCounts: [3, 2],
      negativeSpans: [],
      negativeCounts: [],
      integer: true,
      exemplars: [
        { labels: [{ name: "trace_id", value: "x" }], value: 0.9, timestampMs: 1000 },
        { labels: [{ name: "trace_id", value: "no-ts" }], value: 0.8, timestampMs: undefined },
      ],
    };
    return m;
  };
  const fam = (type: DtoFamily["type"], m: DtoMetric): DtoFamily => ({ name: "lat", help: "Latency.", type, metrics: [m] });
  const samples = (es: ReturnType<typeof dtoFamilyEntries>) => es.filter((e): e is SampleEntry => e.kind === "sample");
  const names = (es: SampleEntry[]) => es.map((e) => e.labels.map((l) => `${l.name}=${l.value}`).join(","));

  it("a native histogram is one sample with its timestamped exemplars; classic series only on request", () => {
    const entries = dtoFamilyEntries(fam("HISTOGRAM", nativeMetric()), { nativeHistograms: true, classicHistograms: false });
    expect(entries.slice(0, 2)).toEqual([
      { kind: "help", name: "lat", help: "Latency." },
      { kind: "type", name: "lat", type: "histogram" },
    ]);
    const [s, ...rest] = samples(entries);
    expect(rest).toEqual([]);
    expect(names([s!])).toEqual(["__name__=lat,path=/a"]);
    expect(s!.emptyLabels).toEqual(["empty"]);
    expect(s!.histogram!.toString()).toBe("{count:6, sum:4.5, [-0.001,0.001]:1, (0.5,1]:3, (1,2]:2}");
    expect(s!.histogram!.counterResetHint).toBe(CounterResetHint.Unknown);
    expect(s!.exemplars).toEqual([{ labels: [{ name: "trace_id", value: "x" }], value: 0.9, timestamp: 1000 }]);

    const both = samples(dtoFamilyEntries(fam("HISTOGRAM", nativeMetric()), { nativeHistograms: true, classicHistograms: true }));
    expect(names(both)).toEqual(["__name__=lat,path=/a", "__name__=lat_count,path=/a", "__name__=lat_sum,path=/a", "__name__=lat_bucket,le=1.0,path=/a", "__name__=lat_bucket,le=+Inf,path=/a"]);
    expect(both.slice(1).map((e) => e.value)).toEqual([6, 4.5, 4, 6]);
    expect(both[3]!.exemplar).toEqual({ labels: [{ name: "trace_id", value: "b" }], value: 0.7, timestamp: undefined });
  });

  it("without native histograms a histogram is read from its classic buckets", () => {
    const off = samples(dtoFamilyEntries(fam("HISTOGRAM", nativeMetric()), { nativeHistograms: false, classicHistograms: false }));
    expect(off.every((e) => e.histogram === undefined)).toBe(true);
    expect(names(off)).toEqual(["__name__=lat_count,path=/a", "__name__=lat_sum,path=/a", "__name__=lat_bucket,le=1.0,path=/a", "__name__=lat_bucket,le=+Inf,path=/a"]);
  });

  it("gauge histograms carry the gauge hint; schemas above 8 are lowered to 8", () => {
    const m = nativeMetric();
    m.native!.schema = 10;
    m.native!.positiveSpans = [{ offset: 1, length: 2 }];
    const [s] = samples(dtoFamilyEntries(fam("GAUGE_HISTOGRAM", m), { nativeHistograms: true, classicHistograms: false }));
    expect(s!.histogram!.counterResetHint).toBe(CounterResetHint.Gauge);
    expect(s!.histogram!.schema).toBe(8);
    expect(s!.histogram!.positiveBuckets).toEqual([5]);
  });

  it("an invalid native histogram is an error naming the series and the reason", () => {
    const m = nativeMetric();
    m.native!.positiveCounts = [3];
    expect(() => dtoFamilyEntries(fam("HISTOGRAM", m), { nativeHistograms: true, classicHistograms: false })).toThrow(
      new ProtobufError('invalid native histogram lat{path="/a"}: positive side: spans need 2 buckets, have 1 buckets: histogram spans specify different number of buckets than provided'),
    );
    const n = nativeMetric();
    n.sampleCount = 5;
    expect(() => dtoFamilyEntries(fam("HISTOGRAM", n), { nativeHistograms: true, classicHistograms: false })).toThrow(/6 observations found in buckets, but the Count field is 5/);
  });
});
