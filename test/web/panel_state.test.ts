import { describe, expect, it } from "vitest";
import { clampStep, decreaseRange, effectiveStep, increaseRange, MAX_POINTS } from "../../src/web/client/query/panel_state.js";

describe("graph resolution", () => {
  it("divides the range by 100, 250 or 750 points for low, medium and high, as Prometheus 3 does", () => {
    expect(effectiveStep({ type: "auto", density: "medium" }, 3600_000)).toBe(14_400);
    expect(effectiveStep({ type: "auto", density: "low" }, 3600_000)).toBe(36_000);
    expect(effectiveStep({ type: "auto", density: "high" }, 3600_000)).toBe(4800);
    // Floored to whole milliseconds, never below one.
    expect(effectiveStep({ type: "auto", density: "medium" }, 1000)).toBe(4);
    expect(effectiveStep({ type: "auto", density: "high" }, 100)).toBe(1);
    expect(effectiveStep({ type: "fixed", step: 60_000 }, 3600_000)).toBe(60_000);
    expect(effectiveStep({ type: "custom", step: 7000 }, 3600_000)).toBe(7000);
  });

  it("keeps a step under the API's 11,000 points per series", () => {
    const week = 7 * 86400_000;
    expect(clampStep(1000, week)).toBe(Math.ceil(week / MAX_POINTS));
    expect(week / clampStep(1000, week)).toBeLessThanOrEqual(MAX_POINTS);
    expect(clampStep(60_000, week)).toBe(60_000);
  });

  it("moves the range along Prometheus' ladder", () => {
    expect(increaseRange(3600_000)).toBe(2 * 3600_000);
    expect(decreaseRange(3600_000)).toBe(1800_000);
    // Off the ladder: to the next step either way.
    expect(increaseRange(5400_000)).toBe(2 * 3600_000);
    expect(decreaseRange(5400_000)).toBe(3600_000);
    expect(decreaseRange(1000)).toBe(1000);
    expect(increaseRange(730 * 86400_000)).toBe(730 * 86400_000);
  });
});
