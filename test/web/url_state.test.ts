import { describe, expect, it } from "vitest";
import { defaultPanel } from "../../src/web/client/query/panel_state.js";
import { decodePanels, encodePanels } from "../../src/web/client/query/url_state.js";

describe("query panels in the URL", () => {
  it("reads a link written by Prometheus 3's UI", () => {
    const search =
      "?g0.expr=rate(node_cpu_seconds_total%5B5m%5D)&g0.show_tree=0&g0.tab=graph&g0.end_input=2026-11-21%2010%3A00%3A00&g0.moment_input=2026-11-21%2010%3A00%3A00" +
      "&g0.range_input=6h&g0.res_type=fixed&g0.res_step=60&g0.display_mode=stacked&g0.show_exemplars=0" +
      "&g1.expr=up&g1.show_tree=0&g1.tab=table&g1.range_input=1h&g1.res_type=auto&g1.res_density=high&g1.display_mode=lines&g1.show_exemplars=1";
    expect(decodePanels(search)).toEqual([
      { expr: "rate(node_cpu_seconds_total[5m])", tab: "graph", range: 6 * 3600_000, endTime: Date.UTC(2026, 10, 21, 10), resolution: { type: "fixed", step: 60_000 }, displayMode: "stacked", showExemplars: false },
      { expr: "up", tab: "table", range: 3600_000, endTime: null, resolution: { type: "auto", density: "high" }, displayMode: "lines", showExemplars: true },
    ]);
  });

  it("reads a Prometheus 2.x link (numeric tab, stacked flag, step in seconds)", () => {
    const [p] = decodePanels("?g0.expr=up&g0.tab=0&g0.stacked=1&g0.range_input=30m&g0.end_input=2021-03-04%2005%3A06&g0.step_input=15");
    expect(p).toEqual({ expr: "up", tab: "graph", range: 1800_000, endTime: Date.UTC(2021, 2, 4, 5, 6), resolution: { type: "custom", step: 15_000 }, displayMode: "stacked", showExemplars: false });
    expect(decodePanels("?g0.expr=up&g0.tab=1")[0]!.tab).toBe("table");
  });

  it("stops at the first missing expression and ignores values it cannot read", () => {
    expect(decodePanels("?g0.expr=a&g2.expr=c")).toHaveLength(1);
    expect(decodePanels("")).toEqual([]);
    const [p] = decodePanels("?g0.expr=a&g0.range_input=banana&g0.end_input=yesterday&g0.res_type=auto&g0.res_density=extreme&g0.tab=explain");
    expect(p).toEqual({ ...defaultPanel(), expr: "a" });
  });

  it("writes what Prometheus 3 writes, and reads it back unchanged", () => {
    const panels = [
      { expr: 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))', tab: "graph" as const, range: 2 * 86400_000, endTime: Date.UTC(2026, 0, 2, 3, 4, 5), resolution: { type: "custom" as const, step: 2500 }, displayMode: "lines" as const, showExemplars: true },
      { ...defaultPanel(), expr: "up" },
    ];
    const q = encodePanels(panels);
    expect(q.get("g0.range_input")).toBe("2d");
    expect(q.get("g0.end_input")).toBe("2026-01-02 03:04:05");
    expect(q.get("g0.moment_input")).toBe("2026-01-02 03:04:05");
    expect(q.get("g0.res_type")).toBe("custom");
    expect(q.get("g0.res_step")).toBe("2.5");
    expect(q.get("g0.show_exemplars")).toBe("1");
    expect(q.get("g1.show_exemplars")).toBe("0");
    expect(q.get("g1.tab")).toBe("table");
    expect(q.get("g1.res_density")).toBe("medium");
    expect(q.has("g1.end_input")).toBe(false);
    expect(decodePanels(`?${q.toString()}`)).toEqual(panels);
  });
});
