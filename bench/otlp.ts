/**
 * Benchmark of the OTLP receiver's decoding and translation: what the OpenTelemetry JS
 * SDK exports for 2,000 counter series and 200 classic histograms (10 buckets), as
 * protobuf and as JSON. Run alone with `npx tsx bench/otlp.ts`.
 */

import { JsonMetricsSerializer, ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { decodeMetricsRequestJson } from "../src/otlp/otlp_json.js";
import { decodeMetricsRequest } from "../src/otlp/otlp_request.js";
import { translateMetrics } from "../src/otlp/translate.js";
import { type BenchResult, isMainModule } from "./chunkenc.js";
import { timePerCall } from "./remote.js";
import { printResults } from "./print_results.js";

class Collector extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function exported(): Promise<ResourceMetrics> {
  const reader = new Collector();
  const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": "bench", "service.instance.id": "i-1", "host.name": "h" }), readers: [reader] });
  const meter = provider.getMeter("bench");
  const counter = meter.createCounter("http.server.requests", { unit: "{request}" });
  for (let i = 0; i < 2000; i++) counter.add(i, { "http.route": `/r/${i % 100}`, "http.status_code": 200 + (i % 20) });
  const hist = meter.createHistogram("http.server.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] } });
  for (let i = 0; i < 200; i++) hist.record(i / 100, { "http.route": `/r/${i}` });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

export async function benchOtlp(): Promise<BenchResult[]> {
  const rm = await exported();
  const pb = ProtobufMetricsSerializer.serializeRequest(rm)!;
  const json = new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm)!);
  const opts = { lookbackDeltaMs: 300_000 };
  let samples = 0;
  const pbMs = timePerCall(() => {
    const tr = translateMetrics(decodeMetricsRequest(pb), opts);
    samples = tr.floats.length;
  });
  const jsonMs = timePerCall(() => {
    translateMetrics(decodeMetricsRequestJson(json), opts);
  });
  const decodeMs = timePerCall(() => {
    decodeMetricsRequest(pb);
  });
  return [
    { name: "otlp.protobuf_decode_translate", value: samples / (pbMs / 1000), unit: "samples/s" },
    { name: "otlp.json_decode_translate", value: samples / (jsonMs / 1000), unit: "samples/s" },
    { name: "otlp.json_time_vs_protobuf", value: jsonMs / pbMs, unit: "x" },
    { name: "otlp.decode_share_of_protobuf_time", value: decodeMs / pbMs, unit: "x" },
    { name: "otlp.protobuf_bytes_per_sample", value: pb.length / samples, unit: "B/sample" },
  ];
}

if (isMainModule(import.meta.url)) {
  void benchOtlp().then((rs) => {
    printResults(rs, 40, 12);
  });
}
