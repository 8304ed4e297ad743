import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { until } from "../support/until.js";

// The RuleEvaluator Durable Object in workerd: rule files from KV, evaluations on
// its own alarms (1s interval), the rules and alerts API, and what survives when the
// object is evicted, with and without its saved state.

const CONFIG = `
global:
  evaluation_interval: 1s
  external_labels: {tier: test}
rule_files: ["rules/*.yml"]
`;

const RULES = `
groups:
  - name: w
    rules:
      - record: wtest:sum
        expr: sum(wtest)
      - alert: WHigh
        expr: wtest > 5
        for: 20m
        labels: {severity: page}
        annotations: {summary: "value {{ $value }}"}
`;

async function write(name: string, labels: Record<string, string>, t: number, v: number): Promise<void> {
  const body = encodeRemoteWriteBody({ timeseries: [{ labels: Object.entries({ __name__: name, ...labels }).map(([n, value]) => ({ name: n, value })), samples: [{ t, v }] }] });
  const res = await SELF.fetch("http://region/api/v1/write", { method: "POST", headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" }, body });
  expect(res.status).toBe(204);
}

async function api(path: string): Promise<any> {
  const res = await SELF.fetch(`http://region${path}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: unknown }).data;
}

const stub = () => env.RULES!.get(env.RULES!.idFromName("test/rules"));

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
  annotations: Record<string, string>;
}

describe("RuleEvaluator", () => {
  it("evaluates rule files from KV and keeps alerts across evictions", { timeout: 60_000 }, async () => {
    await env.CONFIG.put("regions/test/prometheus.yml", CONFIG);
    await env.CONFIG.put("rules/w.yml", RULES);
    const t = Date.now();
    await write("wtest", { instance: "a" }, t, 10);
    expect(await stub().reload()).toEqual({ ok: true, error: "" });

    const first = await until("a pending alert", async () => {
      const { alerts } = (await api("/api/v1/alerts")) as { alerts: ApiAlert[] };
      return alerts.find((a) => a.state === "pending" && a.labels["instance"] === "a");
    });
    expect(first.labels).toEqual({ alertname: "WHigh", instance: "a", severity: "page" });
    expect(first.annotations).toEqual({ summary: "value 10" });
    expect(first.value).toBe("1e+01");
    const activeAt = first.activeAt;

    const rules = await api("/api/v1/rules");
    expect(rules.groups).toHaveLength(1);
    const g = rules.groups[0];
    expect(g).toMatchObject({ name: "w", file: "rules/w.yml", interval: 1, limit: 0 });
    expect(g.rules.map((r: any) => [r.type, r.name, r.query, r.health])).toEqual([
      ["recording", "wtest:sum", "sum(wtest)", "ok"],
      ["alerting", "WHigh", "wtest > 5", "ok"],
    ]);
    expect(g.rules[1]).toMatchObject({ state: "pending", duration: 1200, keepFiringFor: 0, labels: { severity: "page" }, type: "alerting" });
    expect((await api("/api/v1/rules?type=record")).groups[0].rules).toHaveLength(1);
    expect((await api("/api/v1/rules?rule_name[]=WHigh&exclude_alerts=true")).groups[0].rules[0].alerts).toBeNull();

    const recorded = await api("/api/v1/query?query=wtest:sum");
    expect(recorded.result).toEqual([{ metric: { __name__: "wtest:sum" }, value: [expect.any(Number), "10"] }]);
    const metrics = await (await SELF.fetch("http://region/metrics")).text();
    expect(metrics).toMatch(/prometheus_rule_evaluations_total\{rule_group="rules\/w\.yml;w"\} [1-9]/);

    // Evicted: the next instance reads the saved state before it evaluates anything.
    await abortAllDurableObjects();
    const afterEviction = (await api("/api/v1/alerts")) as { alerts: ApiAlert[] };
    expect(afterEviction.alerts.map((a) => [a.labels["instance"], a.state, a.activeAt])).toEqual([["a", "pending", activeAt]]);

    // Let ALERTS_FOR_STATE accumulate, then lose the saved state as well: the next
    // instance starts over, and after two evaluations restores activeAt from
    // ALERTS_FOR_STATE (shifted by the short downtime), as Prometheus does.
    await new Promise((r) => setTimeout(r, 6_000));
    await runInDurableObject(stub(), async (_instance, state) => {
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();
    const abortedAt = Date.now();
    await stub().arm();
    const restored = await until("the restored alert", async () => {
      const { alerts } = (await api("/api/v1/alerts")) as { alerts: ApiAlert[] };
      const a = alerts.find((x) => x.labels["instance"] === "a");
      return a !== undefined && Date.parse(a.activeAt) < abortedAt ? a : undefined;
    });
    const shift = Date.parse(restored.activeAt) - Date.parse(activeAt);
    expect(shift).toBeGreaterThanOrEqual(0);
    expect(shift).toBeLessThan(6_000);
  });

  it("reports a broken rule file and keeps the previous rules", { timeout: 30_000 }, async () => {
    await env.CONFIG.put("regions/test/prometheus.yml", CONFIG);
    await env.CONFIG.put("rules/w.yml", RULES);
    expect((await stub().reload()).ok).toBe(true);
    await env.CONFIG.put("rules/w.yml", "groups:\n  - name: w\n    rules:\n      - record: x\n        expr: sum(\n");
    const r = await stub().reload();
    expect(r.ok).toBe(false);
    expect(r.error).toBe(
      'error loading rules, previous rule set restored: rules/w.yml: 5:15: group "w", rule 1, "x": could not parse expression: 1:5: parse error: unclosed left parenthesis',
    );
    const res = await SELF.fetch("http://region/-/reload", { method: "POST" });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("error loading rules, previous rule set restored");
    expect((await api("/api/v1/rules")).groups.map((g: any) => g.name)).toEqual(["w"]);
  });

  it("takes over rule state an older version kept in the key-value API", async () => {
    const group = { v: 2, intervalMs: 1000, ids: ["r"], staleSeries: [] };
    const series = { id: "r", keys: ["\uffff__name__\uffffold\uffff"] };
    await runInDurableObject(stub(), async (_instance, state) => {
      await state.storage.deleteAll();
      state.storage.kv.put("rules/group/rules/old.yml;g#1", group);
      state.storage.kv.put("rules/series/rules/old.yml;g#1#0", series);
    });
    await abortAllDurableObjects();
    const got = await runInDurableObject(stub(), async (_instance, state) => ({
      groups: state.storage.sql.exec("SELECT key, state FROM rule_groups").toArray(),
      series: state.storage.sql.exec("SELECT group_key, idx, rule_id, keys FROM rule_series").toArray(),
      kv: [...state.storage.kv.list({ prefix: "rules/" })].length,
    }));
    expect(got.groups).toEqual([{ key: "rules/old.yml;g#1", state: JSON.stringify(group) }]);
    expect(got.series).toEqual([{ group_key: "rules/old.yml;g#1", idx: 0, rule_id: "r", keys: JSON.stringify(series.keys) }]);
    expect(got.kv).toBe(0);
  });
});
