import { describe, expect, it } from "vitest";
import { slotAtOrBefore, slotOffsetNs } from "../../src/rules/eval_slot.js";
import { xxhash64 } from "../../src/rules/xxhash64.js";
import { AlertingRule } from "../../src/rules/alerting_rule.js";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("group slots", () => {
  it("hash with XXH64 as Prometheus' labels.Hash does", () => {
    expect(xxhash64(enc(""))).toBe(0xef46db3751d8e999n);
    expect(xxhash64(enc("a"))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxhash64(enc("abc"))).toBe(0x44bc2cf5ad770999n);
    expect(xxhash64(enc("0123456789abcdef0123456789abcdef"))).toBe(0x642a94958e71e6c5n);
    expect(xxhash64(enc("Nobody inspects the spammish repetition"))).toBe(0xfbcea83c8a378bf1n);
    expect(xxhash64(enc("The quick brown fox jumps over the lazy dog"))).toBe(0x0b242d361fda71bcn);
  });

  it("fall on the same offset within every interval", () => {
    const off = slotOffsetNs("rules.yml", "g", MIN);
    expect(off).toBe(xxhash64(new Uint8Array([...enc("file"), 0xff, ...enc("rules.yml"), 0xff, ...enc("name"), 0xff, ...enc("g"), 0xff])) % 60_000_000_000n);
    const offMs = Number(off / 1_000_000n);
    const s = slotAtOrBefore(T0 + 90_000, MIN, off);
    expect((s - T0) % MIN).toBe(offMs);
    expect(s).toBeLessThanOrEqual(T0 + 90_000);
    expect(s).toBeGreaterThan(T0 + 90_000 - MIN);
    expect(slotAtOrBefore(s, MIN, off)).toBe(s);
  });
});

describe("the rule manager", () => {
  it("evaluates each group at its slots, counting skipped ones as missed", async () => {
    const h = new Harness();
    await h.load(T0, MIN, `m ${"1 ".repeat(20)}`);
    h.manager.update([ruleFile("groups:\n  - name: a\n    rules:\n      - record: ra\n        expr: m\n  - name: b\n    interval: 2m\n    rules:\n      - record: rb\n        expr: m\n")], SETTINGS);
    const a = h.manager.get("rules.yml;a")!;
    const b = h.manager.get("rules.yml;b")!;
    const offA = Number(slotOffsetNs("rules.yml", "a", MIN) / 1_000_000n);
    expect(a.nextSlot).toBe(T0 + offA + (offA === 0 ? MIN : 0));
    await h.advance(T0 + 10 * MIN);
    const ra = (await h.samples("ra"))[0]!.points.map((p) => p[0]);
    const rb = (await h.samples("rb"))[0]!.points.map((p) => p[0]);
    expect(ra.length).toBeGreaterThanOrEqual(9);
    expect(rb.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < ra.length; i++) expect(ra[i]! - ra[i - 1]!).toBe(MIN);
    for (let i = 1; i < rb.length; i++) expect(rb[i]! - rb[i - 1]!).toBe(2 * MIN);
    expect(h.manager.metrics().groups["rules.yml;a"]!.iterationsMissed).toBe(0);

    // Five minutes without an alarm: the next run evaluates the latest slot only.
    const last = a.lastEvalTimestamp;
    h.now = T0 + 16 * MIN;
    await h.manager.runDue(h.now);
    expect(a.lastEvalTimestamp).toBe(last + 6 * MIN);
    expect(h.manager.metrics().groups["rules.yml;a"]!.iterationsMissed).toBe(5);
    expect(b.lastEvalTimestamp).toBeLessThanOrEqual(h.now);
  });

  it("keeps unchanged groups and hands state to changed ones on reload", async () => {
    const h = new Harness();
    await h.load(T0, MIN, `m ${"1 ".repeat(20)}`);
    const v1 = ruleFile("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 0\n      - record: old\n        expr: m\n  - name: same\n    rules:\n      - record: s\n        expr: m\n");
    h.manager.update([v1], SETTINGS);
    const same = h.manager.get("rules.yml;same")!;
    const g1 = h.manager.get("rules.yml;g")!;
    await g1.iterate(T0);
    const firing = (g1.rules[0] as AlertingRule).activeAlerts();
    expect(firing.map((a) => a.state)).toEqual(["firing"]);

    const v2 = ruleFile("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 0\n      - record: new\n        expr: m\n  - name: same\n    rules:\n      - record: s\n        expr: m\n");
    h.manager.update([v2], SETTINGS);
    expect(h.manager.get("rules.yml;same")).toBe(same);
    const g2 = h.manager.get("rules.yml;g")!;
    expect(g2).not.toBe(g1);
    expect((g2.rules[0] as AlertingRule).activeAlerts()).toEqual(firing);
    await g2.iterate(T0 + MIN);
    // The removed rule's series is marked stale at the next evaluation.
    expect((await h.samples("old"))[0]!.points).toEqual([[T0, 1], [T0 + MIN, "stale"]]);
    expect((await h.samples("new"))[0]!.points).toEqual([[T0 + MIN, 1]]);
  });

  it("marks the series of a removed group stale two intervals later", async () => {
    const h = new Harness();
    await h.load(T0, MIN, `m ${"1 ".repeat(20)}`);
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m\n")], SETTINGS);
    await h.advance(T0 + 3 * MIN);
    h.manager.update([], SETTINGS);
    const removedAt = h.now;
    await h.advance(removedAt + 2 * MIN - 1);
    expect((await h.samples("r"))[0]!.points.at(-1)![1]).toBe(1);
    await h.advance(removedAt + 2 * MIN);
    expect((await h.samples("r"))[0]!.points.at(-1)).toEqual([removedAt, "stale"]);
    expect(h.manager.metrics().groups).toEqual({});
  });

  it("keeps figures per group like Prometheus' rule metrics", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1");
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: ok\n        expr: m\n      - record: bad\n        expr: '\"text\"'\n")], SETTINGS);
    await h.manager.get("rules.yml;g")!.iterate(T0);
    const f = h.manager.metrics().groups["rules.yml;g"]!;
    expect(f).toMatchObject({ evaluations: 2, iterationsScheduled: 1, rules: 2, intervalSeconds: 60, lastSamples: 1 });
    expect(f.failures).toBe(1);
    expect(h.manager.get("rules.yml;g")!.rules[1]!.lastError).toBe("rule result is not a vector or scalar");
  });
});
