import { describe, expect, it } from "vitest";
import { ExpositionParser, ParseError, type ExpositionFormat } from "../../src/textparse/index.js";
import { parseFailure } from "./helpers.js";

// Each malformed line is placed after two good lines, so the reported line number
// is checked as well as the column.
const PREFIX = "# TYPE good gauge\ngood 1\n";

const TEXT_CASES: Array<[string, number, string]> = [
  ['m{a x} 1', 5, 'expected equal, got "x"'],
  ['m{a="1" b="2"} 1', 9, 'expected comma or brace close, got "b"'],
  ['m{a="1",,} 1', 9, 'expected label name, got ","'],
  ['m{a=1} 1', 5, 'expected label value, got "1"'],
  ['m{a="1} 1', 5, "unterminated label value"],
  ['m{a="1\\', 5, "unterminated label value"],
  ['m{9a="1"} 1', 3, 'expected label name, got "9a"'],
  ['m{a="1",a="2"} 1', 9, 'duplicate label name "a"'],
  ['m{__name__="n"} 1', 3, 'duplicate label name "__name__"'],
  ["m{a=\"1\"}1", 9, 'expected space before value, got "1"'],
  ["m", 2, "expected label set or value, got end of line"],
  ["m-x 1", 2, 'expected label set or value, got "-x"'],
  ["9m 1", 1, 'expected metric name, got "9m"'],
  ['{__name__="m"} 1', 1, 'expected metric name, got "{"'],
  ["m abc", 3, 'invalid value "abc"'],
  ["m 1 2 3", 7, 'expected end of line after timestamp, got "3"'],
  ["m 1 2x", 5, 'expected integer timestamp in milliseconds, got "2x"'],
  ["# TYPE m", 9, 'invalid metric type ""'],
  ["# TYPE m counter extra", 10, 'invalid metric type "counter extra"'],
  ["# HELP ", 8, "expected metric name after HELP, got end of line"],
  ["# HELP 1m x", 8, 'expected metric name after HELP, got "1m"'],
  ["# HELP m{ x", 9, 'expected space after metric name, got "{"'],
  // Columns count code points, not UTF-16 units: the emoji is one column.
  ['m{a="😀",b=} 1', 11, 'expected label value, got "}"'],
];

const OM_CASES: Array<[string, number, string]> = [
  ['m{a="1" } 1', 8, 'expected comma or brace close, got " "'],
  ["m 1 # {a} 1", 9, 'expected equal, got "}"'],
  ["m 1 #", 5, 'expected exemplar "# {", got "#"'],
  ["m 1 # {} x", 10, 'expected exemplar value, got "x"'],
  ["m 1 # {} 1 x", 12, 'expected exemplar timestamp, got "x"'],
  ["m 1 x", 5, 'expected timestamp, got "x"'],
  ["# HELP", 7, 'expected space, got end of line'],
  ["# HELP  m", 8, 'expected metric name after HELP, got " "'],
  ["# TYPE m gauge ", 10, 'invalid metric type "gauge "'],
  ["# UNIT m_s  s", 12, 'unit " s" not a suffix of metric "m_s"'],
  ["# EOF now", 6, 'expected end of line after # EOF, got " "'],
];

function check(format: ExpositionFormat, cases: Array<[string, number, string]>): void {
  for (const [line, column, reason] of cases) {
    const text = PREFIX + line + "\n" + (format === "openmetrics" ? "# EOF\n" : "");
    const err = parseFailure(text, format);
    expect({ line: err.line, column: err.column, reason: err.reason }, line).toEqual({ line: 3, column, reason });
    expect(err.message).toBe(`line 3, column ${column}: ${reason}`);
  }
}

describe("parse errors", () => {
  it("locate malformed text-format lines by line and column", () => check("text", TEXT_CASES));
  it("locate malformed OpenMetrics lines by line and column", () => check("openmetrics", OM_CASES));

  it("are ParseError instances with a stable name", () => {
    const err = parseFailure("m{\n", "text");
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ParseError");
  });

  it("stick: once a parser failed, later calls throw the same error", () => {
    const p = new ExpositionParser("text");
    expect(() => p.push("m{\n")).toThrow(ParseError);
    let again: unknown;
    try {
      p.push("ok 1\n");
    } catch (e) {
      again = e;
    }
    expect(again).toBeInstanceOf(ParseError);
    expect((again as ParseError).line).toBe(1);
    expect(() => p.end()).toThrow(ParseError);
  });
});
