import { describe, expect, it } from "vitest";
import { relabelAlerts, toQueuedAlert } from "../../src/notifier/alert.js";
import { formatAlertTime, postableAlertsJSON } from "../../src/notifier/alert_json.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { compileRelabelConfigs, relabelConfig } from "../../src/relabel/index.js";

describe("postable alerts JSON", () => {
  it("formats times as strfmt.DateTime does: UTC, milliseconds", () => {
    expect(formatAlertTime(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(formatAlertTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe("2026-01-02T03:04:05.006Z");
  });

  it("leaves out empty annotations, an empty generatorURL and an unset endsAt, and sorts label names", () => {
    const a = toQueuedAlert({ labels: { zeta: "1", alertname: "A", empty: "" }, annotations: { blank: "" }, startsAt: 1000, generatorURL: "" });
    expect(postableAlertsJSON([a])).toBe('[{"startsAt":"1970-01-01T00:00:01.000Z","labels":{"alertname":"A","zeta":"1"}}]');
    expect(postableAlertsJSON([toQueuedAlert({ labels: {}, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: "" })])).toBe(
      '[{"startsAt":"1970-01-01T00:00:00.000Z","labels":{}}]',
    );
    expect(postableAlertsJSON([])).toBe("[]");
  });

  it("escapes strings as Go's encoding/json, HTML-safe characters included", () => {
    const a = toQueuedAlert({
      labels: { alertname: "A" },
      annotations: { description: 'value > 5 & < 10 "quoted"\n\u2028\tü' },
      startsAt: 0,
      generatorURL: "http://x/graph?g0.expr=a%3E1&g0.tab=1",
    });
    const json = postableAlertsJSON([a]);
    expect(json).toContain('"description":"value \\u003e 5 \\u0026 \\u003c 10 \\"quoted\\"\\n\\u2028\\tü"');
    expect(json).toContain('"generatorURL":"http://x/graph?g0.expr=a%3E1\\u0026g0.tab=1"');
    expect(JSON.parse(json)[0].annotations.description).toBe('value > 5 & < 10 "quoted"\n\u2028\tü');
  });
});

describe("alerts", () => {
  it("relabels with external labels added first, only where missing", () => {
    const alerts = [
      toQueuedAlert({ labels: { alertname: "A", region: "own" }, annotations: {}, startsAt: 0, generatorURL: "" }),
      toQueuedAlert({ labels: { alertname: "B" }, annotations: {}, startsAt: 0, generatorURL: "" }),
    ];
    const cfgs = compileRelabelConfigs([relabelConfig({ sourceLabels: ["region"], regex: "eu", action: "drop" })]);
    const out = relabelAlerts(alerts, cfgs, labelsFromRecord({ region: "eu", tier: "global" }));
    expect(out.map((a) => a.labels)).toEqual([labelsFromRecord({ alertname: "A", region: "own", tier: "global" })]);
  });
});
