import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import type { DtoFamily, DtoMetric } from "../../src/textparse/dto.js";
import { DELIMITED_PROTOBUF_TYPE, decodeDelimitedFamilies, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";
import { sigDigits } from "./support/significant.js";

/** Scrapes after which the exposition stops changing, so both scrapers settle on the
 * same histograms. */
const CHANGING_SCRAPES = 5;

/** A client_golang-style native histogram (integer counts, both sides, a zero
 * bucket) that grows with every scrape until CHANGING_SCRAPES. */
function histogram(path: string, k: number, f: number): DtoMetric {
  const n = k * f;
  return {
    labels: [{ name: "path", value: path }],
    kind: "histogram",
    value: 0,
    sampleCount: 8 * n,
    sampleSum: 3.5 * n,
    quantiles: [],
    buckets: [],
    timestampMs: undefined,
    native: {
      schema: 1,
      zeroThreshold: 0.001,
      zeroCount: n,
      positiveSpans: [
        { offset: -1, length: 2 },
        { offset: 2, length: 1 },
      ],
      positiveCounts: [n, 2 * n, 3 * n],
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeCounts: [n],
      integer: true,
      exemplars: [],
    },
  };
}

function exposition(scrape: number): Uint8Array {
  const k = Math.min(scrape, CHANGING_SCRAPES);
  const families: DtoFamily[] = [
    { name: "demo_latency_seconds", help: "Request latency.", type: "HISTOGRAM", metrics: [histogram("/a", k, 1), histogram("/b", k, 3)] },
    { name: "demo_up", help: "", type: "GAUGE", metrics: [{ labels: [], kind: "gauge", value: 1, sampleCount: 0, sampleSum: 0, quantiles: [], buckets: [], timestampMs: undefined }] },
  ];
  return encodeDelimitedFamilies(families);
}

const QUERIES = [
  "demo_latency_seconds",
  "histogram_count(demo_latency_seconds)",
  "histogram_sum(demo_latency_seconds)",
  // Ranks that end a bucket (1/8, 2/8, 3/8 of the observations), below the median:
  // Prometheus 3 interpolates inside exponential buckets where 2.42 did linearly,
  // and reads upper quantiles from the top, so only these are comparable with 2.42.
  "histogram_quantile(0.125, demo_latency_seconds)",
  "histogram_quantile(0.25, demo_latency_seconds)",
  "histogram_quantile(0.375, demo_latency_seconds)",
];

describe("native histograms next to Prometheus 2.42 (--enable-feature=native-histograms)", () => {
  let fed: Federation;
  let target: Server;
  let prom: Peer | undefined;
  let receiver: Peer | undefined;
  // Each scraper reads its own path so both see the same sequence of pages.
  const scrapes: Record<string, number> = { "/prom": 0, "/edge": 0 };
  const accepts: Record<string, string> = {};

  beforeAll(async () => {
    fed = await startTestFederation();
    target = createServer((req, res) => {
      const path = req.url ?? "";
      if (!(path in scrapes)) {
        res.writeHead(404).end();
        return;
      }
      accepts[path] = req.headers.accept ?? "";
      const n = ++scrapes[path]!;
      res.writeHead(200, { "content-type": DELIMITED_PROTOBUF_TYPE });
      res.end(exposition(n));
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    await prom?.stop();
    await receiver?.stop();
    await new Promise((r) => target?.close(r));
    await fed?.stop();
  });

  it("a region scraping the protobuf exposition and one fed by Prometheus' remote write answer as Prometheus does", async () => {
    const port = (target.address() as AddressInfo).port;
    const job = (path: string, extra: string) =>
      [`  - job_name: demo`, `    metrics_path: ${path}`, extra, `    static_configs: [{targets: ["127.0.0.1:${port}"]}]`].filter((l) => l !== "").join("\n");
    // Region local-a scrapes the target itself and ships what it scraped on to a
    // second Prometheus 2.42, a remote-write receiver.
    receiver = await startPrometheus("global: {}\n", ["--web.enable-remote-write-receiver", "--enable-feature=native-histograms"]);
    await fed.putConfig(
      "regions/local-a/prometheus.yml",
      [
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        job("/edge", "    scrape_native_histograms: true"),
        "remote_write:",
        `  - url: ${receiver.url}/api/v1/write`,
        "    send_native_histograms: true",
        "    queue_config: {batch_send_deadline: 500ms}",
        "",
      ].join("\n"),
    );
    expect((await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" })).status).toBe(200);
    await fed.putConfig("regions/local-b/prometheus.yml", "global: {}\n");
    expect((await fetch(`${fed.urls["local-b"]}/-/reload`, { method: "POST" })).status).toBe(200);
    // The global tier federates local-b natively: /federate answers it in protobuf.
    await fed.putConfig(
      "regions/global/prometheus.yml",
      [
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        "  - job_name: federate",
        "    honor_labels: true",
        "    scrape_native_histograms: true",
        "    metrics_path: /federate",
        "    params: {'match[]': ['{__name__=\"demo_latency_seconds\"}']}",
        '    static_configs: [{targets: ["local-b.edgeprom.internal"]}]',
        "",
      ].join("\n"),
    );
    expect((await fetch(`${fed.urls.global}/-/reload`, { method: "POST" })).status).toBe(200);
    prom = await startPrometheus(
      [
        "global: {scrape_interval: 1s, scrape_timeout: 900ms}",
        "scrape_configs:",
        job("/prom", ""),
        "remote_write:",
        `  - url: ${fed.urls["local-b"]}/api/v1/write`,
        "    send_native_histograms: true",
        "    queue_config: {batch_send_deadline: 500ms}",
        "",
      ].join("\n"),
      ["--enable-feature=native-histograms"],
    );
    const settled = (url: string, path: string) =>
      waitFor(
        `${path} scraped past its changing pages`,
        async () => {
          // Two steady scrapes after the last change: the last changing page then lies
          // more than a second before `at` below, for every scraper's own offset.
          if (scrapes[path]! <= CHANGING_SCRAPES + 2) return undefined;
          const body = await instant(url, "histogram_count(demo_latency_seconds)", Date.now() / 1000);
          const counts = body.data?.result.map((r) => (r as { value: [number, string] }).value[1]).sort();
          return JSON.stringify(counts) === JSON.stringify([String(8 * CHANGING_SCRAPES), String(24 * CHANGING_SCRAPES)].sort()) ? true : undefined;
        },
        90_000,
      ).catch(async (e: Error) => {
        const targets = await fetch(`${url}/api/v1/targets`).then((r) => r.text());
        const now = await instant(url, "demo_latency_seconds", Date.now() / 1000);
        throw new Error(`${e.message}; scrapes ${JSON.stringify(scrapes)}; targets ${targets.slice(0, 1500)}; now ${JSON.stringify(now).slice(0, 1500)}`);
      });
    await Promise.all([settled(prom.url, "/prom"), settled(fed.urls["local-a"], "/edge"), settled(fed.urls["local-b"], "/prom"), settled(fed.urls.global, "/prom")]);
    // Both ask for protobuf first.
    expect(accepts["/prom"]).toMatch(/^application\/vnd\.google\.protobuf;proto=io\.prometheus\.client\.MetricFamily;encoding=delimited/);
    expect(accepts["/edge"]).toMatch(/^application\/vnd\.google\.protobuf;proto=io\.prometheus\.client\.MetricFamily;encoding=delimited;q=0\.6,/);

    const at = Math.floor(Date.now() / 1000) - 1;
    for (const q of QUERIES) {
      const theirs = await instant(prom.url, q, at);
      expect(theirs.status, q).toBe("success");
      expect(theirs.data!.result.length, q).toBe(2);
      // The scraping region and the remote-written one, at the same evaluation time.
      expect(sigDigits(await instant(fed.urls["local-a"], q, at)), q).toEqual(sigDigits(theirs));
      expect(sigDigits(await instant(fed.urls["local-b"], q, at)), q).toEqual(sigDigits(theirs));
      // And through hierarchical federation, on the global tier.
      expect(sigDigits(await instant(fed.urls.global, q, at)), q).toEqual(sigDigits(theirs));
    }
    // Sample for sample over the whole run: the remote-written region holds
    // Prometheus' own timestamps and histograms.
    const range = `query=${encodeURIComponent("demo_latency_seconds")}&start=${at - 60}&end=${at}&step=1`;
    const [rawOurs, rawTheirs] = await Promise.all([
      fetch(`${fed.urls["local-b"]}/api/v1/query_range?${range}`).then((r) => r.json()),
      fetch(`${prom.url}/api/v1/query_range?${range}`).then((r) => r.json()),
    ]);
    expect(sigDigits(rawOurs)).toEqual(sigDigits(rawTheirs));
    expect(JSON.stringify(rawTheirs)).toContain('"histograms"');

    // /federate: native histograms only in protobuf, as Prometheus answers; the text
    // format leaves them out. The newest sample's timestamp depends on how far the
    // remote-write queue got, so timestamps are compared for presence only.
    const federate = "/federate?match[]=demo_latency_seconds";
    // As a Prometheus 3 scrape asks, OpenMetrics among the fallbacks.
    const proto = { accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3" };
    const [pbOurs, pbTheirs] = await Promise.all([fetch(fed.urls["local-b"] + federate, { headers: proto }), fetch(prom.url + federate, { headers: proto })]);
    expect(pbOurs.headers.get("content-type")).toBe(pbTheirs.headers.get("content-type"));
    const decoded = async (r: Response) =>
      decodeDelimitedFamilies(new Uint8Array(await r.arrayBuffer())).map((f) => ({
        ...f,
        metrics: f.metrics.map((m) => ({ ...m, timestampMs: typeof m.timestampMs })),
      }));
    const theirFamilies = await decoded(pbTheirs);
    expect(theirFamilies[0]!.metrics[0]!.native).toBeDefined();
    expect(await decoded(pbOurs)).toEqual(theirFamilies);
    const [textOurs, textTheirs] = await Promise.all([fetch(fed.urls["local-b"] + federate).then((r) => r.text()), fetch(prom.url + federate).then((r) => r.text())]);
    expect(textOurs).toBe(textTheirs);

    // What local-a scraped reached the receiver as the same native histograms.
    const scraped = await fetch(`${fed.urls["local-a"]}/api/v1/query_range?${range}`).then((r) => r.json());
    let shipped: unknown;
    // The queue ships within its batch_send_deadline; wait for the last batch.
    await waitFor(
      "local-a's histograms at the receiver",
      async () => {
        shipped = await fetch(`${receiver!.url}/api/v1/query_range?${range}`).then((r) => r.json());
        return JSON.stringify(sigDigits(shipped)) === JSON.stringify(sigDigits(scraped)) ? true : undefined;
      },
      30_000,
    ).catch(() => undefined);
    expect(sigDigits(shipped)).toEqual(sigDigits(scraped));
    expect(JSON.stringify(scraped)).toContain('"histograms"');
  }, 240_000);
});

interface QueryAnswer {
  status: string;
  data?: { resultType: string; result: unknown[] };
}

async function instant(url: string, q: string, time: number): Promise<QueryAnswer> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`);
  return (await res.json()) as QueryAnswer;
}
