import { describe, expect, it } from "vitest";
import { newAlert, type AmAlert } from "../../src/alertmanager/alert.js";
import { parseAmConfig } from "../../src/alertmanager/am_config.js";
import { AmTemplates } from "../../src/alertmanager/am_template.js";
import { Dispatcher, type Persistence } from "../../src/alertmanager/dispatcher.js";

// The dispatcher on a manual clock, notifying a recording fetch: the timers, dedup
// and resolution rules of Alertmanager without waiting for real time.

const CONFIG = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  group_interval: 30s
  repeat_interval: 5m
  routes:
    - matchers: [team="db"]
      receiver: db
inhibit_rules:
  - source_matchers: [severity=critical]
    target_matchers: [severity=warning]
    equal: [alertname]
receivers:
  - name: hook
    webhook_configs: [{url: 'http://hook.test/a', send_resolved: true}]
  - name: db
    webhook_configs: [{url: 'http://hook.test/db', send_resolved: false}]
`;

const noPersist: Persistence = {
  saveAlert() {},
  deleteAlert() {},
  saveGroup() {},
  deleteGroup() {},
  saveNflog() {},
  deleteNflog() {},
  saveSilence() {},
  deleteSilence() {},
};

interface Sent {
  at: number;
  url: string;
  body: { status: string; groupKey: string; alerts: { status: string; labels: Record<string, string>; endsAt: string }[]; commonLabels: Record<string, string> };
}

function setup() {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const sent: Sent[] = [];
  const d = new Dispatcher({
    persistence: noPersist,
    externalURL: "http://am.test",
    fetch: async (req) => {
      sent.push({ at: now, url: req.url, body: (await req.json()) as Sent["body"] });
      return new Response("ok");
    },
  });
  d.setConfig(parseAmConfig(CONFIG), new AmTemplates(), true, now);
  const alert = (labels: Record<string, string>, endsAt = 0): AmAlert =>
    newAlert({ labels, annotations: {}, startsAt: now, endsAt: endsAt || now + 300_000, generatorURL: "", updatedAt: now, timeout: endsAt === 0 });
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = d.nextWakeup(now);
      if (next === undefined || next > end) break;
      now = Math.max(now, next);
      await d.tick(now);
    }
    now = end;
  };
  return { d, sent, alert, advance, now: () => now };
}

describe("dispatcher", () => {
  it("waits group_wait, batches, repeats after repeat_interval and sends resolved", async () => {
    const { d, sent, alert, advance, now } = setup();
    const t0 = now();
    d.put([alert({ alertname: "A", i: "1" })], now());
    await advance(5_000);
    d.put([alert({ alertname: "A", i: "2" })], now());
    await advance(6_000);
    expect(sent.map((s) => [s.at - t0, s.body.alerts.length, s.body.status])).toEqual([[10_000, 2, "firing"]]);
    expect(sent[0]!.body.groupKey).toBe('{}:{alertname="A"}');
    // Nothing new: quiet at each group_interval until repeat_interval has passed.
    await advance(290_000);
    expect(sent.length).toBe(1);
    d.put([alert({ alertname: "A", i: "1" }), alert({ alertname: "A", i: "2" })], now());
    // The tick at 310 s is exactly repeat_interval after the send: not yet; 340 s is.
    await advance(30_000);
    expect(sent.length).toBe(1);
    await advance(30_000);
    expect(sent.map((s) => s.at - t0)).toEqual([10_000, 340_000]);
    d.put([alert({ alertname: "A", i: "1" }, now() - 1)], now());
    await advance(30_000);
    expect(sent.length).toBe(3);
    expect(sent[2]!.body.alerts.map((a) => a.status).sort()).toEqual(["firing", "resolved"]);
  });

  it("routes by matchers and mutes inhibited targets", async () => {
    const { d, sent, alert, advance, now } = setup();
    d.put([alert({ alertname: "B", severity: "critical" }), alert({ alertname: "B", severity: "warning" }), alert({ alertname: "C", team: "db" })], now());
    await advance(11_000);
    const byUrl = Object.fromEntries(sent.map((s) => [s.url, s.body]));
    expect(byUrl["http://hook.test/a"]!.alerts.map((a) => a.labels["severity"])).toEqual(["critical"]);
    expect(byUrl["http://hook.test/db"]!.commonLabels).toEqual({ alertname: "C", team: "db" });
  });

  it("without send_resolved, sends nothing when the group resolves", async () => {
    const { d, sent, alert, advance, now } = setup();
    d.put([alert({ alertname: "C", team: "db" })], now());
    await advance(11_000);
    d.put([alert({ alertname: "C", team: "db" }, now() - 1)], now());
    await advance(60_000);
    expect(sent.length).toBe(1);
    expect(d.groups.size).toBe(0);
  });
});
