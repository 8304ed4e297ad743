import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { freePort, requireBinary, startProcess, waitFor, waitForHttp, type Running } from "./support/processes.js";

// Differential: the same alertmanager.yml and the same alert sequence go to Debian's
// Alertmanager 0.25 and to edgeprom's Alertmanager (the global tier's Durable Object);
// each notifies its own local webhook receiver. Which groups are notified, when (within
// a tolerance), with which alerts and statuses must agree. amtool then drives ours.

interface Hook {
  at: number;
  path: string;
  body: {
    receiver: string;
    status: string;
    groupKey: string;
    groupLabels: Record<string, string>;
    commonLabels: Record<string, string>;
    version: string;
    truncatedAlerts: number;
    alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string; generatorURL: string }[];
  };
}

const GROUP_WAIT_S = 2;
const GROUP_INTERVAL_S = 4;
/** Allowed difference between the two notification times. */
const TOLERANCE_MS = 1500;

function config(hookURL: string): string {
  return `
global:
  resolve_timeout: 1m
route:
  receiver: team
  group_by: [alertname]
  group_wait: ${GROUP_WAIT_S}s
  group_interval: ${GROUP_INTERVAL_S}s
  repeat_interval: 1h
  routes:
    - matchers: [team="db"]
      receiver: db
      group_by: [alertname, cluster]
    - matchers: ['service=~"web|api"']
      receiver: web
      continue: true
    - match: {service: api}
      receiver: team
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
receivers:
  - name: team
    webhook_configs: [{url: '${hookURL}/team', send_resolved: true}]
  - name: db
    webhook_configs: [{url: '${hookURL}/db', send_resolved: false}]
  - name: web
    webhook_configs: [{url: '${hookURL}/web', send_resolved: true, max_alerts: 2}]
`;
}

function hookServer(into: Hook[]): Server {
  return createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      into.push({ at: Date.now(), path: req.url ?? "", body: JSON.parse(body) as Hook["body"] });
      res.end("ok");
    });
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A notification reduced to what both sides must agree on. */
function summary(h: Hook, t0: number) {
  return {
    path: h.path,
    t: Math.round((h.at - t0) / 1000),
    ms: h.at - t0,
    receiver: h.body.receiver,
    status: h.body.status,
    groupKey: h.body.groupKey,
    groupLabels: h.body.groupLabels,
    commonLabels: h.body.commonLabels,
    truncatedAlerts: h.body.truncatedAlerts,
    alerts: h.body.alerts.map((a) => ({ status: a.status, labels: a.labels, fingerprint: a.fingerprint, startsAt: a.startsAt, endsAt: a.status === "firing" ? a.endsAt : "(resolved)" })),
  };
}

describe("edgeprom's Alertmanager against Alertmanager 0.25", () => {
  let fed: Federation | undefined;
  let am: Running | undefined;
  const servers: Server[] = [];
  const theirHooks: Hook[] = [];
  const ourHooks: Hook[] = [];
  let theirs = "";
  let ours = "";
  let amtool = "";

  beforeAll(async () => {
    const bin = requireBinary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
    amtool = requireBinary("/usr/bin/amtool", "prometheus-alertmanager");
    const [theirPort, ourPort, amPort] = [await freePort(), await freePort(), await freePort()];
    const a = hookServer(theirHooks);
    const b = hookServer(ourHooks);
    servers.push(a, b);
    await listen(a, theirPort);
    await listen(b, ourPort);

    const dir = await mkdtemp(join(tmpdir(), "edgeprom-am-diff-"));
    await writeFile(join(dir, "alertmanager.yml"), config(`http://127.0.0.1:${theirPort}`));
    am = startProcess(bin, [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=",
    ]);
    theirs = `http://127.0.0.1:${amPort}`;
    await waitForHttp(`${theirs}/-/ready`);

    fed = await startTestFederation();
    await fed.putConfig("alertmanager.yml", config(`http://127.0.0.1:${ourPort}`));
    ours = `${fed.urls.global}/alertmanager`;
    await waitForHttp(`${ours}/-/ready`);
  });

  afterAll(async () => {
    await fed?.stop();
    await am?.stop();
    for (const s of servers) s.close();
  });

  async function postBoth(alerts: unknown[]): Promise<void> {
    const body = JSON.stringify(alerts);
    const init = { method: "POST", headers: { "content-type": "application/json" }, body };
    const [x, y] = await Promise.all([fetch(`${theirs}/api/v2/alerts`, init), fetch(`${ours}/api/v2/alerts`, init)]);
    expect([x.status, y.status]).toEqual([200, 200]);
  }

  it("notifies the same groups, at the same times, with the same alerts", async () => {
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const alert = (labels: Record<string, string>, endsAt?: string) => ({ labels, annotations: { summary: `${labels["alertname"]} on ${labels["instance"] ?? "-"}` }, startsAt, ...(endsAt ? { endsAt } : {}), generatorURL: "http://prom.test/graph" });
    const t0 = Date.now();
    await postBoth([
      alert({ alertname: "HighLoad", instance: "a", severity: "warning" }),
      alert({ alertname: "HighLoad", instance: "b", severity: "warning" }),
      alert({ alertname: "DiskFull", team: "db", cluster: "eu", severity: "critical" }),
      alert({ alertname: "DiskFull", team: "db", cluster: "us" }),
      alert({ alertname: "Latency", service: "api", instance: "x" }),
      alert({ alertname: "Latency", service: "web", instance: "y" }),
      alert({ alertname: "Latency", service: "web", instance: "z" }),
    ]);
    await sleep(3000);
    // Inhibits HighLoad (warning) from now on; joins the HighLoad group on its next tick.
    await postBoth([alert({ alertname: "HighLoad", instance: "c", severity: "critical" })]);
    await sleep(4000);
    const now = new Date().toISOString();
    await postBoth([alert({ alertname: "DiskFull", team: "db", cluster: "us" }, now), alert({ alertname: "Latency", service: "web", instance: "z" }, now)]);
    await sleep(5000);
    const end = new Date().toISOString();
    await postBoth([
      alert({ alertname: "HighLoad", instance: "c", severity: "critical" }, end),
      alert({ alertname: "DiskFull", team: "db", cluster: "eu", severity: "critical" }, end),
      alert({ alertname: "Latency", service: "api", instance: "x" }, end),
      alert({ alertname: "Latency", service: "web", instance: "y" }, end),
    ]);
    await sleep(GROUP_INTERVAL_S * 1000 + 2000);

    const key = (s: ReturnType<typeof summary>) => `${s.path} ${s.groupKey} ${String(s.t).padStart(3, "0")}`;
    const a = theirHooks.map((h) => summary(h, t0)).sort((x, y) => (key(x) < key(y) ? -1 : 1));
    const b = ourHooks.map((h) => summary(h, t0)).sort((x, y) => (key(x) < key(y) ? -1 : 1));
    console.log(`Alertmanager 0.25 sent ${a.length} notifications, edgeprom ${b.length}`);
    for (const s of a) console.log(`  0.25     ${s.path} ${s.groupKey} ${s.status} alerts=${s.alerts.length} +${s.ms}ms`);
    for (const s of b) console.log(`  edgeprom ${s.path} ${s.groupKey} ${s.status} alerts=${s.alerts.length} +${s.ms}ms`);
    expect(a.length).toBeGreaterThan(5);
    // Same notifications in the same order per group; times within the tolerance.
    expect(b.map(({ t: _t, ms: _ms, ...rest }) => rest)).toEqual(a.map(({ t: _t, ms: _ms, ...rest }) => rest));
    const skews = a.map((s, i) => Math.abs(s.ms - b[i]!.ms));
    console.log(`  largest time difference: ${Math.max(...skews)} ms`);
    for (const skew of skews) expect(skew).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it("answers the v2 API like Alertmanager: status, receivers, alerts, groups", async () => {
    const get = async (base: string, path: string) => (await (await fetch(`${base}/api/v2/${path}`)).json()) as unknown;
    const [r1, r2] = [await get(theirs, "receivers"), await get(ours, "receivers")];
    expect((r2 as { name: string }[]).map((r) => r.name).sort()).toEqual((r1 as { name: string }[]).map((r) => r.name).sort());
    const [s1, s2] = [(await get(theirs, "status")) as Record<string, unknown>, (await get(ours, "status")) as Record<string, unknown>];
    expect(Object.keys(s2).sort()).toEqual(Object.keys(s1).sort());
    const [a1, a2] = [await get(theirs, "alerts"), await get(ours, "alerts")];
    const view = (xs: unknown) =>
      (xs as { labels: Record<string, string>; fingerprint: string; status: { state: string }; receivers: { name: string }[] }[]).map((x) => ({ labels: x.labels, fingerprint: x.fingerprint, state: x.status.state, receivers: x.receivers }));
    expect(view(a2)).toEqual(view(a1));
  });

  it("works with amtool: alert query, silence add, query and expire", async () => {
    const run = async (url: string, args: string[]) => (await promisify(execFile)(amtool, [`--alertmanager.url=${url}`, ...args])).stdout;
    await postBoth([{ labels: { alertname: "Maintenance", instance: "m1" }, annotations: {} }]);
    const q1 = await run(theirs, ["alert", "query", "alertname=Maintenance", "-o", "json"]);
    const q2 = await run(ours, ["alert", "query", "alertname=Maintenance", "-o", "json"]);
    const labels = (s: string) => (JSON.parse(s) as { labels: Record<string, string> }[]).map((a) => a.labels);
    expect(labels(q2)).toEqual(labels(q1));
    expect(labels(q2)).toEqual([{ alertname: "Maintenance", instance: "m1" }]);

    const id = (await run(ours, ["silence", "add", "alertname=Maintenance", "--comment=e2e", "--author=test", "--duration=1h"])).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const sq = await run(ours, ["silence", "query", "-o", "json"]);
    expect((JSON.parse(sq) as { id: string; status: { state: string } }[]).map((s) => [s.id, s.status.state])).toEqual([[id, "active"]]);
    const silenced = await run(ours, ["alert", "query", "--silenced", "alertname=Maintenance", "-o", "json"]);
    expect((JSON.parse(silenced) as { status: { state: string; silencedBy: string[] } }[]).map((a) => a.status)).toEqual([{ state: "suppressed", silencedBy: [id], inhibitedBy: [] }]);
    await run(ours, ["silence", "expire", id]);
    const after = await run(ours, ["silence", "query", "--expired", "-o", "json"]);
    expect((JSON.parse(after) as { id: string; status: { state: string } }[]).map((s) => [s.id, s.status.state])).toEqual([[id, "expired"]]);
  });

  it("receives the tier's own rule alerts when prometheus.yml names edge-alertmanager", async () => {
    await fed!.putConfig("rules/edge.yml", ["groups:", "  - name: edge", "    rules:", "      - alert: EdgeAlwaysFiring", "        expr: vector(1)", "        labels: {severity: info}", ""].join("\n"));
    await fed!.putConfig(
      "regions/global/prometheus.yml",
      ["global:", "  evaluation_interval: 1s", "rule_files: [rules/edge.yml]", "alerting:", "  alertmanagers:", "    - static_configs: [{targets: [edge-alertmanager]}]", "scrape_configs: []", ""].join("\n"),
    );
    const res = await fetch(`${fed!.urls.global}/-/reload`, { method: "POST" });
    expect(res.status, await res.text()).toBe(200);
    const got = await waitFor("the rule's alert in edgeprom's Alertmanager", async () => {
      const list = (await (await fetch(`${ours}/api/v2/alerts?filter=alertname%3D%22EdgeAlwaysFiring%22`)).json()) as { labels: Record<string, string>; receivers: { name: string }[] }[];
      return list.length > 0 ? list : undefined;
    });
    expect(got.map((a) => [a.labels, a.receivers])).toEqual([[{ alertname: "EdgeAlwaysFiring", severity: "info" }, [{ name: "team" }]]]);
  });
});
