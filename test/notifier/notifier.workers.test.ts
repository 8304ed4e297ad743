import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { Notifier } from "../../src/notifier/notifier.js";

/** The notifier inside workerd, as the RuleEvaluator Durable Object runs it: the
 * CONFIG KV namespace for file_sd and credential files, Workers' Request, Response
 * and AbortSignal.timeout. The Alertmanager is an in-isolate handler reading the
 * request as a server would (workerd tests cannot open a listening socket). */
function alertmanagerHandler(answer: (req: Request) => Promise<Response>) {
  const received: { url: string; auth: string | null; type: string | null; body: any }[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    received.push({ url: req.url, auth: req.headers.get("authorization"), type: req.headers.get("content-type"), body: JSON.parse(await req.clone().text()) });
    return answer(req);
  };
  return { fetchFn: fetchFn as typeof fetch, received };
}

describe("Notifier in workerd", () => {
  it("discovers Alertmanagers from a file_sd key in KV and reads credentials from KV", async () => {
    await env.CONFIG.put("am/targets.yml", "- targets: ['am-1.internal:9093']\n");
    await env.CONFIG.put("am/token", "kv-token\n");
    const am = alertmanagerHandler(async () => new Response(null, { status: 200 }));
    const n = new Notifier({ fetch: am.fetchFn, log: () => {} });
    await n.applyConfig(
      parseConfig(`
global: {external_labels: {tier: test}}
alerting:
  alertmanagers:
    - file_sd_configs: [{files: ["am/*.yml"]}]
      authorization: {credentials_file: am/token}
`),
      env.CONFIG,
    );
    expect(n.alertmanagers().activeAlertmanagers).toEqual([{ url: "http://am-1.internal:9093/api/v2/alerts" }]);
    n.send([{ labels: { alertname: "W" }, annotations: {}, startsAt: Date.UTC(2026, 0, 1), generatorURL: "" }]);
    await n.flush();
    expect(am.received).toEqual([
      {
        url: "http://am-1.internal:9093/api/v2/alerts",
        auth: "Bearer kv-token",
        type: "application/json",
        body: [{ startsAt: "2026-01-01T00:00:00.000Z", labels: { alertname: "W", tier: "test" } }],
      },
    ]);
    expect(n.stats).toMatchObject({ sent: 1, errors: 0, dropped: 0 });
  });

  it("aborts a post that outlives the timeout", async () => {
    const am = alertmanagerHandler(
      (req) =>
        new Promise<Response>((_, reject) => {
          req.signal.addEventListener("abort", () => reject(req.signal.reason));
        }),
    );
    const n = new Notifier({ fetch: am.fetchFn, log: () => {} });
    await n.applyConfig(parseConfig(`alerting:\n  alertmanagers:\n    - timeout: 100ms\n      static_configs: [{targets: ["slow:9093"]}]\n`));
    n.send([{ labels: { alertname: "W" }, annotations: {}, startsAt: 0, generatorURL: "" }]);
    await n.flush();
    expect(n.stats).toMatchObject({ errors: 1, dropped: 1 });
    expect(n.metrics().alertmanagers[0]!.lastError).toBe('Post "http://slow:9093/api/v2/alerts": context deadline exceeded');
  });
});
