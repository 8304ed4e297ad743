import { describe, expect, it } from "vitest";
import { fnv1a } from "../../src/model/labels.js";
import { scrapeOffsets } from "../../src/scrape/scrape_offsets.js";
import type { ActiveTarget } from "../../src/scrape/target_set.js";
import { scrapeTarget } from "./scrape_target.js";

function targets(n: number, intervalMs: number, prefix = "t"): ActiveTarget[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `${prefix}${i}`;
    return { id, target: scrapeTarget(`http://${id}/metrics`, { intervalMs }), discoveredLabels: [], offsetMs: fnv1a(id) % intervalMs };
  });
}

function counts(offsets: Map<string, number>, ids: readonly ActiveTarget[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const a of ids) out.set(offsets.get(a.id)!, (out.get(offsets.get(a.id)!) ?? 0) + 1);
  return out;
}

describe("scrapeOffsets", () => {
  it("scrapes up to perSlot targets of one interval at one offset, and a larger set in evenly spaced slots", () => {
    const few = targets(6, 1000);
    const o = scrapeOffsets(few, "tier-a", 16);
    expect([...counts(o, few).values()]).toEqual([6]);
    expect(o.get("t0")).toBeGreaterThanOrEqual(0);
    expect(o.get("t0")).toBeLessThan(1000);
    // Another tier scrapes at another instant.
    expect(scrapeOffsets(few, "tier-b", 16).get("t0")).not.toBe(o.get("t0"));

    const many = targets(40, 15_000);
    const m = scrapeOffsets(many, "tier-a", 16);
    const slots = [...counts(m, many)].sort((a, b) => a[0] - b[0]);
    expect(slots.map(([, n]) => n)).toEqual([14, 13, 13]);
    const gaps = slots.map(([t], i) => (slots[(i + 1) % 3]![0] - t + 15_000) % 15_000);
    for (const g of gaps) expect(Math.abs(g - 5000)).toBeLessThanOrEqual(1);
  });

  it("keeps intervals apart and gives the same offsets for the same targets", () => {
    const a = targets(3, 1000, "a");
    const b = targets(20, 60_000, "b");
    const o = scrapeOffsets([...a, ...b], "tier", 16);
    expect(new Set(a.map((x) => o.get(x.id))).size).toBe(1);
    expect(new Set(b.map((x) => o.get(x.id))).size).toBe(2);
    for (const x of b) expect(o.get(x.id)).toBeLessThan(60_000);
    expect(scrapeOffsets([...b].reverse().concat(a), "tier", 16)).toEqual(o);
  });
});
