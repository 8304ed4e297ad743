import { describe, expect, it } from "vitest";
import { sprint, sprintf, sprintln } from "../../../src/rules/template/fmt.js";
import { formatFloat } from "../../../src/rules/template/ftoa.js";
import { COMPLEX128, GoValue, UINT8, bool, f64, int, stringMap, str } from "../../../src/rules/template/values.js";
import { run } from "./helpers.js";

// Expected strings are what Go's fmt prints; the template cases were checked against
// promtool 2.42 expanding the same annotation templates.

describe("strconv.FormatFloat", () => {
  const cases: Array<[number, string, number, string]> = [
    [1234567, "g", -1, "1.234567e+06"],
    [100000, "g", -1, "100000"],
    [1e6, "g", -1, "1e+06"],
    [0.0001, "g", -1, "0.0001"],
    [0.00001, "g", -1, "1e-05"],
    [1e21, "g", -1, "1e+21"],
    [123456789, "g", -1, "1.23456789e+08"],
    [0.1, "g", -1, "0.1"],
    [-0, "g", -1, "-0"],
    [0, "e", -1, "0e+00"],
    [1234567, "e", 3, "1.235e+06"],
    [1e100, "e", 2, "1.00e+100"],
    [0.5, "f", 0, "0"],
    [1.5, "f", 0, "2"],
    [2.5, "f", 0, "2"],
    [0.25, "f", 1, "0.2"],
    [1.005, "f", 2, "1.00"],
    [0.0001, "f", 2, "0.00"],
    [1e22, "f", 0, "10000000000000000000000"],
    [1234567, "g", 4, "1.235e+06"],
    [1.234567, "g", 4, "1.235"],
    [2, "g", 4, "2"],
    [100000, "g", 4, "1e+05"],
    [1.5, "x", -1, "0x1.8p+00"],
    [-3.25, "X", -1, "-0X1.AP+01"],
    [1, "b", -1, "4503599627370496p-52"],
    [NaN, "g", -1, "NaN"],
    [Infinity, "f", 2, "+Inf"],
    [-Infinity, "e", -1, "-Inf"],
    [5e-324, "g", -1, "5e-324"],
    [1.7976931348623157e308, "g", -1, "1.7976931348623157e+308"],
  ];
  it.each(cases)("FormatFloat(%d, %s, %d) = %s (exact decimal value, ties to even)", (v, f, p, want) => {
    expect(formatFloat(v, f, p)).toBe(want);
  });
});

describe("fmt.Sprintf verbs and flags", () => {
  const cases: Array<[string, GoValue[], string]> = [
    ["%v %g %e %f %.3e %G %E", [1234567, 1234567, 1234567, 1234567, 1234567, 1234567, 1234567].map(f64), "1.234567e+06 1.234567e+06 1.234567e+06 1234567.000000 1.235e+06 1.234567E+06 1.234567E+06"],
    ["%5.2f|%-8.3g|%+d|% d|%05d", [f64(3.14159), f64(2.5), int(42), int(42), int(-42)], " 3.14|2.5     |+42| 42|-0042"],
    ["%x|%X|%o|%O|%b|%#x|%#o|%c|%q|%U|%#U", [255, 255, 8, 8, 5, 255, 8, 65, 65, 9731, 9731].map((n) => int(n)), "ff|FF|10|0o10|101|0xff|010|A|'A'|U+2603|U+2603 '☃'"],
    ["%s|%10s|%-10s|%.2s|%q", [str("héllo"), str("ab"), str("ab"), str("héllo"), str('a\tb"')], 'héllo|        ab|ab        |hé|"a\\tb\\""'],
    ["%x|% x|%#q|%+q", [str("hi"), str("hi"), str("`x`"), str("é")], '6869|68 69|"`x`"|"\\u00e9"'],
    ["%6.2v|%08.3f|%-8.2f|%+.1e", [f64(3.14159), f64(-3.14159), f64(2.5), f64(12345.678)], "   3.1|-003.142|2.50    |+1.2e+04"],
    ["%5t|%-7v|%07.2f", [bool(true), bool(false), f64(-1.5)], " true|false  |-001.50"],
    ["%#g %#v", [f64(1), f64(1.5)], "1.00000 1.5"],
    ["%.3v %10.4v", [str("abcdef"), f64(3.14159265)], "abc      3.142"],
    ["%[2]d %[1]d", [int(1), int(2)], "2 1"],
    ["%*d|%.*f", [int(5), int(42), int(2), f64(3.14159)], "   42|3.14"],
    ["%v|%d", [new GoValue(UINT8, 98n), int(6)], "98|6"],
    ["%T %T %T", [int(1), f64(1.5), str("s")], "int float64 string"],
    ["%v", [stringMap({ job: "node", instance: "a" })], "map[instance:a job:node]"],
    ["100%%", [], "100%"],
  ];
  it.each(cases)("Sprintf(%j)", (format, args, want) => {
    expect(sprintf(format, args)).toBe(want);
  });

  it("reports misuse inline the way Go does (%!verb(type=value), MISSING, EXTRA, NOVERB, BADINDEX)", () => {
    expect(sprintf("%d %s", [str("x"), int(1)])).toBe("%!d(string=x) %!s(int=1)");
    expect(sprintf("%d", [])).toBe("%!d(MISSING)");
    expect(sprintf("%d %d", [int(1)])).toBe("1 %!d(MISSING)");
    expect(sprintf("%d", [int(1), int(2)])).toBe("1%!(EXTRA int=2)");
    expect(sprintf("%!", [])).toBe("%!!(MISSING)");
    expect(sprintf("%", [])).toBe("%!(NOVERB)");
    expect(sprintf("%[3]d", [int(1)])).toBe("%!d(BADINDEX)");
    expect(sprintf("%s", [f64(1.5)])).toBe("%!s(float64=1.5)");
    expect(sprintf("%d", [null])).toBe("%!d(<nil>)");
    expect(sprintf("%*d", [str("x"), int(1)])).toBe("%!(BADWIDTH)1");
  });

  it("Sprint adds spaces only between operands that are both non-strings", () => {
    expect(sprint([int(1), int(2), str("a"), str("b"), int(3), null, int(4)])).toBe("1 2ab3 <nil> 4");
    expect(sprintln([int(1), str("a"), null])).toBe("1 a <nil>\n");
  });

  it("prints complex numbers with a signed imaginary part", () => {
    expect(sprint([new GoValue(COMPLEX128, { re: 1, im: -2 })])).toBe("(1-2i)");
    expect(sprintf("%.1f", [new GoValue(COMPLEX128, { re: 0.25, im: 3 })])).toBe("(0.2+3.0i)");
  });
});

describe("fmt through templates (checked against Go)", () => {
  it("%v of float64 values uses the shortest %g form with exponent from 1e+06 up", async () => {
    expect(await run(`{{ printf "%v %v %v %v %v" 1e21 1e20 123456789.0 0.000012345 100000.0 }}`)).toBe("1e+21 1e+20 1.23456789e+08 1.2345e-05 100000");
  });
  it("%.Nf rounds half to even on the exact binary value", async () => {
    expect(await run(`{{ printf "%.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 0.25 1.005 }}`)).toBe("0 2 2 0.2 1.00");
  });
  it("%x on floats is the hexadecimal mantissa and binary exponent", async () => {
    expect(await run(`{{ printf "%x %X %b" 1.5 -3.25 1.0 }}`)).toBe("0x1.8p+00 -0X1.AP+01 4503599627370496p-52");
  });
  it("complex literals print as (re+imi)", async () => {
    expect(await run(`{{ printf "%v %v" 1+2i 3i }}`)).toBe("(1+2i) (0+3i)");
  });
  it("print and println follow Sprint's spacing rules", async () => {
    expect(await run(`{{ print 1 2 "a" "b" 3 nil 4 }}`)).toBe("1 2ab3 <nil> 4");
    expect(await run(`{{ println 1 "a" nil }}`)).toBe("1 a <nil>\n");
  });
});
