import { describe, expect, it } from "vitest";
import { exemplarPoints, nearestPoint, type ApiExemplarSeries } from "../../src/web/client/query/exemplar_data.js";
import type { MatrixSeries } from "../../src/web/client/query/graph_data.js";
import { memoryApi } from "./support/memory_api.js";

describe("exemplars on the graph", () => {
  it("places the API's exemplars on the series that carry their labels, within the range", async () => {
    const api = await memoryApi(["load 1m", '  req_total{job="api", path="/a"} 0+60x10', '  req_total{job="api", path="/b"} 0+30x10', '  other{job="x"} 1x10'].join("\n"), [
      { series: { __name__: "req_total", job: "api", path: "/a" }, labels: { trace_id: "a1" }, t: 90_000, v: 1.5 },
      { series: { __name__: "req_total", job: "api", path: "/a" }, labels: { trace_id: "a2" }, t: 400_000, v: 2 },
      { series: { __name__: "req_total", job: "api", path: "/b" }, labels: { trace_id: "b1", span_id: "s" }, t: 120_000, v: 0.25 },
      { series: { __name__: "other", job: "x" }, labels: { trace_id: "o" }, t: 120_000, v: 7 },
    ]);
    const q = "sum by (path) (rate(req_total[2m])) or other";
    const range = (await (await api.request(`/api/v1/query_range?query=${encodeURIComponent(q)}&start=60&end=300&step=60`)).json()) as { data: { result: MatrixSeries[] } };
    const found = (await (await api.request(`/api/v1/query_exemplars?query=${encodeURIComponent(q)}&start=60&end=300`)).json()) as { data: ApiExemplarSeries[] };
    expect(found.data.map((s) => s.seriesLabels["__name__"])).toEqual(["other", "req_total", "req_total"]);
    const graphed = range.data.result;
    const points = exemplarPoints(found.data, graphed, 60_000, 300_000);
    const at = (name: string) => graphed.findIndex((s) => s.metric["path"] === name || s.metric["__name__"] === name);
    expect(points).toEqual([
      { t: 120, v: 7, labels: { trace_id: "o" }, seriesLabels: { __name__: "other", job: "x" }, series: at("other") },
      { t: 90, v: 1.5, labels: { trace_id: "a1" }, seriesLabels: { __name__: "req_total", job: "api", path: "/a" }, series: at("/a") },
      { t: 120, v: 0.25, labels: { span_id: "s", trace_id: "b1" }, seriesLabels: { __name__: "req_total", job: "api", path: "/b" }, series: at("/b") },
    ]);
    expect(new Set(points.map((p) => p.series)).size).toBe(3);
    // An exemplar of no graphed series keeps a neutral colour; one outside the range is left out.
    expect(exemplarPoints(found.data, [{ metric: { path: "/c" } }], 60_000, 100_000).map((p) => [p.t, p.series])).toEqual([[90, -1]]);
  });

  it("finds the point under the cursor within a radius", () => {
    const pts = [{ x: 10, y: 10 }, { x: 14, y: 10 }, { x: 100, y: 100 }];
    const at = (p: { x: number; y: number }): [number, number] => [p.x, p.y];
    expect(nearestPoint(pts, at, 13, 11, 8)).toBe(pts[1]);
    expect(nearestPoint(pts, at, 50, 50, 8)).toBeUndefined();
  });
});
