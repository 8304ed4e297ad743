import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { Notifier, type Alert } from "../../src/notifier/notifier.js";
import { startReceiver, type Receiver } from "../notifier/receiver.js";
import { freePort, requireBinary, startProcess, waitFor, waitForHttp, type Running } from "./support/processes.js";

/** Debian's Alertmanager receives alerts from edgeprom's Notifier: it lists them on
 * its own API, routes them to a webhook served by this test, and resolves them when
 * the same alert comes again with an endsAt in the past. */
describe("Notifier -> prometheus-alertmanager", () => {
  let am: Running;
  let amUrl = "";
  let hook: Receiver;
  let dir = "";
  const notifier = new Notifier({ log: () => {} });

  beforeAll(async () => {
    const bin = requireBinary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
    hook = await startReceiver(() => ({ status: 200 }));
    dir = await mkdtemp(join(tmpdir(), "edgeprom-am-"));
    await writeFile(
      join(dir, "alertmanager.yml"),
      `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://${hook.address}/hook
        send_resolved: true
`,
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = startProcess(bin, [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ]);
    await waitForHttp(`${amUrl}/-/ready`).catch((e) => {
      throw new Error(`${(e as Error).message}\n${am.output()}`);
    });
    await notifier.applyConfig(
      parseConfig(`
global:
  external_labels: {region: local-a}
alerting:
  alertmanagers:
    - static_configs: [{targets: ["127.0.0.1:${port}"]}]
      timeout: 5s
`),
    );
  });

  afterAll(async () => {
    await am?.stop();
    await hook?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  const startsAt = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const firing: Alert = {
    labels: { alertname: "EdgepromE2E", severity: "page", instance: "node-1:9100" },
    annotations: { summary: "node-1 is down", description: "up == 0 for > 1m & counting" },
    startsAt,
    endsAt: Date.now() + 4 * 60_000,
    generatorURL: "http://edgeprom.local/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
  };

  it("shows a fired alert on Alertmanager's API and routes it to the webhook", async () => {
    notifier.send([firing]);
    await notifier.flush();
    expect(notifier.stats).toMatchObject({ sent: 1, errors: 0, dropped: 0, queueLength: 0 });

    const listed = await waitFor("the alert on Alertmanager's API", async () => {
      const alerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as any[];
      return alerts.find((a) => a.labels.alertname === "EdgepromE2E");
    });
    expect(listed.labels).toEqual({ alertname: "EdgepromE2E", severity: "page", instance: "node-1:9100", region: "local-a" });
    expect(listed.annotations).toEqual(firing.annotations);
    expect(listed.status.state).toBe("active");
    expect(Date.parse(listed.startsAt)).toBe(startsAt);
    expect(listed.generatorURL).toBe(firing.generatorURL);
    expect(listed.receivers.map((r: any) => r.name)).toEqual(["hook"]);

    const note = await waitFor("the firing notification at the webhook", async () =>
      hook.received.map((r) => JSON.parse(r.body)).find((n) => n.status === "firing"),
    );
    expect(note.receiver).toBe("hook");
    expect(note.alerts).toHaveLength(1);
    expect(note.alerts[0].labels.region).toBe("local-a");
    expect(note.alerts[0].generatorURL).toBe(firing.generatorURL);
  });

  it("resolves the alert when it is sent again with endsAt in the past", async () => {
    const resolvedAt = Date.now() - 1000;
    notifier.send([{ ...firing, endsAt: resolvedAt }]);
    await notifier.flush();
    expect(notifier.stats).toMatchObject({ sent: 2, errors: 0, dropped: 0 });

    // Alertmanager's API stops listing an alert once it has resolved.
    await waitFor("the alert to leave Alertmanager's API", async () => {
      const alerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as any[];
      return alerts.some((a) => a.labels.alertname === "EdgepromE2E") ? undefined : true;
    });
    const note = await waitFor("the resolved notification at the webhook", async () =>
      hook.received.map((r) => JSON.parse(r.body)).find((n) => n.status === "resolved"),
    );
    expect(note.alerts[0].status).toBe("resolved");
    expect(Date.parse(note.alerts[0].endsAt)).toBe(resolvedAt);
    expect(note.alerts[0].labels).toMatchObject({ alertname: "EdgepromE2E", region: "local-a" });

    const metrics = await (await fetch(`${amUrl}/metrics`)).text();
    expect(metrics).toMatch(/alertmanager_alerts_received_total\{status="firing"(,version="v2")?\} 1/);
    expect(metrics).toMatch(/alertmanager_alerts_received_total\{status="resolved"(,version="v2")?\} 1/);
  });
});
