import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DtoFamily } from "../../src/textparse/dto.js";
import { DELIMITED_PROTOBUF_TYPE, decodeDelimitedFamilies, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, startPushgateway, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";
import { sigDigits } from "./support/significant.js";

type Fed = Awaited<ReturnType<typeof startTestFederation>>;

/** A push as Go's client sends one: a native histogram (integer counts, both sides,
 * zero bucket, a timestamped exemplar) next to its classic buckets. */
function push(): Uint8Array {
  const fam: DtoFamily = {
    name: "nh_latency_seconds",
    help: "Batch step latency.",
    type: "HISTOGRAM",
    metrics: [
      {
        labels: [{ name: "step", value: "load" }],
        kind: "histogram",
        value: 0,
        sampleCount: 9,
        sampleSum: 11.25,
        quantiles: [],
        buckets: [
          { upperBound: 1, cumulativeCount: 5 },
          { upperBound: 4, cumulativeCount: 8 },
        ],
        timestampMs: undefined,
        native: {
          schema: 2,
          zeroThreshold: 2.938735877055719e-39,
          zeroCount: 1,
          positiveSpans: [
            { offset: 0, length: 2 },
            { offset: 3, length: 1 },
          ],
          positiveCounts: [3, 2, 2],
          negativeSpans: [{ offset: 1, length: 1 }],
          negativeCounts: [1],
          integer: true,
          exemplars: [{ labels: [{ name: "trace_id", value: "t1" }], value: 1.5, timestampMs: 1_700_000_000_123 }],
        },
      },
    ],
  };
  return encodeDelimitedFamilies([fam]);
}

const PROTO_ACCEPT = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

describe("native histograms pushed in protobuf, next to Debian's Pushgateway 1.5.1 and Prometheus 2.42", () => {
  let fed: Fed;
  let real: Peer;
  let prom: Peer | undefined;

  beforeAll(async () => {
    [fed, real] = await Promise.all([startTestFederation(), startPushgateway()]);
  });

  afterAll(async () => {
    await Promise.all([fed?.stop(), real?.stop(), prom?.stop()]);
  });

  it("are kept, exposed again in protobuf, and scraped into storage as native histograms", async () => {
    const ours = `${fed.urls["local-a"]}/pushgateway`;
    for (const base of [ours, real.url]) {
      const res = await fetch(`${base}/metrics/job/nh`, { method: "PUT", body: push(), headers: { "content-type": DELIMITED_PROTOBUF_TYPE } });
      expect(res.status, base).toBe(200);
    }
    const exposed = async (base: string) => {
      const res = await fetch(`${base}/metrics`, { headers: { accept: PROTO_ACCEPT } });
      expect(res.headers.get("content-type")).toBe(DELIMITED_PROTOBUF_TYPE);
      return decodeDelimitedFamilies(new Uint8Array(await res.arrayBuffer())).find((f) => f.name === "nh_latency_seconds");
    };
    const theirs = await exposed(real.url);
    expect(theirs?.metrics[0]?.native?.positiveCounts).toEqual([3, 2, 2]);
    expect(await exposed(ours)).toEqual(theirs);

    // Scraped: the region's own pushgateway job (scrape_native_histograms from global)
    // and Prometheus scraping the real gateway, compared at one evaluation time.
    await fed.putConfig("regions/local-a/prometheus.yml", "global: {scrape_interval: 1s, scrape_timeout: 900ms, scrape_native_histograms: true}\n");
    expect((await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" })).status).toBe(200);
    prom = await startPrometheus(
      [
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        "  - job_name: pushgateway",
        "    honor_labels: true",
        "    metrics_path: /pushgateway/metrics",
        `    static_configs: [{targets: ["${real.url.replace("http://", "").replace("/pushgateway", "")}"]}]`,
        "",
      ].join("\n"),
      ["--enable-feature=native-histograms"],
    );
    const query = (url: string, q: string, at: number) => fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}&time=${at}`).then((r) => r.json() as Promise<{ data: { result: unknown[] } }>);
    for (const url of [prom.url, fed.urls["local-a"]]) {
      await waitFor(`${url} holding the pushed histogram`, async () => ((await query(url, "nh_latency_seconds", Date.now() / 1000)).data.result.length === 1 ? true : undefined), 60_000);
    }
    const at = Date.now() / 1000;
    for (const q of ["nh_latency_seconds", "histogram_count(nh_latency_seconds)", "histogram_sum(nh_latency_seconds)", "nh_latency_seconds_count"]) {
      const [a, b] = await Promise.all([query(fed.urls["local-a"], q, at), query(prom.url, q, at)]);
      expect(sigDigits(a), q).toEqual(sigDigits(b));
    }
    expect(JSON.stringify(await query(fed.urls["local-a"], "nh_latency_seconds", at))).toContain('"histogram"');
  }, 180_000);
});
