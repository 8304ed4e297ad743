import { describe, expect, it } from "vitest";
import { AlertingRule } from "../../src/rules/alerting_rule.js";
import type { RuleManager } from "../../src/rules/manager.js";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

// Prometheus' restart semantics for `for` (rules.alert.for-outage-tolerance 1h,
// for-grace-period 10m): a starting manager evaluates twice, then reads each
// alert's ALERTS_FOR_STATE to learn since when it has been active.

const rulesFor = (forDuration: string) => ruleFile(`groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 0\n        for: ${forDuration}\n`);

function alertRule(m: RuleManager): AlertingRule {
  return m.get("rules.yml;g")!.rules[0] as AlertingRule;
}

/** Evaluates the group at each of the given minutes, with the wall clock at the slot. */
async function evalAt(h: Harness, minutes: number[]): Promise<void> {
  const g = h.manager.get("rules.yml;g")!;
  for (const i of minutes) {
    h.now = T0 + i * MIN;
    await g.iterate(T0 + i * MIN);
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Runs a first manager from minute 0 to `downAt`, then a fresh one (a restart) on
 * the same storage from minute `upAt`, through its restoration. */
async function restart(forDuration: string, downAt: number, upAt: number): Promise<{ h: Harness; rule: AlertingRule }> {
  const h = new Harness();
  await h.load(T0, MIN, `m ${"1 ".repeat(300)}`);
  h.manager.update([rulesFor(forDuration)], SETTINGS);
  await evalAt(h, range(0, downAt));
  h.manager = h.newManager();
  expect(h.manager.update([rulesFor(forDuration)], SETTINGS)).toBe(true);
  await evalAt(h, [upAt, upAt + 1]);
  return { h, rule: alertRule(h.manager) };
}

describe("restoring `for` state after a restart", () => {
  it("writes no ALERTS series until the first manager has restored (nothing to restore)", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1 1 1 1");
    h.manager.update([rulesFor("30m")], SETTINGS);
    await evalAt(h, [0, 1, 2]);
    expect((await h.samples("ALERTS_FOR_STATE"))[0]!.points).toEqual([[T0 + 2 * MIN, T0 / 1000]]);
  });

  it("continues a pending alert, shifted by the downtime", async () => {
    // Pending since minute 0, down after minute 10 (10m of 30m spent), back at 20.
    const { h, rule } = await restart("30m", 10, 20);
    expect(rule.restored).toBe(true);
    expect(rule.activeAlerts().map((a) => [a.state, a.activeAt])).toEqual([["pending", T0 + 11 * MIN]]);
    // Fires 30 minutes after the shifted activeAt: 20 minutes still to go.
    await evalAt(h, range(22, 40));
    expect(rule.state()).toBe("pending");
    await evalAt(h, [41]);
    expect(rule.state()).toBe("firing");
    // ALERTS_FOR_STATE was not written while the new manager restored.
    const points = (await h.samples("ALERTS_FOR_STATE"))[0]!.points.map((p) => (p[0] - T0) / MIN);
    expect(points.filter((m) => m > 10 && m < 22)).toEqual([]);
    expect(points).toContain(22);
  });

  it("gives an alert close to firing the grace period", async () => {
    // 25m of 30m spent: 5m remain, less than the 10m grace period.
    const { rule } = await restart("30m", 25, 40);
    expect(rule.activeAlerts().map((a) => a.activeAt)).toEqual([T0 + (41 + 10 - 30) * MIN]);
  });

  it("fires an alert that was firing again at the next evaluation", async () => {
    const { h, rule } = await restart("30m", 40, 45);
    expect(rule.activeAlerts().map((a) => [a.state, a.activeAt])).toEqual([["pending", T0]]);
    await evalAt(h, [47]);
    expect(rule.state()).toBe("firing");
  });

  it("starts over after an outage longer than the tolerance (1h)", async () => {
    const { rule } = await restart("30m", 10, 80);
    expect(rule.activeAlerts().map((a) => a.activeAt)).toEqual([T0 + 80 * MIN]);
  });

  it("does not restore rules whose `for` is shorter than the grace period", async () => {
    const { rule } = await restart("5m", 3, 6);
    expect(rule.activeAlerts().map((a) => a.activeAt)).toEqual([T0 + 6 * MIN]);
  });

  it("does not restore groups added by a later reload", async () => {
    const h = new Harness();
    h.manager.update([], SETTINGS);
    h.manager.update([rulesFor("30m")], SETTINGS);
    expect(alertRule(h.manager).restored).toBe(true);
    expect(h.manager.get("rules.yml;g")!.restoreCountdown).toBe(0);
  });
});
