import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatExpositionFloat,
  formatMillisAsSeconds,
  formatOpenMetricsFloat,
  parseExposition,
  parseGoFloat,
  secondsToMillis,
  type ExpositionFormat,
} from "../../src/textparse/index.js";
import { holds } from "../support/property.js";

describe("exposition floats", () => {
  it("print like Go's strconv 'g' format, as node_exporter's output shows", () => {
    const cases: Array<[number, string]> = [
      [0, "0"],
      [-0, "0"],
      [1, "1"],
      [-1, "-1"],
      [0.35, "0.35"],
      [668495, "668495"],
      [1740552, "1.740552e+06"],
      [1e6, "1e+06"],
      [16647716864, "1.6647716864e+10"],
      [0.0001, "0.0001"],
      [9.6366e-5, "9.6366e-05"],
      [3.05e-7, "3.05e-07"],
      [1e100, "1e+100"],
      [-2.5e-300, "-2.5e-300"],
      [Number.MAX_VALUE, "1.7976931348623157e+308"],
      [5e-324, "5e-324"],
      [NaN, "NaN"],
      [Infinity, "+Inf"],
      [-Infinity, "-Inf"],
    ];
    for (const [v, s] of cases) expect(formatExpositionFloat(v), String(v)).toBe(s);
  });

  it("print OpenMetrics values and normalised label values with a fractional part", () => {
    expect([1, 0, -0, -1, 10, 0.5, 1e6, 1.5e-7, NaN, Infinity].map(formatOpenMetricsFloat)).toEqual([
      "1.0",
      "0.0",
      "0.0",
      "-1.0",
      "10.0",
      "0.5",
      "1e+06",
      "1.5e-07",
      "NaN",
      "+Inf",
    ]);
  });

  it("parse back exactly what they print, for any double", () => {
    holds(
      fc.property(fc.double(), (v) => {
        for (const s of [formatExpositionFloat(v), formatOpenMetricsFloat(v)]) {
          const back = parseGoFloat(s);
          expect(back === v || (Number.isNaN(back) && Number.isNaN(v))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("turn integer milliseconds into decimal seconds and back without loss", () => {
    expect(formatMillisAsSeconds(1520879607789)).toBe("1520879607.789");
    expect(formatMillisAsSeconds(1000)).toBe("1");
    expect(formatMillisAsSeconds(1010)).toBe("1.01");
    expect(formatMillisAsSeconds(-1)).toBe("-0.001");
    holds(
      fc.property(fc.integer({ min: -4e12, max: 4e12 }), (ms) => {
        expect(secondsToMillis(parseGoFloat(formatMillisAsSeconds(ms))!)).toBe(ms);
      }),
      { numRuns: 5000 },
    );
  });

  // The parser converts most sample values itself (line-parser.ts, scanValue); any
  // spelling must give parseGoFloat's double, bit for bit, or the same refusal.
  it("parse sample values to exactly parseGoFloat's double, in both formats", () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: max });
    const spelled = fc
      .tuple(
        fc.constantFrom("", "-", "+", "--"),
        fc.oneof(digits(4), digits(17), digits(25)),
        fc.option(fc.tuple(fc.constantFrom(".", ".."), digits(20)), { nil: undefined }),
        fc.option(fc.tuple(fc.constantFrom("e", "E", "x"), fc.constantFrom("", "+", "-"), digits(7)), { nil: undefined }),
      )
      .map(([sign, int, frac, exp]) => sign + int + (frac === undefined ? "" : frac.join("")) + (exp === undefined ? "" : exp.join("")));
    const token = fc.oneof(
      { weight: 8, arbitrary: spelled },
      { weight: 1, arbitrary: fc.constantFrom("Inf", "-Inf", "+inf", "NaN", "nan", "-NaN", "0x1p3", "1_000", "Infinity", "9007199254740993", "9007199254740993e-5", "9007199254740993e3", "900719925474099.3", "4.9e-324", "1e-400", "1.7976931348623157e308", "1e309") },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789.eE+-xI\t"), maxLength: 12 }) },
    );
    holds(
      fc.property(token, fc.constantFrom<ExpositionFormat>("text", "openmetrics"), (tok, format) => {
        if (tok === "" || /[\s]/.test(tok)) return;
        const want = parseGoFloat(tok);
        const page = format === "text" ? `m ${tok}\n` : `m ${tok}\n# EOF\n`;
        let got: number | undefined;
        try {
          const e = parseExposition(page, format)[0]!;
          got = e.kind === "sample" ? e.value : undefined;
        } catch {
          got = undefined;
        }
        expect(got === undefined ? "refused" : Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))).toBe(want === undefined ? "refused" : true);
      }),
      { numRuns: 20000 },
    );
  });
});
