import { describe, expect, it } from "vitest";
import { formatTimeTick, formatUtc, humanizeDuration, parseApiTime, parseTimeInput, relativeTime, TimeInputError } from "../../src/web/client/format/duration.js";
import { formatAxisValue, parseSampleValue, seriesName } from "../../src/web/client/format/value.js";

describe("durations and times", () => {
  it("humanizes like Prometheus' UI, with fractional seconds", () => {
    expect(humanizeDuration(0)).toBe("0s");
    expect(humanizeDuration(850)).toBe("850ms");
    expect(humanizeDuration(4567)).toBe("4.567s");
    expect(humanizeDuration(60_500)).toBe("1m 500ms");
    expect(humanizeDuration(93_784_500)).toBe("1d 2h 3m 4.5s");
    expect(humanizeDuration(14 * 86400_000)).toBe("2w");
    expect(humanizeDuration(90 * 86400_000)).toBe("90d");
    expect(humanizeDuration(-2000)).toBe("-2s");
    expect(humanizeDuration(0.25)).toBe("0.25ms");
  });

  it("says how long ago, and never for Go's zero time", () => {
    expect(relativeTime(1000, 4210)).toBe("3.21s ago");
    expect(relativeTime(0, 5000)).toBe("never");
    expect(relativeTime(parseApiTime("0001-01-01T00:00:00Z"), 5000)).toBe("never");
    expect(relativeTime(7000, 5000)).toBe("in 2s");
    expect(parseApiTime("2026-11-21T10:00:00.123Z")).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 123));
  });

  it("reads times in the forms people type and URLs carry", () => {
    const t = Date.UTC(2026, 10, 21, 10, 30, 15);
    expect(parseTimeInput("2026-11-21 10:30:15")).toBe(t);
    expect(parseTimeInput("2026-11-21T10:30:15Z")).toBe(t);
    expect(parseTimeInput("2026-11-21T12:30:15+02:00")).toBe(t);
    expect(parseTimeInput("2026-11-21 10:30:15.250")).toBe(t + 250);
    expect(parseTimeInput("2026-11-21 10:30")).toBe(t - 15_000);
    expect(parseTimeInput(String(t / 1000))).toBe(t);
    expect(parseTimeInput("1700000000.5")).toBe(1_700_000_000_500);
    expect(() => parseTimeInput("yesterday")).toThrow(TimeInputError);
    expect(() => parseTimeInput("2026-02-30 10:00:00")).toThrow(TimeInputError);
    expect(() => parseTimeInput("2026-11-21 25:00:00")).toThrow(TimeInputError);
    expect(formatUtc(t)).toBe("2026-11-21 10:30:15");
    expect(formatUtc(t + 7)).toBe("2026-11-21 10:30:15.007");
    expect(parseTimeInput(formatUtc(t + 7))).toBe(t + 7);
  });
});

describe("time axis labels", () => {
  const t = Date.UTC(2026, 10, 21, 10, 30, 15) / 1000;
  it("shows as much of the UTC time as the tick spacing needs", () => {
    expect(formatTimeTick(t, 300)).toBe("10:30");
    expect(formatTimeTick(t, 15)).toBe("10:30:15");
    expect(formatTimeTick(t, 86400)).toBe("2026-11-21");
    expect(formatTimeTick(Date.UTC(2026, 10, 22) / 1000, 3600)).toBe("11-22 00:00");
  });
});

describe("values and series names", () => {
  it("reads Go's float spellings", () => {
    expect(parseSampleValue("+Inf")).toBe(Infinity);
    expect(parseSampleValue("-Inf")).toBe(-Infinity);
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("1e+06")).toBe(1e6);
    expect(parseSampleValue("-0.25")).toBe(-0.25);
  });

  it("prints a series as PromQL would select it", () => {
    expect(seriesName({ __name__: "up", job: "node", instance: "a:9100" })).toBe('up{instance="a:9100", job="node"}');
    expect(seriesName({ job: 'we"ird\\' })).toBe('{job="we\\"ird\\\\"}');
    expect(seriesName({ __name__: "up" })).toBe("up");
    expect(seriesName({})).toBe("{}");
  });

  it("labels axes with SI prefixes", () => {
    expect(formatAxisValue(0)).toBe("0");
    expect(formatAxisValue(1500000)).toBe("1.5M");
    expect(formatAxisValue(2_000_000_000)).toBe("2G");
    expect(formatAxisValue(999)).toBe("999");
    expect(formatAxisValue(0.0025)).toBe("2.5m");
    expect(formatAxisValue(-4200)).toBe("-4.2k");
    expect(formatAxisValue(0.5)).toBe("500m");
    expect(formatAxisValue(12.3456)).toBe("12.35");
  });
});
