import { describe, expect, it } from "vitest";
import { labelsKey, labelsFromRecord } from "../../../src/model/labels.js";
import { isStaleNaN } from "../../../src/model/sample.js";
import { parseGoFloat, parseGoInt, parseGoNumber } from "../../../src/promql/promqltest/numbers.js";
import { parseSeriesLine, parseSequence, SeriesSyntaxError } from "../../../src/promql/promqltest/values.js";

const dv = new DataView(new ArrayBuffer(8));
function bitsOf(v: number): string {
  dv.setFloat64(0, v);
  return dv.getUint32(0).toString(16).padStart(8, "0") + dv.getUint32(4).toString(16).padStart(8, "0");
}

/** Expanded values with omitted positions shown as "_". */
function expand(text: string): (number | "_")[] {
  const s = parseSequence(text);
  expect(s.histogram).toBe(false);
  return [...s.values].map((v, i) => (s.omitted[i] ? "_" : v));
}

describe("parseSequence", () => {
  it("expands plain lists", () => {
    expect(expand("1 2 3")).toEqual([1, 2, 3]);
    expect(expand("  4\t5  ")).toEqual([4, 5]);
    expect(expand("")).toEqual([]);
  });

  it("expands a+bxn into n+1 values", () => {
    expect(expand("1+2x10")).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21]);
    expect(expand("0+10x0")).toEqual([0]);
    expect(expand("1-1x4")).toEqual([1, 0, -1, -2, -3]);
    expect(expand("-1-1x2")).toEqual([-1, -2, -3]);
    expect(expand("-2+1x2")).toEqual([-2, -1, 0]);
    expect(expand("+5+0.5x1")).toEqual([5, 5.5]);
  });

  it("accumulates by repeated addition, as Prometheus does", () => {
    // Ten additions of 0.1 give 0.9999999999999999 at index 9, where 0.1 + 9 * 0.1 is 1.
    const vals = expand("0.1+0.1x9");
    expect(vals[9]).toBe(0.9999999999999999);
    expect(vals[5]).toBe(0.6);
    expect(vals[6]).toBe(0.7);
  });

  it("expands axn into n+1 copies (0x5 is six zeros, not hex)", () => {
    expect(expand("0x5")).toEqual([0, 0, 0, 0, 0, 0]);
    expect(expand("7x2")).toEqual([7, 7, 7]);
    expect(expand("1e3x1")).toEqual([1000, 1000]);
  });

  it("handles omitted positions", () => {
    expect(expand("_")).toEqual(["_"]);
    expect(expand("_x3")).toEqual(["_", "_", "_"]);
    expect(expand("1 _ 3 _x2 4")).toEqual([1, "_", 3, "_", "_", 4]);
    expect(expand("_x0")).toEqual([]);
  });

  it("reads special values and number forms", () => {
    const v = expand("Inf -Inf +Inf inf NaN nan 1e3 -1.5e-3 .5 2. 010 1_000");
    expect(v.slice(0, 4)).toEqual([Infinity, -Infinity, Infinity, Infinity]);
    expect(Number.isNaN(v[4])).toBe(true);
    expect(Number.isNaN(v[5])).toBe(true);
    // 010 is octal, as with Go's strconv.ParseInt(s, 0, 64).
    expect(v.slice(6)).toEqual([1000, -0.0015, 0.5, 2, 8, 1000]);
  });

  it("keeps the stale marker's bit pattern", () => {
    const s = parseSequence("1 stale 2 stale");
    expect(bitsOf(s.values[1]!)).toBe("7ff0000000000002");
    expect(isStaleNaN(s.values[1]!)).toBe(true);
    expect(isStaleNaN(s.values[2]!)).toBe(false);
    expect(bitsOf(s.values[3]!)).toBe("7ff0000000000002");
  });

  it("expands native histogram values, repeated and by repeated addition", () => {
    const s = parseSequence("1 {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x3 {{count:1 sum:2}}+{{count:2 sum:1 counter_reset_hint:gauge}}x2 _ 2");
    expect(s.histogram).toBe(true);
    expect(s.values.length).toBe(10);
    const hs = s.histograms!;
    expect(hs[0]).toBeUndefined();
    expect(hs[9]).toBeUndefined();
    expect(s.omitted[8]).toBe(1);
    expect([1, 2, 3, 4].map((i) => hs[i]!.testExpression())).toEqual(Array(4).fill("{{count:4 sum:5 buckets:[1 2 1]}}"));
    // Each addition takes the gauge hint of the increment, as Prometheus' Add does.
    expect([5, 6, 7].map((i) => hs[i]!.testExpression())).toEqual([
      "{{count:1 sum:2}}",
      "{{count:3 sum:3 counter_reset_hint:gauge}}",
      "{{count:5 sum:4 counter_reset_hint:gauge}}",
    ]);
    expect([4, 5, 7].map((i) => s.hintSet![i])).toEqual([false, true, true]);
  });

  it("reads every key of a histogram literal and rejects unknown or repeated ones", () => {
    const s = parseSequence("{{schema:-1 sum:-3.5 count:7 z_bucket:1 z_bucket_w:0.5 offset:-2 buckets:[1 +2] n_offset:1 n_buckets:[3] counter_reset_hint:reset}}");
    const h = s.histograms![0]!;
    expect([h.schema, h.sum, h.count, h.zeroCount, h.zeroThreshold, h.counterResetHint]).toEqual([-1, -3.5, 7, 1, 0.5, 1]);
    expect([h.positiveSpans, h.positiveBuckets, h.negativeSpans, h.negativeBuckets]).toEqual([[{ offset: -2, length: 2 }], [1, 2], [{ offset: 1, length: 1 }], [3]]);
    expect(() => parseSequence("{{count:1 count:2}}")).toThrow('duplicate key "count" in histogram');
    expect(() => parseSequence("{{cnt:1}}")).toThrow(/unknown histogram description key/);
    expect(() => parseSequence("{{counter_reset_hint:maybe}}")).toThrow(/counter_reset_hint/);
  });

  it("rejects malformed items", () => {
    for (const bad of ["1+2", "1x", "1x-2", "1x1.5", "foo", "1m", "-stale", "1+2x3x4", "_x", "_1", "stalex3", "1..2", "1e", "1+x3", "Infinity", "#", "1,2"]) {
      expect(() => parseSequence(bad), bad).toThrow(SeriesSyntaxError);
    }
  });
});

describe("parseSeriesLine", () => {
  it("parses metric name, labels and values", () => {
    const s = parseSeriesLine('http_requests{job="api", instance="0"}\t0+10x2');
    expect(labelsKey(s.labels)).toBe(labelsKey(labelsFromRecord({ __name__: "http_requests", job: "api", instance: "0" })));
    expect([...s.seq.values]).toEqual([0, 10, 20]);
  });

  it("accepts the empty label set, bare names and a name given as a matcher", () => {
    expect(parseSeriesLine("{} 1").labels).toEqual([]);
    expect(parseSeriesLine("{ } 1").labels).toEqual([]);
    expect(parseSeriesLine("foo 1").labels).toEqual([{ name: "__name__", value: "foo" }]);
    expect(parseSeriesLine('{__name__="foo"} 1').labels).toEqual([{ name: "__name__", value: "foo" }]);
    expect(parseSeriesLine('{"utf8.metric", a="1"} 3').labels).toEqual([
      { name: "__name__", value: "utf8.metric" },
      { name: "a", value: "1" },
    ]);
    expect(parseSeriesLine("foo").seq.values.length).toBe(0);
  });

  it("keeps spaces and braces inside quoted label values", () => {
    const s = parseSeriesLine('foo{a="x y} z", b=\'q\'} 5');
    expect(s.labels).toEqual([
      { name: "__name__", value: "foo" },
      { name: "a", value: "x y} z" },
      { name: "b", value: "q" },
    ]);
    expect([...s.seq.values]).toEqual([5]);
  });

  it("drops empty label values", () => {
    expect(parseSeriesLine('foo{a="", b="1"} 1').labels).toEqual([
      { name: "__name__", value: "foo" },
      { name: "b", value: "1" },
    ]);
  });

  it("rejects matchers other than =, duplicate labels and broken syntax", () => {
    for (const bad of ['foo{a=~"x"} 1', 'foo{a="1", a="2"} 1', 'foo{a="b" 1', "1 2", 'foo{a="b"}1', '{a="b} 1']) {
      expect(() => parseSeriesLine(bad), bad).toThrow(SeriesSyntaxError);
    }
  });
});

describe("Go number parsing", () => {
  it("parses integers with base prefixes like strconv.ParseInt(s, 0, 64)", () => {
    expect(parseGoInt("42")).toBe(42);
    expect(parseGoInt("-42")).toBe(-42);
    expect(parseGoInt("0x1F")).toBe(31);
    expect(parseGoInt("0o17")).toBe(15);
    expect(parseGoInt("017")).toBe(15);
    expect(parseGoInt("0b101")).toBe(5);
    expect(parseGoInt("1_000")).toBe(1000);
    expect(parseGoInt("0")).toBe(0);
    for (const bad of ["", "08", "0x", "1_", "_1", "1__0", "1.5", "9223372036854775808", "abc"]) expect(parseGoInt(bad), bad).toBeNull();
  });

  it("parses floats like strconv.ParseFloat", () => {
    expect(parseGoFloat("1.5")).toBe(1.5);
    expect(parseGoFloat("-.5e1")).toBe(-5);
    expect(parseGoFloat("5.")).toBe(5);
    expect(parseGoFloat("1e+06")).toBe(1e6);
    expect(parseGoFloat("+Inf")).toBe(Infinity);
    expect(parseGoFloat("-infinity")).toBe(-Infinity);
    expect(parseGoFloat("0x1p-2")).toBe(0.25);
    expect(parseGoFloat("0x1.8p1")).toBe(3);
    expect(Number.isNaN(parseGoFloat("NaN"))).toBe(true);
    for (const bad of ["", "+NaN", "1e", "e1", ".", "1_0.5", "0x1", "1 2", "Infinite"]) expect(parseGoFloat(bad), bad).toBeNull();
  });

  it("tries the integer form first", () => {
    expect(parseGoNumber("010")).toBe(8);
    expect(parseGoNumber("08")).toBe(8);
    expect(parseGoNumber("9223372036854775808")).toBe(9223372036854775808);
    expect(parseGoNumber("{} 1")).toBeNull();
  });
});
