import { describe, expect, it } from "vitest";
import { goJson, goTimestamp, RawJson } from "../../src/api/go_json.js";

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
});
