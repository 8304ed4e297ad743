import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { notifierFamilies } from "../../src/notifier/metrics.js";
import { Notifier, type Alert } from "../../src/notifier/notifier.js";
import { memoryKV, startReceiver, type Receiver } from "./receiver.js";

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0, 123);

function alert(name: string, extra: Partial<Alert> = {}, labels: Record<string, string> = {}): Alert {
  return {
    labels: { alertname: name, severity: "page", ...labels },
    annotations: { summary: `${name} is failing` },
    startsAt: T0,
    endsAt: T0 + 4 * 60_000,
    generatorURL: `http://edgeprom.example/graph?g0.expr=${name}`,
    ...extra,
  };
}

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function quiet(): { log: (e: Record<string, unknown>) => void; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  return { log: (e) => events.push(e), events };
}

describe("Notifier: delivery", () => {
  it("posts queued alerts to /api/v2/alerts as Prometheus does", async () => {
    const am = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`));
    n.send([alert("HighLatency"), alert("Down", { endsAt: T0 - 1000 })]);
    expect(n.stats.queueLength).toBe(2);
    await n.flush();
    expect(am.received).toHaveLength(1);
    const req = am.received[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/api/v2/alerts");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["user-agent"]).toMatch(/^edgeprom\/\d+\.\d+\.\d+$/);
    expect(req.body).toBe(
      "[" +
        '{"annotations":{"summary":"HighLatency is failing"},"endsAt":"2026-11-21T10:04:00.123Z","startsAt":"2026-11-21T10:00:00.123Z",' +
        '"generatorURL":"http://edgeprom.example/graph?g0.expr=HighLatency","labels":{"alertname":"HighLatency","severity":"page"}},' +
        '{"annotations":{"summary":"Down is failing"},"endsAt":"2026-11-21T09:59:59.123Z","startsAt":"2026-11-21T10:00:00.123Z",' +
        '"generatorURL":"http://edgeprom.example/graph?g0.expr=Down","labels":{"alertname":"Down","severity":"page"}}' +
        "]",
    );
    expect(n.stats).toEqual({ sent: 2, dropped: 0, errors: 0, queueLength: 0, capacity: 10_000 });
  });

  it("sends in batches of at most 256 alerts, to every Alertmanager", async () => {
    const a = await receiver();
    const b = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${a.address}", "${b.address}"]}]\n`));
    n.send(Array.from({ length: 600 }, (_, i) => alert(`A${i}`)));
    await n.flush();
    for (const r of [a, b]) {
      expect(r.posts().map((p) => p.alerts.length)).toEqual([256, 256, 88]);
      expect(r.posts().flatMap((p) => p.alerts.map((x: any) => x.labels.alertname))).toEqual(Array.from({ length: 600 }, (_, i) => `A${i}`));
    }
    expect(n.stats.sent).toBe(1200);
    expect(n.stats.queueLength).toBe(0);
  });

  it("honours a smaller batch size", async () => {
    const am = await receiver();
    const n = new Notifier({ ...quiet(), maxBatchSize: 2 });
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`));
    n.send([alert("a"), alert("b"), alert("c")]);
    await n.flush();
    expect(am.posts().map((p) => p.alerts.length)).toEqual([2, 1]);
  });

  it("delivers alerts queued while a flush runs, and concurrent flushes share the work", async () => {
    const am = await receiver(() => ({ status: 200, delayMs: 50 }));
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`));
    n.send([alert("first")]);
    const f1 = n.flush();
    n.send([alert("second")]);
    const f2 = n.flush();
    await Promise.all([f1, f2]);
    expect(am.posts().flatMap((p) => p.alerts.map((x: any) => x.labels.alertname)).sort()).toEqual(["first", "second"]);
    expect(n.stats.queueLength).toBe(0);
  });

  it("drops queued alerts silently when no Alertmanager is configured or discovered, as Prometheus does", async () => {
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(""));
    n.send([alert("x")]);
    await n.flush();
    expect(n.stats).toEqual({ sent: 0, dropped: 0, errors: 0, queueLength: 0, capacity: 10_000 });
  });
});

describe("Notifier: labels", () => {
  it("adds external labels the alert lacks, never overriding its own", async () => {
    const am = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`global:\n  external_labels: {region: eu, severity: ticket}\nalerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`),
    );
    n.send([alert("X")]);
    await n.flush();
    expect(am.posts()[0]!.alerts[0].labels).toEqual({ alertname: "X", region: "eu", severity: "page" });
  });

  it("applies alerting.alert_relabel_configs after external labels; dropped alerts are never queued", async () => {
    const am = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`
global:
  external_labels: {region: eu}
alerting:
  alert_relabel_configs:
    - source_labels: [region, alertname]
      regex: eu;Noisy
      action: drop
    - target_label: team
      replacement: sre
  alertmanagers:
    - static_configs: [{targets: ["${am.address}"]}]
`),
    );
    n.send([alert("Noisy"), alert("Real")]);
    expect(n.stats.queueLength).toBe(1);
    await n.flush();
    expect(am.posts()[0]!.alerts.map((a: any) => a.labels)).toEqual([{ alertname: "Real", region: "eu", severity: "page", team: "sre" }]);
    expect(n.stats.dropped).toBe(0);
  });

  it("applies each Alertmanager config's own alert_relabel_configs to its posts only", async () => {
    const plain = await receiver();
    const filtered = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - static_configs: [{targets: ["${plain.address}"]}]
    - static_configs: [{targets: ["${filtered.address}"]}]
      alert_relabel_configs:
        - source_labels: [severity]
          regex: ticket
          action: drop
        - action: labeldrop
          regex: severity
`),
    );
    n.send([alert("P", {}, { severity: "page" }), alert("T", {}, { severity: "ticket" })]);
    await n.flush();
    expect(plain.posts()[0]!.alerts.map((a: any) => a.labels)).toEqual([
      { alertname: "P", severity: "page" },
      { alertname: "T", severity: "ticket" },
    ]);
    expect(filtered.posts()[0]!.alerts.map((a: any) => a.labels)).toEqual([{ alertname: "P" }]);
    // A set whose relabelling leaves nothing is not posted to, and does not fail the batch.
    n.send([alert("T2", {}, { severity: "ticket" })]);
    await n.flush();
    expect(filtered.posts()).toHaveLength(1);
    expect(plain.posts()).toHaveLength(2);
    expect(n.stats.dropped).toBe(0);
  });
});

describe("Notifier: queue capacity", () => {
  it("keeps the newest alerts when full and counts the ones dropped", async () => {
    const am = await receiver();
    const ev = quiet();
    const n = new Notifier({ ...ev, capacity: 5 });
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`));
    n.send([alert("a0"), alert("a1"), alert("a2")]);
    n.send([alert("a3"), alert("a4"), alert("a5"), alert("a6")]);
    expect(n.stats).toMatchObject({ queueLength: 5, dropped: 2, capacity: 5 });
    n.send(Array.from({ length: 7 }, (_, i) => alert(`b${i}`)));
    expect(n.stats).toMatchObject({ queueLength: 5, dropped: 9 });
    await n.flush();
    expect(am.posts()[0]!.alerts.map((a: any) => a.labels.alertname)).toEqual(["b2", "b3", "b4", "b5", "b6"]);
    expect(ev.events.filter((e) => e.event === "notifier_queue_full").map((e) => e.dropped)).toEqual([2, 7]);
    expect(n.metrics()).toMatchObject({ queueLength: 0, queueCapacity: 5, dropped: 9 });
  });
});

describe("Notifier: failures", () => {
  it("counts a batch delivered when one Alertmanager of the set accepts it; errors per Alertmanager", async () => {
    const ok = await receiver();
    const bad = await receiver(() => ({ status: 500, body: "boom" }));
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${ok.address}", "${bad.address}"]}]\n`));
    n.send([alert("a"), alert("b")]);
    await n.flush();
    expect(n.stats).toMatchObject({ sent: 4, errors: 2, dropped: 0 });
    const per = Object.fromEntries(n.metrics().alertmanagers.map((s) => [s.url, s]));
    expect(per[`http://${ok.address}/api/v2/alerts`]).toMatchObject({ sent: 2, errors: 0, lastError: "" });
    expect(per[`http://${bad.address}/api/v2/alerts`]).toMatchObject({ sent: 2, errors: 2, lastError: "bad response status 500 Internal Server Error" });
  });

  it("drops a batch when a set's Alertmanagers all fail, even if another set took it (Prometheus 3)", async () => {
    const ok = await receiver();
    const bad = await receiver(() => ({ status: 503 }));
    const ev = quiet();
    const n = new Notifier(ev);
    await n.applyConfig(
      parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${ok.address}"]}]\n    - static_configs: [{targets: ["${bad.address}"]}]\n`),
    );
    n.send([alert("a"), alert("b"), alert("c")]);
    await n.flush();
    expect(ok.posts()).toHaveLength(1);
    expect(n.stats).toMatchObject({ sent: 6, errors: 3, dropped: 3, queueLength: 0 });
    expect(ev.events).toContainEqual({ event: "notifier_send_error", alertmanager: `http://${bad.address}/api/v2/alerts`, count: 3, error: "bad response status 503 Service Unavailable" });
    expect(ev.events).toContainEqual({ event: "notifier_batch_dropped", count: 3 });
  });

  it("gives up on an Alertmanager after the configured timeout", async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 5_000 }));
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - timeout: 200ms\n      static_configs: [{targets: ["${slow.address}"]}]\n`));
    n.send([alert("a")]);
    const started = Date.now();
    await n.flush();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(3_000);
    expect(n.stats).toMatchObject({ errors: 1, dropped: 1 });
    expect(n.metrics().alertmanagers[0]!.lastError).toBe(`Post "http://${slow.address}/api/v2/alerts": context deadline exceeded`);
  });

  it("reports a refused connection as an error of that Alertmanager", async () => {
    const gone = await receiver();
    const address = gone.address;
    await gone.close();
    receivers.splice(receivers.indexOf(gone), 1);
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${address}"]}]\n`));
    n.send([alert("a")]);
    await n.flush();
    expect(n.stats).toMatchObject({ errors: 1, dropped: 1 });
    expect(n.metrics().alertmanagers[0]!.lastError).toMatch(new RegExp(`^Post "http://${address}/api/v2/alerts": .*ECONNREFUSED`));
  });
});

describe("Notifier: Alertmanager settings", () => {
  it("posts under path_prefix with the configured scheme, and relabel_configs may rewrite both", async () => {
    const am = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - path_prefix: /am/eu/
      static_configs: [{targets: ["${am.address}"]}]
    - path_prefix: ignored
      scheme: https
      static_configs: [{targets: ["${am.address}"], labels: {prefix: /custom}}]
      relabel_configs:
        - source_labels: [prefix]
          target_label: __alerts_path__
          replacement: $1/api/v2/alerts
        - target_label: __scheme__
          replacement: http
`),
    );
    expect(n.alertmanagers().activeAlertmanagers).toEqual([{ url: `http://${am.address}/am/eu/api/v2/alerts` }, { url: `http://${am.address}/custom/api/v2/alerts` }]);
    n.send([alert("a")]);
    await n.flush();
    expect(am.received.map((r) => r.path).sort()).toEqual(["/am/eu/api/v2/alerts", "/custom/api/v2/alerts"]);
  });

  it("lists Alertmanagers dropped by relabel_configs with their pre-relabelling URL, and never posts to them", async () => {
    const keep = await receiver();
    const drop = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["${keep.address}"]
          labels: {role: main}
        - targets: ["${drop.address}"]
          labels: {role: spare}
      relabel_configs:
        - source_labels: [role]
          regex: spare
          action: drop
`),
    );
    expect(n.alertmanagers()).toEqual({
      activeAlertmanagers: [{ url: `http://${keep.address}/api/v2/alerts` }],
      droppedAlertmanagers: [{ url: `http://${drop.address}/api/v2/alerts` }],
    });
    n.send([alert("a")]);
    await n.flush();
    expect(keep.posts()).toHaveLength(1);
    expect(drop.received).toHaveLength(0);
  });

  it("sends basic_auth and authorization credentials, from KV keys for *_file settings", async () => {
    const a = await receiver();
    const b = await receiver();
    const c = await receiver();
    const n = new Notifier(quiet());
    const kv = memoryKV({ "secrets/am-token": "s3cret-token\n", "secrets/am-pass": "  pässword \n" });
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - basic_auth: {username: alice, password: wonder}
      static_configs: [{targets: ["${a.address}"]}]
    - authorization: {credentials_file: ./secrets/am-token}
      static_configs: [{targets: ["${b.address}"]}]
    - basic_auth: {username: bob, password_file: secrets/am-pass}
      static_configs: [{targets: ["${c.address}"]}]
`),
      kv,
    );
    n.send([alert("a")]);
    await n.flush();
    expect(a.received[0]!.headers.authorization).toBe("Basic " + Buffer.from("alice:wonder").toString("base64"));
    expect(b.received[0]!.headers.authorization).toBe("Bearer s3cret-token");
    expect(c.received[0]!.headers.authorization).toBe("Basic " + Buffer.from("bob:pässword", "utf8").toString("base64"));
    expect(n.stats.errors).toBe(0);
  });

  it("fails the posts of a set whose credentials file is missing, with Prometheus' wording", async () => {
    const am = await receiver();
    const n = new Notifier(quiet());
    await n.applyConfig(
      parseConfig(`alerting:\n  alertmanagers:\n    - authorization: {credentials_file: nope}\n      static_configs: [{targets: ["${am.address}"]}]\n`),
      memoryKV({}),
    );
    n.send([alert("a")]);
    await n.flush();
    expect(am.received).toHaveLength(0);
    expect(n.stats).toMatchObject({ errors: 1, dropped: 1 });
    expect(n.metrics().alertmanagers[0]!.lastError).toBe("unable to read authorization credentials: unable to read file nope: no such file or directory");
  });
});

describe("Notifier: discovery", () => {
  it("finds Alertmanagers in file_sd files stored in KV", async () => {
    const am = await receiver();
    const kv = memoryKV({ "alertmanagers/eu.json": JSON.stringify([{ targets: [am.address], labels: { dc: "eu" } }]) });
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - file_sd_configs: [{files: ["alertmanagers/*.json"]}]\n`), kv);
    expect(n.alertmanagers().activeAlertmanagers).toEqual([{ url: `http://${am.address}/api/v2/alerts` }]);
    n.send([alert("a")]);
    await n.flush();
    expect(am.posts()).toHaveLength(1);
  });

  it("finds Alertmanagers with http_sd, and a reload with the same settings keeps them without asking again", async () => {
    const am = await receiver();
    const sd = await receiver((req) => (req.path === "/sd" ? { status: 200, body: JSON.stringify([{ targets: [am.address], labels: {} }]) } : { status: 404 }));
    const yaml = `alerting:\n  alertmanagers:\n    - http_sd_configs: [{url: "http://${sd.address}/sd", refresh_interval: 1h, authorization: {credentials: sd-token}}]\n`;
    const n = new Notifier(quiet());
    await n.applyConfig(parseConfig(yaml));
    expect(n.alertmanagers().activeAlertmanagers).toEqual([{ url: `http://${am.address}/api/v2/alerts` }]);
    expect(sd.received).toHaveLength(1);
    expect(sd.received[0]!.headers.authorization).toBe("Bearer sd-token");
    await n.applyConfig(parseConfig(yaml));
    expect(sd.received).toHaveLength(1);
    expect(n.alertmanagers().activeAlertmanagers).toHaveLength(1);
    // A changed set discovers afresh.
    await n.applyConfig(parseConfig(yaml.replace("1h", "2h")));
    expect(sd.received).toHaveLength(2);
  });

  it("skips a group whose relabelled address is not a host, keeping the other groups", async () => {
    const am = await receiver();
    const ev = quiet();
    const n = new Notifier(ev);
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["${am.address}"]
        - targets: ["bad"]
      relabel_configs:
        - source_labels: [__address__]
          regex: bad
          target_label: __address__
          replacement: host/with/path
`),
    );
    expect(n.alertmanagers().activeAlertmanagers).toEqual([{ url: `http://${am.address}/api/v2/alerts` }]);
    expect(ev.events).toEqual([{ event: "notifier_discovery_error", error: '"host/with/path" is not a valid hostname' }]);
    // Reported once, not again at every flush.
    n.send([alert("a")]);
    await n.flush();
    expect(ev.events.filter((e) => e.event === "notifier_discovery_error")).toHaveLength(1);
  });
});

describe("Notifier: metrics", () => {
  it("renders Prometheus' prometheus_notifications_* families", async () => {
    const am = await receiver();
    const n = new Notifier({ ...quiet(), capacity: 100 });
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - static_configs: [{targets: ["${am.address}"]}]\n`));
    n.send([alert("a"), alert("b")]);
    await n.flush();
    const fams = Object.fromEntries(notifierFamilies(n.metrics()).map((f) => [f.name, f]));
    const url = `http://${am.address}/api/v2/alerts`;
    expect(fams["prometheus_notifications_sent_total"]!.samples).toEqual([{ suffix: "", labels: [{ name: "alertmanager", value: url }], value: 2 }]);
    expect(fams["prometheus_notifications_errors_total"]!.samples[0]!.value).toBe(0);
    expect(fams["prometheus_notifications_dropped_total"]!.samples[0]!.value).toBe(0);
    expect(fams["prometheus_notifications_queue_capacity"]!.samples[0]!.value).toBe(100);
    expect(fams["prometheus_notifications_queue_length"]!.samples[0]!.value).toBe(0);
    expect(fams["prometheus_notifications_alertmanagers_discovered"]!.samples[0]!.value).toBe(1);
    const latency = fams["prometheus_notifications_latency_seconds"]!;
    expect(latency.type).toBe("summary");
    expect(latency.samples.map((s) => s.suffix + (s.labels.find((l) => l.name === "quantile")?.value ?? ""))).toEqual(["0.5", "0.9", "0.99", "_sum", "_count"]);
    expect(latency.samples.find((s) => s.suffix === "_count")!.value).toBe(1);
    expect(latency.samples[0]!.value).toBeGreaterThan(0);
  });
});

describe("Notifier: input", () => {
  it("refuses alerts whose times cannot be marshalled, queueing none of the call's alerts", () => {
    const n = new Notifier(quiet());
    expect(() => n.send([alert("ok"), alert("bad", { startsAt: NaN })])).toThrow(TypeError);
    expect(() => n.send([alert("bad", { endsAt: 9e15 })])).toThrow(TypeError);
    expect(n.stats.queueLength).toBe(0);
  });
});
