import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRoutes } from "../../src/api/query_routes.js";
import { otlpMetricsHandler } from "../../src/otlp/otlp_handler.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";

/** The real OpenTelemetry JS SDK exports (OTLP/HTTP protobuf) to the handler behind a
 * local HTTP server; what it wrote is read back through /api/v1/query with the names
 * and labels Prometheus 3 gives OTLP metrics. */
describe("OTLP from the OpenTelemetry JS SDK", () => {
  const storage = new MemoryStorage();
  const api = queryRoutes({ querier: () => storage.querier(), engine: new Engine() });
  let server: Server;
  let url = "";
  const requests: { status: number; type: string }[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const answer = await otlpMetricsHandler(new Request(`http://x${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }), storage, {
        maxBodyBytes: 1 << 20,
        lookbackDeltaMs: 300_000,
      });
      requests.push({ status: answer.status, type: headers.get("content-type") ?? "" });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/otlp/v1/metrics`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  async function query(q: string): Promise<{ metric: Record<string, string>; value?: [number, string]; histogram?: [number, { count: string; sum: string; buckets?: unknown[] }] }[]> {
    const res = await api.request(`/query?query=${encodeURIComponent(q)}&time=${Date.now() / 1000 + 1}`);
    const body = (await res.json()) as { status: string; data: { result: never[] } };
    expect(body.status).toBe("success");
    return body.data.result;
  }

  it("stores counters, gauges, histograms and exponential histograms under Prometheus 3's names", async () => {
    const exporter = new OTLPMetricExporter({ url });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ "service.name": "checkout", "service.namespace": "shop", "service.instance.id": "i-1", "deployment.environment": "test" }),
      readers: [reader],
      views: [{ instrumentName: "rpc.latency", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const meter = provider.getMeter("edgeprom-test", "1.2.3");
    meter.createCounter("http.requests", { unit: "{request}" }).add(3, { "http.route": "/a" });
    meter.createUpDownCounter("queue.items").add(-2);
    meter.createGauge("process.memory.usage", { unit: "By" }).record(1024);
    meter.createGauge("cpu.utilization", { unit: "1" }).record(0.25);
    const duration = meter.createHistogram("http.server.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 1, 10] } });
    for (const v of [0.05, 0.5, 5, 50]) duration.record(v);
    const latency = meter.createHistogram("rpc.latency", { unit: "ms" });
    for (const v of [1, 2, 4, 4]) latency.record(v);
    await provider.forceFlush();
    expect(requests).toEqual([{ status: 200, type: "application/x-protobuf" }]);

    const job = { job: "shop/checkout", instance: "i-1" };
    expect(await query("http_requests_total")).toEqual([{ metric: { __name__: "http_requests_total", http_route: "/a", ...job }, value: [expect.any(Number), "3"] }]);
    expect((await query("queue_items"))[0]!.value![1]).toBe("-2");
    expect((await query("process_memory_usage_bytes"))[0]!.value![1]).toBe("1024");
    expect((await query("cpu_utilization_ratio"))[0]!.value![1]).toBe("0.25");
    const buckets = await query("http_server_duration_seconds_bucket");
    expect(buckets.map((b) => [b.metric.le, b.value![1]])).toEqual([
      ["+Inf", "4"],
      ["0.1", "1"],
      ["1", "2"],
      ["10", "3"],
    ]);
    expect((await query("http_server_duration_seconds_count"))[0]!.value![1]).toBe("4");
    expect((await query("http_server_duration_seconds_sum"))[0]!.value![1]).toBe("55.55");
    const native = await query("rpc_latency_milliseconds");
    expect(native).toHaveLength(1);
    expect(native[0]!.metric).toEqual({ __name__: "rpc_latency_milliseconds", ...job });
    expect(native[0]!.histogram![1].count).toBe("4");
    expect(native[0]!.histogram![1].sum).toBe("11");
    // The SDK puts 1, 2 and 4 at their buckets' upper bounds, as Prometheus' buckets
    // have them: the native buckets are exactly (2^-1/64, 1], (2^(1-1/64), 2], ...
    expect(native[0]!.histogram![1].buckets).toEqual([
      [0, String(2 ** (-1 / 64)), "1", "1"],
      [0, String(2 ** (1 - 1 / 64)), "2", "1"],
      [0, String(2 ** (2 - 1 / 64)), "4", "2"],
    ]);
    expect((await query("histogram_quantile(0.25, rpc_latency_milliseconds)"))[0]!.value![1]).toBe("1");
    expect(await query("target_info")).toEqual([{ metric: { __name__: "target_info", deployment_environment: "test", ...job }, value: [expect.any(Number), "1"] }]);
    await provider.shutdown();
  });
});
