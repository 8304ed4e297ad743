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
});
