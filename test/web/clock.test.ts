import { describe, expect, it } from "vitest";
import { clockOffset, clockSkewed } from "../../src/web/client/clock.js";

describe("clock check", () => {
  it("measures the offset from the round trip's midpoint", () => {
    const o = clockOffset(1000.5, 1_000_000, 1_000_200);
    expect(o).toEqual({ offsetMs: 400, uncertaintyMs: 100 });
    expect(clockSkewed(o)).toBe(false);
  });

  it("warns only when the difference surely exceeds a few seconds", () => {
    expect(clockSkewed(clockOffset(1000 + 7, 1_000_000, 1_000_100))).toBe(true);
    expect(clockSkewed(clockOffset(1000 - 120, 1_000_000, 1_000_100))).toBe(true);
    // 6 s off, but the request took 4 s: it could be 4 s.
    expect(clockSkewed(clockOffset(1000 + 8, 1_000_000, 1_004_000))).toBe(false);
  });
});
