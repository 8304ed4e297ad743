import { describe, expect, it } from "vitest";
import { goJson, goJsonNumber, goJsonString, goSampleTexts, goSampleValue, goSeconds, goTimestamp, RawJson, TimestampMemo } from "../../src/api/go_json.js";
import { toJson } from "../../src/api/query_routes.js";
import { labelsFromRecord } from "../../src/model/labels.js";

describe("goJson", () => {
  it("parses back to what JSON.stringify would give for ordinary values", () => {
    const v = { a: [1, "x", null, true, { b: undefined, c: 2.5 }], d: "é\n\"", e: undefined };
    expect(JSON.parse(goJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    expect(goJson(v)).toBe(JSON.stringify(v));
  });

  it("writes Go's exponents, HTML-safe strings and raw JSON as given", () => {
    expect(goJson({ t: 5.01e-7, big: 1e21, s: "<a&b>", r: new RawJson('{"x":1}') })).toBe('{"t":5.01e-07,"big":1e+21,"s":"\\u003ca\\u0026b\\u003e","r":{"x":1}}');
  });

  it("keeps three fraction digits in timestamps, as Prometheus' MarshalTimestamp", () => {
    expect([goTimestamp(1_700_000_000_500), goTimestamp(1_700_000_000_000), goTimestamp(1_700_000_000_007), goTimestamp(-1500)]).toEqual([
      "1700000000.500",
      "1700000000",
      "1700000000.007",
      "-1.500",
    ]);
  });

  it("writes a scalar's or a step statistic's time as Go's float, without trailing zeros", () => {
    expect([goSeconds(1_796_533_656_620), goSeconds(1_700_000_000_500), goSeconds(1_700_000_000_000), goSeconds(1_700_000_000_007), goSeconds(-1500)]).toEqual([
      "1796533656.62",
      "1700000000.5",
      "1700000000",
      "1700000000.007",
      "-1.5",
    ]);
  });

  it("switches to Go's exponent form exactly at 1e-6 and 1e21, both signs", () => {
    const vs = [1e-6, 9.99999e-7, -1e-6, -9.99999e-7, 1e21, 999999999999999900000, -1e21, 5e-324, 0, -0, 1.7976931348623157e308];
    expect(vs.map(goSampleValue)).toEqual([
      '"0.000001"', '"9.99999e-07"', '"-0.000001"', '"-9.99999e-07"', '"1e+21"', '"999999999999999900000"', '"-1e+21"', '"5e-324"', '"0"', '"-0"', '"1.7976931348623157e+308"',
    ]);
    expect([NaN, Infinity, -Infinity].map(goSampleValue)).toEqual(['"NaN"', '"+Inf"', '"-Inf"']);
    expect([1e-7, 123.5, NaN].map(goJsonNumber)).toEqual(["1e-07", "123.5", "null"]);
  });

  it("writes a column of values as goSampleValue writes each, without the quotes", () => {
    const vs = Float64Array.of(1e-6, 9.99999e-7, -1e-6, 1e21, 999999999999999900000, -1e21, 5e-324, 0, -0, NaN, Infinity, -Infinity, 7.341666666666667, -2.5, 1e20, 123456789012345680000, 0.1 + 0.2, 1 / 3);
    expect(goSampleTexts(vs)).toEqual(Array.from(vs, (v) => goSampleValue(v).slice(1, -1)));
    // Doubles from random bit patterns: every exponent, subnormals, NaN payloads.
    const bits = new BigUint64Array(10_000);
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < bits.length; i++) bits[i] = x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    const random = new Float64Array(bits.buffer);
    expect(goSampleTexts(random)).toEqual(Array.from(random, (v) => goSampleValue(v).slice(1, -1)));
    expect(goSampleTexts(new Float64Array(0))).toEqual([]);
    // A view of a larger column gives its own values only.
    expect(goSampleTexts(Float64Array.of(1, 2, 3, 4).subarray(1, 3))).toEqual(["2", "3"]);
  });

  it("memoizes timestamps by position only while the time at that position is the same", () => {
    const m = new TimestampMemo();
    expect([m.at(0, 1000), m.at(1, 2500), m.at(0, 1000), m.at(0, 2500), m.at(1, 2500), m.at(1, -0)]).toEqual(["1", "2.500", "1", "2.500", "2.500", "0"]);
  });

  it("writes series whose points sit at other positions with their own times", () => {
    const labels = labelsFromRecord({ __name__: "m" });
    const json = toJson({
      type: "matrix",
      series: [
        { labels, ts: Float64Array.of(0, 15_000, 30_000), vs: Float64Array.of(1, 2e-7, 3) },
        { labels: labelsFromRecord({ __name__: "n" }), ts: Float64Array.of(15_000, 30_000, 45_500), vs: Float64Array.of(4, 5, 1e22) },
      ],
    }).json;
    expect(json).toBe(
      '{"resultType":"matrix","result":[{"metric":{"__name__":"m"},"values":[[0,"1"],[15,"2e-07"],[30,"3"]]},' +
        '{"metric":{"__name__":"n"},"values":[[15,"4"],[30,"5"],[45.500,"1e+22"]]}]}',
    );
  });

  it("quotes every character as JSON.stringify does, apart from the HTML-safe escapes", () => {
    const chars = Array.from({ length: 0x3000 }, (_, c) => String.fromCharCode(c)).concat(["\ud800", "\udc00", "\ud83d\ude00", "\u2028\u2029"]);
    for (const c of chars) {
      const s = `a${c}b`;
      const want = JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (x) => `\\u${x.charCodeAt(0).toString(16).padStart(4, "0")}`);
      expect(goJsonString(s), `U+${c.charCodeAt(0).toString(16)}`).toBe(want);
    }
    expect(goJsonString("")).toBe('""');
  });
});
