import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFloat, isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { formatDuration, parseDuration, parseTime } from "../../src/model/time.js";
import { holds } from "../support/property.js";

describe("samples and time", () => {
  it("recognises the stale marker and nothing else", () => {
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
    expect(isStaleNaN(0)).toBe(false);
    // V8 sets the quiet bit when the marker passes through a plain array.
    expect(isStaleNaN([STALE_NAN][0]!)).toBe(true);
  });

  it("formats floats like Go's FormatFloat(v, 'f', -1, 64)", () => {
    expect(formatFloat(1)).toBe("1");
    expect(formatFloat(0.1)).toBe("0.1");
    expect(formatFloat(1e21)).toBe("1000000000000000000000");
    expect(formatFloat(1.5e-7)).toBe("0.00000015");
    expect(formatFloat(-1.25e22)).toBe("-12500000000000000000000");
    expect(formatFloat(1.2345e-5)).toBe("0.000012345");
    expect(formatFloat(Infinity)).toBe("+Inf");
    expect(formatFloat(NaN)).toBe("NaN");
  });

  it("parses and prints Prometheus durations", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("15s")).toBe(15_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("0")).toBe(0);
    expect(() => parseDuration("5 minutes")).toThrow(/not a valid duration/);
    expect(formatDuration(5_400_000)).toBe("1h30m");
    holds(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it("parses API times as unix seconds or RFC3339", () => {
    expect(parseTime("1700000000.5")).toBe(1_700_000_000_500);
    expect(parseTime("2023-11-14T22:13:20Z")).toBe(1_700_000_000_000);
    expect(parseTime("2023-11-14T22:13:20.123+01:00")).toBe(1_699_996_400_123);
    expect(() => parseTime("yesterday")).toThrow(/cannot parse "yesterday"/);
  });
});
