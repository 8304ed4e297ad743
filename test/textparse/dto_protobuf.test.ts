import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtobufError } from "../../src/encoding/protobuf.js";
import { DTO_TYPES, newDtoMetric, type DtoFamily, type DtoMetric } from "../../src/textparse/dto.js";
import { decodeDelimitedFamilies, encodeDelimitedFamilies, isDelimitedProtobuf } from "../../src/textparse/dto_protobuf.js";
import { FamilyParseError, parseTextFamilies } from "../../src/textparse/dto_text.js";
import { holds } from "../support/property.js";

const label = fc.record({ name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), value: fc.string({ maxLength: 8 }) });
const metric: fc.Arbitrary<DtoMetric> = fc
  .record({
    labels: fc.array(label, { maxLength: 3 }),
    kind: fc.constantFrom("counter", "gauge", "untyped", "summary", "histogram"),
    value: fc.double(),
    count: fc.nat({ max: 2 ** 40 }),
    sum: fc.double(),
    ts: fc.option(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), { nil: undefined }),
    pairs: fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 3 }),
  })
  .map(({ labels, kind, value, count, sum, ts, pairs }) => {
    const m = newDtoMetric(labels, kind);
    m.timestampMs = ts;
    if (kind === "summary" || kind === "histogram") {
      m.sampleCount = count;
      m.sampleSum = sum;
      if (kind === "summary") m.quantiles = pairs.map(([quantile, v]) => ({ quantile, value: v }));
      else m.buckets = pairs.map(([upperBound], i) => ({ upperBound, cumulativeCount: i * 7 }));
    } else m.value = value;
    return m;
  });
const family: fc.Arbitrary<DtoFamily> = fc.record({
  name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
  help: fc.string({ maxLength: 12 }),
  type: fc.constantFrom(...DTO_TYPES),
  metrics: fc.array(metric, { maxLength: 4 }),
});

describe("delimited protobuf MetricFamily streams", () => {
  it("decode what they encode, NaN and infinities included", () => {
    holds(
      fc.property(fc.uniqueArray(family, { selector: (f) => f.name, maxLength: 4 }), (fams) => {
        expect(decodeDelimitedFamilies(encodeDelimitedFamilies(fams))).toEqual(fams);
      }),
    );
  });

  it("fail only with ProtobufError on arbitrary bytes", () => {
    holds(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeDelimitedFamilies(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtobufError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("recognise Go's content type, parameters in any order", () => {
    expect(isDelimitedProtobuf("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")).toBe(true);
    expect(isDelimitedProtobuf('application/vnd.google.protobuf;encoding=delimited;proto="io.prometheus.client.MetricFamily"')).toBe(true);
    expect(isDelimitedProtobuf("application/vnd.google.protobuf; encoding=text")).toBe(false);
    expect(isDelimitedProtobuf("text/plain; version=0.0.4")).toBe(false);
    expect(isDelimitedProtobuf(null)).toBe(false);
  });
});

describe("text pushes", () => {
  it("fail only with FamilyParseError on arbitrary text", () => {
    holds(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseTextFamilies(text);
        } catch (e) {
          expect(e).toBeInstanceOf(FamilyParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
