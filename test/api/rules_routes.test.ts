import { describe, expect, it } from "vitest";
import { goExponent, goTime, rulesRoutes } from "../../src/api/rules_routes.js";
import { ZERO_TIME } from "../../src/rules/alert.js";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "../rules/helpers.js";

const RULES = `
groups:
  - name: api
    interval: 30s
    limit: 5
    labels: {team: web}
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} down"}
  - name: other
    rules:
      - record: r2
        expr: vector(1)
`;

async function setup() {
  const h = new Harness();
  await h.load(T0, MIN, 'up{job="node",instance="a"} 0 0', 'up{job="node",instance="b"} 1 1');
  h.manager.update([ruleFile(RULES, "rules/a.yml")], SETTINGS);
  h.now = T0 + MIN;
  await h.manager.get("rules/a.yml;api")!.iterate(T0 + MIN);
  h.now = T0 + MIN + 10;
  const app = rulesRoutes({ status: async () => ({ loadError: "", groups: h.manager.views() }) });
  const get = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as any };
  };
  return { h, get };
}

describe("Go formatting", () => {
  it("prints floats as strconv.FormatFloat(v, 'e', -1, 64)", () => {
    expect([150, 1, 0, 0.000123, 1e21, 1.5e-300, 123456789.125, -2.5].map(goExponent)).toEqual([
      "1.5e+02",
      "1e+00",
      "0e+00",
      "1.23e-04",
      "1e+21",
      "1.5e-300",
      "1.23456789125e+08",
      "-2.5e+00",
    ]);
    expect([NaN, Infinity, -Infinity, -0].map(goExponent)).toEqual(["NaN", "+Inf", "-Inf", "-0e+00"]);
  });

  it("prints times as Go marshals time.Time", () => {
    expect(goTime(ZERO_TIME)).toBe("0001-01-01T00:00:00Z");
    expect(goTime(T0)).toBe("2026-01-01T00:00:00Z");
    expect(goTime(T0 + 500)).toBe("2026-01-01T00:00:00.5Z");
    expect(goTime(T0 + 123)).toBe("2026-01-01T00:00:00.123Z");
    expect(goTime(T0 + 120)).toBe("2026-01-01T00:00:00.12Z");
    expect(goTime(T0 + 3)).toBe("2026-01-01T00:00:00.003Z");
    expect(goTime(T0 - 10)).toBe("2025-12-31T23:59:59.99Z");
  });
});

describe("/api/v1/rules", () => {
  it("lists groups and rules in Prometheus' shape", async () => {
    const { get } = await setup();
    const { status, body } = await get("/rules");
    expect(status).toBe(200);
    expect(body).toEqual({
      status: "success",
      data: {
        groups: [
          {
            name: "api",
            file: "rules/a.yml",
            rules: [
              {
                name: "job:up:sum",
                query: "sum by (job) (up)",
                labels: { team: "web" },
                health: "ok",
                evaluationTime: 0,
                lastEvaluation: "2026-01-01T00:01:00Z",
                type: "recording",
              },
              {
                state: "pending",
                name: "InstanceDown",
                query: "up == 0",
                duration: 300,
                keepFiringFor: 60,
                labels: { severity: "page", team: "web" },
                annotations: { summary: "{{ $labels.instance }} down" },
                alerts: [
                  {
                    labels: { alertname: "InstanceDown", instance: "a", job: "node", severity: "page", team: "web" },
                    annotations: { summary: "a down" },
                    state: "pending",
                    activeAt: "2026-01-01T00:01:00Z",
                    value: "0e+00",
                  },
                ],
                health: "ok",
                evaluationTime: 0,
                lastEvaluation: "2026-01-01T00:01:00Z",
                type: "alerting",
              },
            ],
            interval: 30,
            limit: 5,
            evaluationTime: 0,
            lastEvaluation: "2026-01-01T00:01:00Z",
          },
          {
            name: "other",
            file: "rules/a.yml",
            rules: [{ name: "r2", query: "vector(1)", labels: {}, health: "unknown", evaluationTime: 0, lastEvaluation: "0001-01-01T00:00:00Z", type: "recording" }],
            interval: 60,
            limit: 0,
            evaluationTime: 0,
            lastEvaluation: "0001-01-01T00:00:00Z",
          },
        ],
      },
    });
  });

  it("filters by type, rule name, group, file and label matchers", async () => {
    const { get } = await setup();
    const names = async (q: string) => (await get(`/rules?${q}`)).body.data.groups.map((g: any) => [g.name, g.rules.map((r: any) => r.name)]);
    expect(await names("type=alert")).toEqual([["api", ["InstanceDown"]]]);
    expect(await names("type=RECORD")).toEqual([["api", ["job:up:sum"]], ["other", ["r2"]]]);
    expect(await names("rule_name[]=r2&rule_name[]=InstanceDown")).toEqual([["api", ["InstanceDown"]], ["other", ["r2"]]]);
    expect(await names("rule_group[]=other")).toEqual([["other", ["r2"]]]);
    expect(await names("file[]=rules/a.yml&rule_group[]=api")).toEqual([["api", ["job:up:sum", "InstanceDown"]]]);
    expect(await names("file[]=nope.yml")).toEqual([]);
    expect(await names(`match[]=${encodeURIComponent('{severity="page"}')}`)).toEqual([["api", ["InstanceDown"]]]);
    const ex = await get("/rules?type=alert&exclude_alerts=true");
    expect(ex.body.data.groups[0].rules[0].alerts).toBeNull();
  });

  it("paginates groups with group_limit and group_next_token", async () => {
    const { get } = await setup();
    const first = await get("/rules?group_limit=1");
    expect(first.body.data.groups.map((g: any) => g.name)).toEqual(["api"]);
    const token = first.body.data.groupNextToken;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const second = await get(`/rules?group_limit=1&group_next_token=${token}`);
    expect(second.body.data.groups.map((g: any) => g.name)).toEqual(["other"]);
    expect(second.body.data.groupNextToken).toBeUndefined();
  });

  it("rejects bad parameters as Prometheus does", async () => {
    const { get } = await setup();
    expect(await get("/rules?type=both")).toEqual({ status: 400, body: { status: "error", errorType: "bad_data", error: 'invalid parameter "type": not supported value "both"' } });
    expect((await get("/rules?exclude_alerts=maybe")).body.error).toBe(
      'invalid parameter "exclude_alerts": error converting exclude_alerts: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
    expect((await get("/rules?group_limit=0")).body.error).toBe('invalid parameter "group_limit": group_limit needs to be greater than 0');
    expect((await get("/rules?group_next_token=x")).body.error).toBe('invalid parameter "group_next_token": group_limit needs to be present in order to paginate over the groups');
    expect((await get("/rules?group_limit=1&group_next_token=x")).body.error).toBe("invalid parameter \"group_next_token\": invalid group_next_token 'x'. were rule groups changed?");
    expect((await get(`/rules?match[]=${encodeURIComponent("{")}`)).status).toBe(400);
  });
});

describe("/api/v1/alerts", () => {
  it("lists pending and firing alerts", async () => {
    const { get } = await setup();
    expect((await get("/alerts")).body).toEqual({
      status: "success",
      data: {
        alerts: [
          {
            labels: { alertname: "InstanceDown", instance: "a", job: "node", severity: "page", team: "web" },
            annotations: { summary: "a down" },
            state: "pending",
            activeAt: "2026-01-01T00:01:00Z",
            value: "0e+00",
          },
        ],
      },
    });
  });
});
