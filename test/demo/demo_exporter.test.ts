import { describe, expect, it } from "vitest";
import { demoFamilies } from "../../src/demo/demo_exporter.js";
import { parseExposition, writeExposition } from "../../src/textparse/index.js";

describe("demo target", () => {
  it("writes valid exposition whose counters only grow", () => {
    const t0 = Date.UTC(2026, 10, 21, 12);
    const at = (t: number) => {
      const out = new Map<string, number>();
      for (const e of parseExposition(writeExposition(demoFamilies(t), "text"), "text")) {
        if (e.kind === "sample") out.set(JSON.stringify(e.labels), e.value);
      }
      return out;
    };
    const a = at(t0);
    const b = at(t0 + 15_000);
    expect(a.size).toBeGreaterThan(40);
    let grew = 0;
    for (const [k, v] of a) {
      if (!k.includes("demo_http")) continue;
      expect(b.get(k)!).toBeGreaterThanOrEqual(v);
      if (b.get(k)! > v) grew++;
    }
    expect(grew).toBeGreaterThan(10);
  });

  it("carries one exemplar per path in OpenMetrics, steady within a 15 s window and new in the next", () => {
    const t0 = Date.UTC(2026, 10, 21, 12);
    const exemplars = (t: number) =>
      parseExposition(writeExposition(demoFamilies(t), "openmetrics"), "openmetrics").flatMap((e) =>
        e.kind === "sample" && e.exemplar !== undefined ? [{ series: JSON.stringify(e.labels), ex: e.exemplar }] : [],
      );
    const a = exemplars(t0);
    expect(a).toHaveLength(4);
    for (const { series, ex } of a) {
      expect(series).toContain("_bucket");
      expect(ex.labels[0]!.value).toMatch(/^[0-9a-f]{32}$/);
      expect(ex.timestamp).toBe(t0);
    }
    expect(exemplars(t0 + 14_000)).toEqual(a);
    const next = exemplars(t0 + 15_000);
    expect(next.map((e) => e.ex.labels[0]!.value).filter((id) => a.some((x) => x.ex.labels[0]!.value === id))).toEqual([]);
    expect.assertions(1 + 3 * 4 + 2);
  });
});
