import { describe, expect, it } from "vitest";
import { AlertingRule } from "../../src/rules/alerting_rule.js";
import { SavedRuleState } from "../../src/rules/saved_state.js";
import { Harness, MapStore, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

// What a RuleEvaluator keeps in its Durable Object storage across evictions: the
// harness plays the object, MapStore its storage, and a new manager on the same
// storage a new instance of the object.

const RULES = ruleFile(`
groups:
  - name: g
    interval: 1m
    rules:
      - record: m:copy
        expr: m
      - alert: A
        expr: m > 0
        for: 2m
`);

async function runUntil(h: Harness, store: SavedRuleState, t: number): Promise<void> {
  for (;;) {
    const next = h.manager.nextDue();
    if (next > t) break;
    h.now = next;
    const due = await h.manager.runDue(next);
    await store.save(h.manager, due);
  }
  h.now = t;
}

function alertRule(h: Harness): AlertingRule {
  return h.manager.get("rules.yml;g")!.rules[1] as AlertingRule;
}

describe("saved rule state", () => {
  it("lets a new instance continue where an evicted one stopped", async () => {
    const h = new Harness();
    const store = new MapStore();
    await h.load(T0, MIN, `m{i="1"} ${"1 ".repeat(30)}`, `m{i="2"} 1 1 1 1 1 1`);
    h.manager.update([RULES], SETTINGS);
    await new SavedRuleState(store).restore(h.manager, h.now);
    await runUntil(h, new SavedRuleState(store), T0 + 6 * MIN);
    const before = alertRule(h).activeAlerts();
    expect(before.map((a) => a.state)).toEqual(["firing", "firing"]);
    const g1 = h.manager.get("rules.yml;g")!;
    const nextSlot = g1.nextSlot;
    const sentBefore = h.takeSent().length;
    expect(sentBefore).toBeGreaterThan(0);

    // Evicted: a new instance starts 20s later, within four intervals.
    h.now += 20_000;
    h.manager = h.newManager();
    h.manager.update([RULES], SETTINGS);
    const saved = new SavedRuleState(store);
    await saved.restore(h.manager, h.now);
    const g2 = h.manager.get("rules.yml;g")!;
    expect(g2.nextSlot).toBe(nextSlot);
    expect(g2.restoreCountdown).toBe(0);
    expect(alertRule(h).restored).toBe(true);
    expect(alertRule(h).activeAlerts()).toEqual(before);
    expect(g2.rules[0]!.health).toBe("ok");

    // i="2" has no samples after minute 5, so it leaves the results at minute 10,
    // in the new instance: the restored series sets let it write the stale marker.
    await runUntil(h, saved, T0 + 12 * MIN);
    const copy2 = (await h.samples("m:copy", { i: "2" }))[0]!;
    expect(copy2.points.at(-1)![1]).toBe("stale");
    // The alert of i="2" resolved; i="1" kept firing without starting over.
    expect(alertRule(h).activeAlerts().map((a) => [a.labels.find((l) => l.name === "i")!.value, a.state, a.activeAt])).toEqual([["1", "firing", before[0]!.activeAt]]);
    // Alertmanager sees the same alert throughout: its startsAt never changed.
    const resent = h.sent.flat().filter((a) => a.labels["i"] === "1");
    expect(resent.every((a) => a.startsAt === before[0]!.firedAt)).toBe(true);
  });

  it("treats a long gap as a restart: alerts start over and `for` state comes from ALERTS_FOR_STATE", async () => {
    const h = new Harness();
    const store = new MapStore();
    await h.load(T0, MIN, `m ${"1 ".repeat(60)}`);
    h.manager.update([RULES], SETTINGS);
    await runUntil(h, new SavedRuleState(store), T0 + 5 * MIN);
    expect(alertRule(h).state()).toBe("firing");

    h.now = T0 + 30 * MIN;
    h.manager = h.newManager();
    h.manager.update([RULES], SETTINGS);
    await new SavedRuleState(store).restore(h.manager, h.now);
    const g = h.manager.get("rules.yml;g")!;
    expect(g.restoreCountdown).toBe(2);
    expect(alertRule(h).restored).toBe(false);
    expect(alertRule(h).active.size).toBe(0);
    expect(g.nextSlot).toBeGreaterThan(h.now);
    // The series sets survive either way, for stale markers.
    expect(g.seriesInPreviousEval[0]!.size).toBe(1);
  });

  it("marks the series of a group removed while nothing ran stale", async () => {
    const h = new Harness();
    const store = new MapStore();
    await h.load(T0, MIN, `m ${"1 ".repeat(20)}`);
    h.manager.update([RULES], SETTINGS);
    await runUntil(h, new SavedRuleState(store), T0 + 3 * MIN);

    h.manager = h.newManager();
    h.manager.update([], SETTINGS);
    const saved = new SavedRuleState(store);
    await saved.restore(h.manager, h.now);
    await saved.save(h.manager);
    expect([...store.map.keys()]).toEqual([]);
    // Two intervals later, the stale markers.
    await h.advance(T0 + 5 * MIN);
    expect((await h.samples("m:copy"))[0]!.points.at(-1)).toEqual([T0 + 3 * MIN, "stale"]);
  });

  it("writes a rule's series only when they change", async () => {
    const h = new Harness();
    const store = new MapStore();
    await h.load(T0, MIN, `m ${"1 ".repeat(20)}`);
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: a\n        expr: m\n")], SETTINGS);
    const saved = new SavedRuleState(store);
    await runUntil(h, saved, T0 + 2 * MIN);
    const seriesKey = [...store.map.keys()].find((k) => k.startsWith("series:"))!;
    store.map.delete(seriesKey);
    await runUntil(h, saved, T0 + 4 * MIN);
    // Unchanged since it was written: not written again.
    expect(store.map.has(seriesKey)).toBe(false);
  });
});
