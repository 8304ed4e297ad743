import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";

const T = Math.floor(Date.now() / 60_000) * 60_000 - 600_000;

async function api(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`http://region/api/v1/${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe("query API", () => {
  beforeAll(async () => {
    const body = encodeRemoteWriteBody({
      timeseries: ["x", "y"].map((instance, k) => ({
        labels: [
          { name: "__name__", value: "q_requests_total" },
          { name: "instance", value: instance },
          { name: "job", value: "q" },
        ],
        samples: Array.from({ length: 41 }, (_, i) => ({ t: T + i * 15_000, v: i * 10 * (k + 1) })),
      })),
    });
    const res = await SELF.fetch("http://region/api/v1/write", { method: "POST", body });
    expect(res.status).toBe(204);
  });

  it("answers instant queries in Prometheus' JSON", async () => {
    const t = (T + 600_000) / 1000;
    const r = await api(`query?query=${encodeURIComponent('q_requests_total{instance="x"}')}&time=${t}`);
    expect(r).toEqual({
      status: 200,
      body: {
        status: "success",
        data: { resultType: "vector", result: [{ metric: { __name__: "q_requests_total", instance: "x", job: "q" }, value: [t, "400"] }] },
      },
    });
    const scalar = await api(`query?query=${encodeURIComponent("1 + 2.5")}&time=${t}`);
    expect(scalar.body.data).toEqual({ resultType: "scalar", result: [t, "3.5"] });
    const str = await api(`query?query=${encodeURIComponent('"hi"')}&time=${t}`);
    expect(str.body.data).toEqual({ resultType: "string", result: [t, "hi"] });
    const matrix = await api(`query?query=${encodeURIComponent('q_requests_total{instance="y"}[30s]')}&time=${t}`);
    expect(matrix.body.data.resultType).toBe("matrix");
    expect(matrix.body.data.result[0].values).toEqual([
      [t - 15, "780"],
      [t, "800"],
    ]);
  });

  it("answers range queries, by GET and by form POST", async () => {
    const start = (T + 300_000) / 1000;
    const end = (T + 600_000) / 1000;
    const q = "sum(rate(q_requests_total[1m]))";
    const get = await api(`query_range?query=${encodeURIComponent(q)}&start=${start}&end=${end}&step=2m30s`);
    expect(get.body.data.resultType).toBe("matrix");
    expect(get.body.data.result).toHaveLength(1);
    expect(get.body.data.result[0].metric).toEqual({});
    expect(get.body.data.result[0].values.map((p: [number, string]) => [p[0], Number(p[1]).toFixed(6)])).toEqual([
      [start, "2.000000"],
      [start + 150, "2.000000"],
      [end, "2.000000"],
    ]);
    const post = await api("query_range", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: q, start: String(start), end: String(end), step: "150" }).toString(),
    });
    expect(post.body).toEqual(get.body);
  });

  it("reports errors with Prometheus' types and codes", async () => {
    const parse = await api(`query?query=${encodeURIComponent("sum(rate(x[5m])")}`);
    expect(parse.status).toBe(400);
    expect(parse.body.errorType).toBe("bad_data");
    expect(parse.body.error).toMatch(/^invalid parameter "query": 1:16: parse error: /);
    const empty = await api("query");
    expect(empty.body).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "query": query must not be empty' });
    const step = await api(`query_range?query=up&start=0&end=100&step=0`);
    expect(step.body.error).toMatch(/zero or negative query resolution step widths are not accepted/);
    const points = await api(`query_range?query=up&start=0&end=100000&step=1`);
    expect(points.body.error).toMatch(/exceeded maximum resolution of 11,000 points per timeseries/);
    const exec = await api(`query?query=${encodeURIComponent('label_replace(up, "1x", "", "", "")')}`);
    expect(exec.status).toBe(422);
    expect(exec.body.errorType).toBe("execution");
    const rangeType = await api(`query_range?query=${encodeURIComponent("up[5m]")}&start=0&end=100&step=10`);
    expect(rangeType.body.error).toMatch(/invalid expression type "range vector" for range query/);
  });

  it("formats and parses queries", async () => {
    const f = await api(`format_query?query=${encodeURIComponent("sum(rate(foo{job='a'}[5m]))by(job)")}`);
    expect(f.body).toEqual({ status: "success", data: 'sum by (job) (rate(foo{job="a"}[5m]))' });
    const p = await api(`parse_query?query=${encodeURIComponent("up")}`);
    expect(p.body.data.type).toBe("VectorSelector");
  });

  it("answers the build and runtime info Grafana checks", async () => {
    const b = await api("status/buildinfo");
    expect(b.body.data.version).toMatch(/^3\.\d+\.\d+/);
    const r = await api("status/runtimeinfo");
    expect(r.body.data.storageRetention).toBe("15d");
  });
});
