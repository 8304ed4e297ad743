import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { freePort, requireBinary, startProcess, waitFor, waitForHttp, type Running } from "./support/processes.js";

// An alert that fires in a region of the local federation reaches Debian's
// Alertmanager (0.25, API v2), is routed to a webhook served here, and resolves.

interface Webhook {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; generatorURL: string; startsAt: string; endsAt: string }[];
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
}

describe("alerts to a real Alertmanager", () => {
  let fed: Federation | undefined;
  let am: Running | undefined;
  const servers: Server[] = [];
  let amURL = "";
  let temperature = 20;
  const hooks: Webhook[] = [];

  beforeAll(async () => {
    const bin = requireBinary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
    const [hookPort, targetPort, amPort] = [await freePort(), await freePort(), await freePort()];

    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        hooks.push(JSON.parse(body) as Webhook);
        res.end("ok");
      });
    });
    const target = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(`# TYPE e2e_temperature gauge\ne2e_temperature{room="lab"} ${temperature}\n`);
    });
    servers.push(hook, target);
    await listen(hook, hookPort);
    await listen(target, targetPort);

    const dir = await mkdtemp(join(tmpdir(), "edgeprom-am-"));
    await writeFile(
      join(dir, "alertmanager.yml"),
      [
        "route:",
        "  receiver: hook",
        "  group_by: [alertname]",
        "  group_wait: 1s",
        "  group_interval: 1s",
        "  repeat_interval: 1h",
        "receivers:",
        "  - name: hook",
        "    webhook_configs:",
        `      - url: http://127.0.0.1:${hookPort}/hook`,
        "        send_resolved: true",
        "",
      ].join("\n"),
    );
    am = startProcess(bin, [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=",
    ]);
    amURL = `http://127.0.0.1:${amPort}`;
    await waitForHttp(`${amURL}/-/ready`);

    fed = await startTestFederation();
    await fed.putConfig(
      "rules/e2e.yml",
      [
        "groups:",
        "  - name: temperature",
        "    rules:",
        "      - alert: TemperatureHigh",
        "        expr: e2e_temperature > 50",
        "        for: 2s",
        "        labels: {severity: page}",
        "        annotations:",
        '          summary: "{{ $labels.room }} is at {{ $value }} degrees"',
        "",
      ].join("\n"),
    );
    await fed.putConfig(
      "regions/local-a/prometheus.yml",
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "  external_labels: {region: local-a}",
        "rule_files: [rules/*.yml]",
        "alerting:",
        "  alertmanagers:",
        `    - static_configs: [{targets: ["127.0.0.1:${amPort}"]}]`,
        "scrape_configs:",
        "  - job_name: lab",
        `    static_configs: [{targets: ["127.0.0.1:${targetPort}"]}]`,
        "",
      ].join("\n"),
    );
    const res = await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" });
    expect(res.status, await res.text()).toBe(200);
  });

  afterAll(async () => {
    await fed?.stop();
    await am?.stop();
    for (const s of servers) s.close();
  });

  it("fires, reaches the webhook through Alertmanager, and resolves", async () => {
    const region = fed!.urls["local-a"];
    const ams = (await (await fetch(`${region}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: { url: string }[] } };
    expect(ams.data.activeAlertmanagers).toEqual([{ url: `${amURL}/api/v2/alerts` }]);

    temperature = 80;
    const pending = await waitFor("the alert pending in edgeprom", async () => {
      const body = (await (await fetch(`${region}/api/v1/alerts`)).json()) as { data: { alerts: { state: string; labels: Record<string, string> }[] } };
      return body.data.alerts.find((a) => a.labels["alertname"] === "TemperatureHigh");
    });
    expect(pending.labels).toMatchObject({ room: "lab", severity: "page", job: "lab" });

    const inAM = await waitFor(
      "the alert in Alertmanager",
      async () => {
        const list = (await (await fetch(`${amURL}/api/v2/alerts?filter=alertname%3D%22TemperatureHigh%22`)).json()) as {
          labels: Record<string, string>;
          annotations: Record<string, string>;
          generatorURL: string;
          status: { state: string };
        }[];
        return list.find((a) => a.status.state === "active");
      },
      60_000,
    );
    // External labels are added on the way out; the link points at the tier.
    expect(inAM.labels).toMatchObject({ alertname: "TemperatureHigh", region: "local-a", room: "lab", severity: "page" });
    expect(inAM.annotations).toEqual({ summary: "lab is at 80 degrees" });
    expect(inAM.generatorURL).toBe(`${region}/graph?g0.expr=e2e_temperature+%3E+50&g0.tab=1`);

    const firing = await waitFor("the firing notification", async () => hooks.find((h) => h.status === "firing"), 60_000);
    expect(firing.alerts.map((a) => [a.labels["alertname"], a.labels["region"], a.status])).toEqual([["TemperatureHigh", "local-a", "firing"]]);

    temperature = 20;
    const resolved = await waitFor("the resolved notification", async () => hooks.find((h) => h.status === "resolved"), 60_000);
    expect(resolved.alerts.map((a) => [a.labels["alertname"], a.status])).toEqual([["TemperatureHigh", "resolved"]]);
    // Resolved at the evaluation that no longer saw it: endsAt is in the past now.
    expect(Date.parse(resolved.alerts[0]!.endsAt)).toBeLessThanOrEqual(Date.now());
    const still = (await (await fetch(`${amURL}/api/v2/alerts?active=true&filter=alertname%3D%22TemperatureHigh%22`)).json()) as unknown[];
    expect(still).toEqual([]);
  });
});
