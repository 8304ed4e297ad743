import { describe, expect, it } from "vitest";
import {
  formatDurationMs,
  formatFloat,
  formatFloatF,
  LiteralError,
  parseDurationLiteral,
  parseNumberLiteral,
  secondsToMs,
} from "../../../src/promql/parser/literals.js";
import { goQuote, goQuoteRune, goQuoteRuneVerbose, unquote } from "../../../src/promql/parser/quote.js";

describe("number literals", () => {
  it.each<[string, number]>([
    ["1", 1],
    ["1.5", 1.5],
    [".5", 0.5],
    ["5.", 5],
    ["1e3", 1000],
    ["1E-3", 0.001],
    ["1.e2", 100],
    ["0x1f", 31],
    ["0X1F", 31],
    ["0x_1f", 31],
    ["010", 8], // a leading zero means octal, as in Go
    ["08", 8], // not octal: read as a float
    ["0755.5", 755.5],
    ["1_000", 1000],
    ["00_1_23_4.56_7_8", 1234.5678],
    ["1e1_0", 1e10],
    ["9223372036854775807", 9223372036854775807],
    ["18446744073709551616", 18446744073709551616],
    ["Inf", Infinity],
    ["iNf", Infinity],
    ["1e-400", 0],
  ])("%s = %d", (text, want) => {
    expect(parseNumberLiteral(text)).toBe(want);
  });

  it("reads NaN", () => {
    expect(parseNumberLiteral("NaN")).toBeNaN();
    expect(parseNumberLiteral("nan")).toBeNaN();
  });

  it("reports values out of range and hex floats like strconv.ParseFloat", () => {
    expect(() => parseNumberLiteral("1e400")).toThrow(new LiteralError('strconv.ParseFloat: parsing "1e400": value out of range'));
    expect(() => parseNumberLiteral("0x10000000000000000")).toThrow(
      new LiteralError('strconv.ParseFloat: parsing "0x10000000000000000": invalid syntax'),
    );
  });
});

describe("duration literals", () => {
  it.each<[string, number]>([
    ["0", 0],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["10ms", 10],
    ["1y", 365 * 86_400_000],
    ["2w", 14 * 86_400_000],
    ["1d12h", 36 * 3_600_000],
    ["1y2w3d4h5m6s7ms", ((365 + 17) * 24 * 3600 + 4 * 3600 + 5 * 60 + 6) * 1000 + 7],
    ["0s", 0],
    ["106751d23h47m16s854ms", 9223372036854],
  ])("%s = %d ms", (text, ms) => {
    expect(parseDurationLiteral(text)).toBe(ms);
  });

  it.each<[string, string]>([
    ["5m1h", 'not a valid duration string: "5m1h"'],
    ["5m1m", 'not a valid duration string: "5m1m"'],
    ["5y1hs", 'unknown unit "hs" in duration "5y1hs"'],
    ["1.5h", 'unknown unit "." in duration "1.5h"'],
    ["300y", "duration out of range"],
    ["106751d23h47m16s855ms", "duration out of range"],
    ["", "empty duration string"],
  ])("%j fails: %s", (text, msg) => {
    expect(() => parseDurationLiteral(text)).toThrow(new LiteralError(msg));
  });

  it("converts query seconds to whole milliseconds like Prometheus", () => {
    expect(secondsToMs(300)).toBe(300_000);
    expect(secondsToMs(1.5)).toBe(1500);
    expect(secondsToMs(0.1)).toBe(100);
    expect(secondsToMs(0.0001)).toBe(0);
    expect(secondsToMs(-90)).toBe(-90_000);
    expect(Object.is(secondsToMs(-0.0001), 0)).toBe(true);
  });
});

describe("formatting", () => {
  it.each<[number, string]>([
    [1, "1"],
    [-1.5, "-1.5"],
    [0, "0"],
    [-0, "-0"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [123456789.125, "123456789.125"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
    [0.1, "0.1"],
  ])("formatFloat(%d) = %s", (v, s) => {
    expect(formatFloat(v)).toBe(s);
  });

  it.each<[number, string]>([
    [0, "0s"],
    [300_000, "5m"],
    [5_400_000, "1h30m"],
    [90 * 86_400_000, "90d"],
    [14 * 86_400_000, "2w"],
    [365 * 86_400_000, "1y"],
    [366 * 86_400_000, "366d"],
    [1500, "1s500ms"],
    [-60_000, "-1m"],
  ])("formatDurationMs(%d) = %s", (ms, s) => {
    expect(formatDurationMs(ms)).toBe(s);
  });

  it("formats %f like Go", () => {
    expect(formatFloatF(Infinity)).toBe("+Inf");
    expect(formatFloatF(-Infinity)).toBe("-Inf");
    expect(formatFloatF(NaN)).toBe("NaN");
    expect(formatFloatF(1.5)).toBe("1.500000");
    expect(formatFloatF(1e22)).toBe("10000000000000000000000.000000");
  });
});

describe("Go quoting", () => {
  it("quotes strings like strconv.Quote", () => {
    expect(goQuote("plain")).toBe('"plain"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("\x07\b\f\n\r\t\v")).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
    expect(goQuote("\x00\x1f\x7f")).toBe('"\\x00\\x1f\\x7f"');
    expect(goQuote("héllo 世界 😀")).toBe('"héllo 世界 😀"');
    expect(goQuote("\u00a0\u2028")).toBe('"\\u00a0\\u2028"');
    expect(goQuote("\u{e0001}")).toBe('"\\U000e0001"');
    expect(goQuote("\ufffd")).toBe('"\\ufffd"');
  });

  it("quotes runes like %q and %#U", () => {
    expect(goQuoteRune(46)).toBe("'.'");
    expect(goQuoteRune(39)).toBe("'\\''");
    expect(goQuoteRune(10)).toBe("'\\n'");
    expect(goQuoteRune(0xe9)).toBe("'é'");
    expect(goQuoteRuneVerbose(99)).toBe("U+0063 'c'");
    expect(goQuoteRuneVerbose(10)).toBe("U+000A");
    expect(goQuoteRuneVerbose(0x1f600)).toBe("U+1F600 '😀'");
  });

  it("unquotes Go string literals", () => {
    expect(unquote('"a\\tb"')).toBe("a\tb");
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote("`raw\\n`")).toBe("raw\\n");
    expect(unquote('"\\x41\\101\\u00e9\\U0001F600"')).toBe("AAé😀");
    expect(unquote('"\\xc3\\xa9"')).toBe("é"); // \x escapes are UTF-8 bytes
    expect(unquote('"\\\\\\""')).toBe('\\"');
  });

  it("round-trips arbitrary strings through goQuote and unquote", () => {
    const samples = ["", "a\u0000b", "tab\there", "\u{10ffff}", "日本語", "\u200b", "\\", '"', "'", "\x7f\x80\xff"];
    for (const s of samples) expect(unquote(goQuote(s))).toBe(s);
  });
});
