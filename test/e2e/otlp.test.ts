import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeV2Body, V2_HEADERS } from "../remote/support/rw2_encoder.js";
import { startTestFederation } from "./support/federation.js";

type Fed = Awaited<ReturnType<typeof startTestFederation>>;
let fed: Fed;

beforeAll(async () => {
  fed = await startTestFederation();
});

afterAll(async () => {
  await fed?.stop();
});

interface Result {
  metric: Record<string, string>;
  value?: [number, string];
  histogram?: [number, { count: string; sum: string }];
}

async function query(base: string, q: string): Promise<Result[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: Result[] } };
  expect(body.status, q).toBe("success");
  return body.data.result;
}

/** The real OpenTelemetry JS SDK pushes OTLP/HTTP protobuf into region local-a of the
 * local federation, and a remote write 2.0 sender into the global tier; both read back
 * through /api/v1/query with the names and labels Prometheus 3 gives them. */
describe("pushing OTLP and remote write 2.0 into the federation", () => {
  it("stores what the OpenTelemetry SDK exports to a region", async () => {
    const exporter = new OTLPMetricExporter({ url: `${fed.urls["local-a"]}/api/v1/otlp/v1/metrics` });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "cart", "service.instance.id": "pod-7", "cloud.region": "eu" }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
      views: [{ instrumentName: "queue.wait", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const meter = provider.getMeter("shop");
    meter.createCounter("orders.placed", { unit: "{order}" }).add(5, { "payment.method": "card" });
    meter.createGauge("pool.utilization", { unit: "1" }).record(0.5);
    const h = meter.createHistogram("checkout.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.5, 2] } });
    h.record(0.1);
    h.record(1);
    const wait = meter.createHistogram("queue.wait", { unit: "ms" });
    for (const v of [3, 5, 8]) wait.record(v);
    await provider.forceFlush();
    await provider.shutdown();

    const job = { job: "cart", instance: "pod-7" };
    const base = fed.urls["local-a"];
    expect(await query(base, "orders_placed_total")).toEqual([{ metric: { __name__: "orders_placed_total", payment_method: "card", ...job }, value: [expect.any(Number), "5"] }]);
    expect((await query(base, "pool_utilization_ratio"))[0]!.value![1]).toBe("0.5");
    expect((await query(base, 'checkout_duration_seconds_bucket{le="2"}'))[0]!.value![1]).toBe("2");
    expect((await query(base, "checkout_duration_seconds_count"))[0]!.value![1]).toBe("2");
    const native = await query(base, "queue_wait_milliseconds");
    expect(native.map((r) => [r.metric, r.histogram![1].count, r.histogram![1].sum])).toEqual([[{ __name__: "queue_wait_milliseconds", ...job }, "3", "16"]]);
    expect((await query(base, "target_info"))[0]!.metric).toEqual({ __name__: "target_info", cloud_region: "eu", ...job });
    // The other tiers hold nothing of it: the push went to one region.
    expect(await query(fed.urls["local-b"], "orders_placed_total")).toEqual([]);
  });

  it("takes OTLP/JSON and remote write 2.0 on the global tier", async () => {
    const now = Date.now();
    const otlp = await fetch(`${fed.urls.global}/api/v1/otlp/v1/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "batch" } }] },
            scopeMetrics: [{ metrics: [{ name: "jobs.done", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: `${now}000000`, asInt: "42" }] } }] }],
          },
        ],
      }),
    });
    expect([otlp.status, await otlp.json()]).toEqual([200, {}]);
    expect((await query(fed.urls.global, 'jobs_done_total{job="batch"}'))[0]!.value![1]).toBe("42");

    const rw = await fetch(`${fed.urls.global}/api/v1/write`, {
      method: "POST",
      headers: V2_HEADERS,
      body: encodeV2Body([
        { labels: [["__name__", "rw2_up"], ["job", "agent"]], samples: [{ t: now, v: 1 }] },
        {
          labels: [["__name__", "rw2_latency_seconds"], ["job", "agent"]],
          histograms: [{ t: now, schema: 1, sum: 4, positiveSpans: [{ offset: 0, length: 2 }], int: { count: 3, zeroCount: 0, positiveDeltas: [1, 1], negativeDeltas: [] } }],
        },
      ]),
    });
    expect(rw.status).toBe(204);
    expect([rw.headers.get("x-prometheus-remote-write-samples-written"), rw.headers.get("x-prometheus-remote-write-histograms-written")]).toEqual(["1", "1"]);
    expect((await query(fed.urls.global, "rw2_up"))[0]!.value![1]).toBe("1");
    expect((await query(fed.urls.global, "histogram_count(rw2_latency_seconds)"))[0]!.value![1]).toBe("3");
  });
});
