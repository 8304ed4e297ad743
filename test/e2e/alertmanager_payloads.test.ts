import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAlert, type AmAlert } from "../../src/alertmanager/alert.js";
import { parseAmConfig } from "../../src/alertmanager/am_config.js";
import { AmTemplates } from "../../src/alertmanager/am_template.js";
import { integrationsFor } from "../../src/alertmanager/integrations.js";
import { freePort, requireBinary, startProcess, waitFor, waitForHttp, type Running } from "./support/processes.js";

// Differential: one alert group goes to Debian's Alertmanager 0.25, whose Slack,
// PagerDuty (v1 and v2), Opsgenie, Discord and Telegram notifiers post to a local
// server, and through edgeprom's notifiers built from the same alertmanager.yml. The
// requests (path, method, content type, authorization, JSON body) must be the same.

const EXTERNAL_URL = "http://am.example";

function config(base: string): string {
  return `
route:
  receiver: all
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
receivers:
  - name: all
    slack_configs:
      - api_url: '${base}/slack'
        channel: '#ops'
    pagerduty_configs:
      - routing_key: rk
        url: '${base}/pagerduty/v2'
      - service_key: sk
        url: '${base}/pagerduty/v1'
    opsgenie_configs:
      - api_key: og-key
        api_url: '${base}/opsgenie/'
        tags: 'a, b'
    discord_configs:
      - webhook_url: '${base}/discord'
    telegram_configs:
      - api_url: '${base}/telegram'
        bot_token: t0k
        chat_id: 42
`;
}

interface Captured {
  method: string;
  path: string;
  contentType: string;
  authorization: string;
  body: unknown;
}

function capture(method: string, path: string, headers: IncomingHttpHeaders | Headers, body: string): Captured {
  const get = (h: string) => (headers instanceof Headers ? headers.get(h) : (headers[h] as string | undefined)) ?? "";
  const contentType = get("content-type").split(";")[0]!.trim();
  return { method, path, contentType, authorization: get("authorization"), body: contentType === "application/json" ? JSON.parse(body) : body };
}

describe("notifier payloads against Alertmanager 0.25", () => {
  let am: Running | undefined;
  let server: Server | undefined;
  let dir = "";
  let theirs = "";
  let base = "";
  const received: Captured[] = [];

  beforeAll(async () => {
    const bin = requireBinary("/usr/bin/prometheus-alertmanager", "prometheus-alertmanager");
    const [hookPort, amPort] = [await freePort(), await freePort()];
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(capture(req.method ?? "", req.url ?? "", req.headers, body));
        res.setHeader("content-type", "application/json");
        // Telegram's client reads {"ok":true,"result":{...}}; the others ignore the body.
        res.end(JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 42, type: "group" } } }));
      });
    });
    await new Promise<void>((r) => server!.listen(hookPort, "127.0.0.1", r));
    base = `http://127.0.0.1:${hookPort}`;
    dir = await mkdtemp(join(tmpdir(), "edgeprom-am-payloads-"));
    await writeFile(join(dir, "alertmanager.yml"), config(base));
    am = startProcess(bin, [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${amPort}`, `--web.external-url=${EXTERNAL_URL}`, "--cluster.listen-address="]);
    theirs = `http://127.0.0.1:${amPort}`;
    await waitForHttp(`${theirs}/-/ready`);
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    server?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("sends the same requests for the same group, firing and then resolved", { timeout: 60_000 }, async () => {
    // Started now, not in the past: Alertmanager flushes a new group at once when its
    // first alert is already older than group_wait, racing the second alert of the
    // same POST into the group (a first notification with one alert, then both).
    const startsAt = new Date().toISOString();
    const alert = (instance: string, severity: string) => ({
      labels: { alertname: "HighLoad", instance, severity },
      annotations: { summary: `load on ${instance}`, description: "load is high" },
      startsAt,
      generatorURL: "http://prom.example/graph?g0.expr=up",
    });
    const post = await fetch(`${theirs}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([alert("a", "warning"), alert("b", "warning")]) });
    expect(post.status).toBe(200);
    const theirRequests = await waitFor("five notifications from Alertmanager", async () => (received.length >= 5 ? [...received] : undefined), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; received ${JSON.stringify(received.map((r) => r.path))}; Alertmanager said:\n${am!.output().slice(-3000)}`);
    });

    const firing = await heldAlerts();
    await compareWithOurs(theirRequests, firing);

    // Resolved: the next group flush tells every receiver that sends resolutions
    // (Slack does not by default).
    received.length = 0;
    const endsAt = new Date().toISOString();
    const resolve = await fetch(`${theirs}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ ...alert("a", "warning"), endsAt }, { ...alert("b", "warning"), endsAt }]) });
    expect(resolve.status).toBe(200);
    const resolvedRequests = await waitFor("four resolved notifications from Alertmanager", async () => (received.length >= 4 ? [...received] : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(4);
    // Alertmanager lists only unresolved alerts; these are the same ones, ended.
    await compareWithOurs(resolvedRequests, firing.map((a) => ({ ...a, endsAt: Date.parse(endsAt), timeout: false })));
  });

  /** The alerts as Alertmanager holds them (a firing one's endsAt is now +
   * resolve_timeout). */
  async function heldAlerts(): Promise<AmAlert[]> {
    const held = (await (await fetch(`${theirs}/api/v2/alerts`)).json()) as { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; updatedAt: string; generatorURL: string }[];
    const alerts = held
      .map((a) => newAlert({ labels: a.labels, annotations: a.annotations, startsAt: Date.parse(a.startsAt), endsAt: Date.parse(a.endsAt), updatedAt: Date.parse(a.updatedAt), generatorURL: a.generatorURL, timeout: true }))
      .sort((x, y) => (x.labels["instance"]! < y.labels["instance"]! ? -1 : 1));
    expect(alerts).toHaveLength(2);
    return alerts;
  }

  /** Runs edgeprom's notifiers over `alerts` and compares their requests with `theirs`. */
  async function compareWithOurs(theirRequests: Captured[], alerts: AmAlert[]): Promise<void> {
    const firing = alerts.some((a) => a.endsAt > Date.now());
    const cfg = parseAmConfig(config(base));
    const ourRequests: Captured[] = [];
    const ctx = {
      groupKey: '{}:{alertname="HighLoad"}',
      receiver: "all",
      groupLabels: { alertname: "HighLoad" },
      externalURL: EXTERNAL_URL,
      templates: new AmTemplates(),
      now: Date.now(),
      fetch: async (req: Request) => {
        const url = req.url.startsWith(base) ? req.url.slice(base.length) : req.url;
        ourRequests.push(capture(req.method, url, req.headers, await req.text()));
        return new Response(JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 42, type: "group" } } }), { headers: { "content-type": "application/json" } });
      },
    };
    for (const i of integrationsFor(cfg.receivers[0]!)) if (firing || i.sendResolved) await i.notify(ctx, alerts);

    const byPath = (xs: Captured[]) => [...xs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // PagerDuty v1 events go to PagerDuty's own endpoint whatever `url` says, in both
    // (Alertmanager's attempt shows in its log, as this machine has no internet).
    const v1 = "https://events.pagerduty.com/generic/2010-04-15/create_event.json";
    expect(am!.output()).toContain(v1);
    expect(ourRequests.filter((r) => r.path === v1)).toHaveLength(1);
    expect(byPath(ourRequests.filter((r) => r.path !== v1))).toEqual(byPath(theirRequests));
  }
});
