import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/promql/parser/errors.js";
import { parseExpr } from "../../src/promql/parser/parser.js";
import { errorSpan, locateParseError, offsetOf } from "../../src/web/client/query/parse_error.js";

/** The API's message for a broken expression: the server's own parser. */
function apiError(expr: string): { message: string; offset: number } {
  try {
    parseExpr(expr);
  } catch (e) {
    if (e instanceof ParseError) return { message: e.message, offset: e.offset };
    throw e;
  }
  throw new Error(`${expr} parsed`);
}

describe("parse errors from the API", () => {
  const broken = [
    "sum(rate(x[5m])",
    "up{job=}",
    "rate(up[5m]) +",
    'foo{label="ä"} ** 2',
    "sum by (job) (rate(http_requests_total[5m])) / on(",
    'label_replace(up, "ü", "$1", "instance", "(.*)") bad',
    "up\n  + \n  rate(x[5m] offset)",
    "😀 + 1",
  ];

  for (const expr of broken) {
    it(`points where the server's parser stopped: ${JSON.stringify(expr)}`, () => {
      const { message, offset } = apiError(expr);
      const loc = locateParseError(message, expr);
      expect(loc).not.toBeNull();
      expect(loc!.offset).toBe(Math.min(offset, expr.length));
      expect(message.endsWith(loc!.message)).toBe(true);
    });
  }

  it("reads Prometheus' wording with the parameter prefix", () => {
    const loc = locateParseError('invalid parameter "query": 1:5: parse error: unexpected "}" in label matching', "up{a}");
    expect(loc).toEqual({ line: 1, column: 5, offset: 4, message: 'unexpected "}" in label matching', text: '1:5: parse error: unexpected "}" in label matching' });
  });

  it("counts columns in UTF-8 bytes, as Prometheus does", () => {
    // "é" is two bytes: column 4 is the character after it.
    expect(offsetOf("aé+b", 1, 4)).toBe(2);
    expect(offsetOf("a\nbc", 2, 2)).toBe(3);
    expect(offsetOf("x", 3, 1)).toBe(1);
  });

  it("ignores errors that carry no position", () => {
    expect(locateParseError("query timed out in expression evaluation", "up")).toBeNull();
  });

  it("marks the word at the error, or the last character at the end", () => {
    expect(errorSpan("sum(rate(x[5m]) by foo", 16)).toEqual({ from: 16, to: 18 });
    expect(errorSpan("rate(up[5m]) +", 14)).toEqual({ from: 13, to: 14 });
    expect(errorSpan("up{}}", 4)).toEqual({ from: 4, to: 5 });
    expect(errorSpan("", 0)).toEqual({ from: 0, to: 0 });
  });
});
