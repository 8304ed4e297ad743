import { describe, expect, it } from "vitest";
import { newAlert } from "../../src/alertmanager/alert.js";
import { parseAmConfig } from "../../src/alertmanager/am_config.js";
import { AmTemplates } from "../../src/alertmanager/am_template.js";
import { integrationsFor } from "../../src/alertmanager/integrations.js";

// Receivers' payloads built with Alertmanager's default templates: titles and texts
// as Alertmanager renders them for the same group (test/e2e/alertmanager_payloads.test.ts
// compares whole requests with Alertmanager 0.25's).

const now = Date.parse("2026-01-01T12:00:00Z");
const alerts = [
  newAlert({ labels: { alertname: "HighLoad", severity: "warning", instance: "a" }, annotations: { summary: "load" }, startsAt: now - 60_000, endsAt: 0, generatorURL: "http://prom/g", updatedAt: now, timeout: false }),
  newAlert({ labels: { alertname: "HighLoad", severity: "warning", instance: "b" }, annotations: { summary: "load" }, startsAt: now - 60_000, endsAt: 0, generatorURL: "http://prom/g", updatedAt: now, timeout: false }),
];

async function payloads(receiverYaml: string): Promise<Record<string, unknown>[]> {
  const cfg = parseAmConfig(`route: {receiver: r}\nreceivers:\n  - name: r\n${receiverYaml}`);
  const sent: Record<string, unknown>[] = [];
  const ctx = {
    groupKey: '{}:{alertname="HighLoad"}',
    receiver: "r",
    groupLabels: { alertname: "HighLoad" },
    externalURL: "http://am.test",
    templates: new AmTemplates(),
    now,
    fetch: async (req: Request) => {
      sent.push({ url: req.url, auth: req.headers.get("authorization"), body: await req.json() });
      return new Response("ok");
    },
  };
  for (const i of integrationsFor(cfg.receivers[0]!)) await i.notify(ctx, alerts);
  return sent;
}

describe("notification payloads with the default templates", () => {
  it("slack: title, fallback, color", async () => {
    const [p] = await payloads("    slack_configs: [{api_url: 'https://hooks.slack.test/x', channel: '#ops'}]");
    const body = p!["body"] as { channel: string; username: string; attachments: { title: string; title_link: string; fallback: string; color: string }[] };
    expect(body.channel).toBe("#ops");
    expect(body.username).toBe("Alertmanager");
    expect(body.attachments[0]!.title).toBe("[FIRING:2] HighLoad (warning)");
    expect(body.attachments[0]!.title_link).toBe("http://am.test/#/alerts?receiver=r");
    expect(body.attachments[0]!.fallback).toBe("[FIRING:2] HighLoad (warning) | http://am.test/#/alerts?receiver=r");
    expect(body.attachments[0]!.color).toBe("danger");
  });

  it("pagerduty v2: trigger with the subject as summary and the alert list in details", async () => {
    const [p] = await payloads("    pagerduty_configs: [{routing_key: rk}]");
    const body = p!["body"] as { routing_key: string; dedup_key: string; event_action: string; payload: { summary: string; severity: string; source: string; custom_details: Record<string, string> } };
    expect(p!["url"]).toBe("https://events.pagerduty.com/v2/enqueue");
    expect(body.event_action).toBe("trigger");
    expect(body.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(body.payload.summary).toBe("[FIRING:2] HighLoad (warning)");
    expect(body.payload.source).toBe("Alertmanager");
    expect(body.payload.custom_details["num_firing"]).toBe("2");
    expect(body.payload.custom_details["firing"]).toContain("Labels:\n - alertname = HighLoad\n - instance = a\n");
  });

  it("opsgenie, discord and telegram", async () => {
    const [og] = await payloads("    opsgenie_configs: [{api_key: k, tags: 'a, b'}]");
    expect(og!["url"]).toBe("https://api.opsgenie.com/v2/alerts");
    expect(og!["auth"]).toBe("GenieKey k");
    expect(og!["body"]).toMatchObject({ message: "[FIRING:2] HighLoad (warning)", tags: ["a", " b"], source: "http://am.test/#/alerts?receiver=r" });
    const [dc] = await payloads("    discord_configs: [{webhook_url: 'https://discord.test/api/webhooks/1/x'}]");
    expect(dc!["body"]).toMatchObject({ embeds: [{ title: "[FIRING:2] HighLoad (warning)", color: 0x992d22 }] });
    const [tg] = await payloads("    telegram_configs: [{bot_token: 't0k', chat_id: 42}]");
    expect(tg!["url"]).toBe("https://api.telegram.org/bott0k/sendMessage");
    expect((tg!["body"] as { text: string; chat_id: string }).chat_id).toBe("42");
    expect((tg!["body"] as { text: string }).text).toContain("Alerts Firing:");
  });

  it("msteams: a MessageCard with Alertmanager's markdown alert list, red firing and green resolved", async () => {
    const [p] = await payloads("    msteams_configs: [{webhook_url: 'https://example.webhook.office.com/webhookb2/x'}]");
    expect(p!["url"]).toBe("https://example.webhook.office.com/webhookb2/x");
    const body = p!["body"] as Record<string, string>;
    expect(body).toMatchObject({ "@context": "http://schema.org/extensions", type: "MessageCard", title: "[FIRING:2] HighLoad (warning)", summary: "[FIRING:2] HighLoad (warning)", themeColor: "8C1A1A" });
    expect(body["text"]).toContain("# Alerts Firing:\n\nLabels:\n  - alertname = HighLoad\n  - instance = a\n  - severity = warning\n\nAnnotations:\n  - summary = load\n\nSource: http://prom/g\n");
    expect(body["text"]).not.toContain("Resolved");
    const [custom] = await payloads("    msteams_configs: [{webhook_url: 'https://t.test/x', title: 'T {{ .CommonLabels.severity }}', summary: 'S', text: 'X'}]");
    expect(custom!["body"]).toMatchObject({ title: "T warning", summary: "S", text: "X" });
  });

  it("msteamsv2: an Adaptive Card for a Power Automate workflow", async () => {
    const [p] = await payloads("    msteamsv2_configs: [{webhook_url: 'https://flow.test/invoke', title: 'T'}]");
    const body = p!["body"] as { type: string; attachments: { contentType: string; contentUrl: null; content: { type: string; version: string; body: Record<string, unknown>[]; msteams: { width: string } } }[] };
    expect(body.type).toBe("message");
    const a = body.attachments[0]!;
    expect(a.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(a.contentUrl).toBeNull();
    expect(a.content).toMatchObject({ type: "AdaptiveCard", version: "1.2", msteams: { width: "full" } });
    expect(a.content.body[0]).toEqual({ type: "TextBlock", text: "T", weight: "Bolder", size: "Medium", wrap: true, style: "heading", color: "Attention" });
    expect(a.content.body[1]).toMatchObject({ type: "TextBlock", wrap: true });
    expect(a.content.body[1]!["text"]).toContain("# Alerts Firing:");
  });

  it("msteams configs are refused with Alertmanager's messages, and webhook_url_file with a reason", () => {
    const parse = (c: string) => () => parseAmConfig(`route: {receiver: r}\nreceivers:\n  - name: r\n    ${c}`);
    expect(parse("msteams_configs: [{title: x}]")).toThrow("one of webhook_url or webhook_url_file must be configured");
    expect(parse("msteamsv2_configs: [{webhook_url: 'https://a/', webhook_url_file: f}]")).toThrow("at most one of webhook_url & webhook_url_file must be configured");
    expect(parse("msteams_configs: [{webhook_url_file: /etc/teams}]")).toThrow("webhook_url_file cannot be read by a Worker");
    expect(parse("msteamsv2_configs: [{webhook_url: 'https://a/', summary: s}]")).toThrow("summary");
  });
});
