import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { waitFor } from "./support/processes.js";

type Result = { metric: Record<string, string>; value: [number, string] }[];

async function query(base: string, q: string): Promise<Result> {
  const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Result } };
  return body.data.result;
}

/** The local federation as `npm start` seeds it: each region scrapes itself, the
 * global tier federates both regions' /federate. */
describe("the local federation", () => {
  let fed: Federation;
  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => fed?.stop());

  it("answers sum by (region) (up) for both regions on the global tier within a minute", async () => {
    const byRegion = await waitFor(
      "both regions federated",
      async () => {
        const r = await query(fed.urls.global, "sum by (region) (up)");
        // Each region scrapes itself, its built-in demo target and its Pushgateway.
        const up = (region: string) => r.find((x) => x.metric["region"] === region)?.value[1];
        return up("local-a") === "3" && up("local-b") === "3" ? r : undefined;
      },
      60_000,
      1000,
    );
    // The third group is the global tier's own Pushgateway target, which has no region.
    expect(byRegion.map((r) => r.metric["region"] ?? "global").sort()).toEqual(["global", "local-a", "local-b"]);
    const demo = await waitFor(
      "the demo target's series on the global tier",
      async () => {
        const r = await query(fed.urls.global, 'sum by (region) (demo_http_requests_total{job="demo"})');
        return r.length === 2 ? r : undefined;
      },
      60_000,
      1000,
    );
    expect(demo.every((r) => Number(r.value[1]) > 0)).toBe(true);
    // Federated series keep the region's labels (honor_labels) and the global tier
    // records its own scrape of each region.
    const fedUp = await query(fed.urls.global, 'up{job="federate"}');
    expect(fedUp.map((r) => r.value[1])).toEqual(["1", "1"]);
    // Reached through service bindings, not the network.
    expect(fedUp.map((r) => r.metric["instance"]).sort()).toEqual(["local-a.edgeprom.internal", "local-b.edgeprom.internal"]);
    const series = await query(fed.urls.global, 'count by (region, job) (edgeprom_http_requests_total{job="edgeprom"})');
    expect(series.map((r) => r.metric["region"]).sort()).toEqual(["local-a", "local-b"]);
  });
});
