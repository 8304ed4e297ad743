import { describe, expect, it } from "vitest";
import { groupByPool, targetMatches, type ActiveTarget } from "../../src/web/client/targets/target_filter.js";

describe("targets filter", () => {
  const t = (pool: string, url: string, health: ActiveTarget["health"], labels: Record<string, string>, lastError = ""): ActiveTarget => ({
    discoveredLabels: {},
    labels,
    scrapePool: pool,
    scrapeUrl: url,
    globalUrl: url,
    lastError,
    lastScrape: "",
    lastScrapeDuration: 0,
    health,
    scrapeInterval: "15s",
    scrapeTimeout: "10s",
  });
  const node = t("node", "http://a:9100/metrics", "up", { job: "node", instance: "a:9100" });
  const down = t("node", "http://b:9100/metrics", "down", { job: "node", instance: "b:9100" }, "connection refused");
  const demo = t("demo", "http://c/demo/metrics", "unknown", { job: "demo", instance: "c" });

  it("filters by health and by every word of the search", () => {
    expect(targetMatches(node, new Set(), "")).toBe(true);
    expect(targetMatches(node, new Set(["down"]), "")).toBe(false);
    expect(targetMatches(down, new Set(["down", "unknown"]), "")).toBe(true);
    expect(targetMatches(down, new Set(), "refused b:9100")).toBe(true);
    expect(targetMatches(node, new Set(), "refused")).toBe(false);
    expect(targetMatches(demo, new Set(), 'JOB="demo"')).toBe(true);
  });

  it("groups by pool in name order, targets by URL", () => {
    const g = groupByPool([down, demo, node], (x) => x.scrapeUrl);
    expect([...g.keys()]).toEqual(["demo", "node"]);
    expect(g.get("node")!.map((x) => x.scrapeUrl)).toEqual(["http://a:9100/metrics", "http://b:9100/metrics"]);
  });
});
