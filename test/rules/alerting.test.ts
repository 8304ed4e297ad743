import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { AlertingRule } from "../../src/rules/alerting_rule.js";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

const RULES = `
groups:
  - name: g
    rules:
      - alert: HighLatency
        expr: latency > 100
        for: 3m
        labels:
          severity: page
          where: "{{ $labels.instance }}-x"
        annotations:
          summary: "{{ $labels.instance }} at {{ $value }}"
          origin: "{{ $externalLabels.region }} {{ $externalURL }}"
`;

function rule(h: Harness, name = "g"): AlertingRule {
  return h.manager.get(`rules.yml;${name}`)!.rules[0] as AlertingRule;
}

async function evalEachMinute(h: Harness, from: number, to: number, group = "g"): Promise<void> {
  const g = h.manager.get(`rules.yml;${group}`)!;
  for (let i = from; i <= to; i++) {
    h.now = T0 + i * MIN;
    await g.iterate(T0 + i * MIN);
  }
}

const ALERT_LABELS = { alertname: "HighLatency", instance: "a", severity: "page", where: "a-x" };

/** Starts the rules as a reload would: a manager's first rules wait for their `for`
 * state to be restored before writing ALERTS (see restore.test.ts). */
function start(h: Harness, yaml: string): void {
  h.manager.update([], SETTINGS);
  h.manager.update([ruleFile(yaml)], SETTINGS);
}

describe("alerting rules", () => {
  it("go pending, fire after `for`, and resolve, writing ALERTS and ALERTS_FOR_STATE", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'latency{instance="a"} 50 150 150 150 150 150 50 50');
    start(h, RULES);
    const r = rule(h);
    expect(r.state()).toBe("unknown");

    await evalEachMinute(h, 0, 0);
    expect(r.state()).toBe("inactive");
    await evalEachMinute(h, 1, 3);
    expect(r.state()).toBe("pending");
    expect(r.activeAlerts().map((a) => [labelsToRecord(a.labels), a.state, a.activeAt, a.value])).toEqual([[ALERT_LABELS, "pending", T0 + MIN, 150]]);
    expect(h.takeSent()).toEqual([]);

    await evalEachMinute(h, 4, 4);
    expect(r.state()).toBe("firing");
    const url = "http://prom.example:9090/graph?g0.expr=latency+%3E+100&g0.tab=1";
    expect(h.takeSent()).toEqual([
      {
        labels: ALERT_LABELS,
        annotations: { origin: "eu http://prom.example:9090", summary: "a at 150" },
        startsAt: T0 + 4 * MIN,
        endsAt: T0 + 8 * MIN,
        generatorURL: url,
      },
    ]);
    // Not sent again within the resend delay.
    await evalEachMinute(h, 5, 5);
    expect(h.takeSent()).toEqual([]);

    await evalEachMinute(h, 6, 6);
    expect(r.state()).toBe("inactive");
    expect(r.activeAlerts()).toEqual([]);
    expect(h.takeSent()).toEqual([expect.objectContaining({ labels: ALERT_LABELS, startsAt: T0 + 4 * MIN, endsAt: T0 + 6 * MIN })]);

    const alerts = await h.samples("ALERTS");
    expect(alerts).toEqual([
      {
        labels: { __name__: "ALERTS", alertstate: "firing", ...ALERT_LABELS },
        points: [
          [T0 + 4 * MIN, 1],
          [T0 + 5 * MIN, 1],
          [T0 + 6 * MIN, "stale"],
        ],
      },
      {
        labels: { __name__: "ALERTS", alertstate: "pending", ...ALERT_LABELS },
        points: [
          [T0 + MIN, 1],
          [T0 + 2 * MIN, 1],
          [T0 + 3 * MIN, 1],
          [T0 + 4 * MIN, "stale"],
        ],
      },
    ]);
    const forState = await h.samples("ALERTS_FOR_STATE");
    expect(forState).toEqual([
      {
        labels: { __name__: "ALERTS_FOR_STATE", ...ALERT_LABELS },
        points: [
          ...[1, 2, 3, 4, 5].map((i) => [T0 + i * MIN, (T0 + MIN) / 1000] as [number, number]),
          [T0 + 6 * MIN, "stale"],
        ],
      },
    ]);
  });

  it("re-send resolved alerts as resolved until they are 15 minutes old", async () => {
    const h = new Harness();
    await h.load(T0, MIN, `latency{instance="a"} 150 150 150 150 ${"50 ".repeat(20)}`);
    start(h, RULES);
    await evalEachMinute(h, 0, 3);
    expect(h.takeSent().map((a) => a.endsAt)).toEqual([T0 + 7 * MIN]);
    const sends: number[] = [];
    for (let i = 4; i <= 24; i++) {
      await evalEachMinute(h, i, i);
      for (const a of h.takeSent()) {
        expect(a.endsAt).toBe(T0 + 4 * MIN);
        sends.push(i);
      }
    }
    // Resolved at +4m and sent at once; then re-sent whenever more than the resend
    // delay (1m) has passed, i.e. every other minute, until it is 15 minutes old.
    expect(sends).toEqual([4, 6, 8, 10, 12, 14, 16, 18]);
    expect(rule(h).active.size).toBe(0);
  });

  it("keep firing for keep_firing_for after the condition is gone", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "errors 5 0 0 0 0");
    start(h, "groups:\n  - name: g\n    rules:\n      - alert: Errors\n        expr: errors > 1\n        keep_firing_for: 2m\n");
    const r = rule(h);
    await evalEachMinute(h, 0, 0);
    expect(r.state()).toBe("firing");
    await evalEachMinute(h, 1, 1);
    expect(r.activeAlerts().map((a) => [a.state, a.keepFiringSince])).toEqual([["firing", T0 + MIN]]);
    await evalEachMinute(h, 2, 2);
    expect(r.state()).toBe("firing");
    await evalEachMinute(h, 3, 3);
    expect(r.state()).toBe("inactive");
    // Sent when it fired, re-sent while kept firing, then sent as resolved.
    expect(h.takeSent().map((a) => a.endsAt)).toEqual([T0 + 4 * MIN, T0 + 6 * MIN, T0 + 3 * MIN]);
  });

  it("fire at once without `for`", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "errors 5");
    start(h, "groups:\n  - name: g\n    rules:\n      - alert: Errors\n        expr: errors > 1\n");
    await evalEachMinute(h, 0, 0);
    expect(rule(h).state()).toBe("firing");
    expect(h.takeSent().map((a) => [a.startsAt, a.endsAt])).toEqual([[T0, T0 + 4 * MIN]]);
  });

  it("validity covers four evaluation intervals when they are longer than the resend delay", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "errors 5");
    start(h, "groups:\n  - name: g\n    interval: 5m\n    rules:\n      - alert: Errors\n        expr: errors > 1\n");
    await h.manager.get("rules.yml;g")!.iterate(T0);
    expect(h.takeSent().map((a) => a.endsAt)).toEqual([T0 + 20 * MIN]);
  });

  it("report alerts whose labels collide once the metric name is gone", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'a{x="1"} 1', 'b{x="1"} 1');
    h.manager.update([ruleFile('groups:\n  - name: g\n    rules:\n      - alert: Dup\n        expr: \'{__name__=~"a|b"}\'\n')], SETTINGS);
    await evalEachMinute(h, 0, 0);
    const r = rule(h);
    expect(r.health).toBe("err");
    expect(r.lastError).toBe("vector contains metrics with the same labelset after applying alert labels");
  });

  it("honour the group limit on active alerts", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'm{i="1"} 1', 'm{i="2"} 1');
    start(h, "groups:\n  - name: g\n    limit: 1\n    rules:\n      - alert: A\n        expr: m > 0\n");
    await evalEachMinute(h, 0, 0);
    const r = rule(h);
    expect(r.lastError).toBe("exceeded limit of 1 with 2 alerts");
    expect(r.active.size).toBe(0);
  });

  it("send a firing alert back to pending when a reload lengthens its `for`", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1 1 1 1");
    start(h, "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 0\n        for: 1m\n");
    await evalEachMinute(h, 0, 1);
    expect(rule(h).state()).toBe("firing");
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 0\n        for: 10m\n")], SETTINGS);
    await evalEachMinute(h, 2, 2);
    expect(rule(h).activeAlerts().map((a) => [a.state, a.activeAt])).toEqual([["pending", T0]]);
  });
});
