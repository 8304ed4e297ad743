import { describe, expect, it } from "vitest";
import { labelNameOf, metricNameOf } from "../../src/otlp/metric_name.js";

// Cases from the OpenTelemetry spec's Prometheus compatibility section and
// Prometheus' documented UnderscoreEscapingWithSuffixes names.
describe("OTLP metric names (UnderscoreEscapingWithSuffixes)", () => {
  it.each([
    ["http.server.duration", "s", "histogram", "http_server_duration_seconds"],
    ["http.server.request.duration", "s", "exponential_histogram", "http_server_request_duration_seconds"],
    ["requests.count", "1", "monotonic_counter", "requests_count_total"],
    ["memory.usage", "By", "gauge", "memory_usage_bytes"],
    ["cpu.utilization", "1", "gauge", "cpu_utilization_ratio"],
    ["cpu.utilization.ratio", "1", "gauge", "cpu_utilization_ratio"],
    ["queue.size", "1", "non_monotonic_counter", "queue_size"],
    ["network.io", "By/s", "gauge", "network_io_bytes_per_second"],
    ["speed", "m/s", "gauge", "speed_meters_per_second"],
    ["requests", "{request}", "monotonic_counter", "requests_total"],
    ["requests_total", "{request}", "monotonic_counter", "requests_total"],
    ["total.requests", "", "monotonic_counter", "requests_total"],
    ["latency_seconds", "s", "gauge", "latency_seconds"],
    ["disk__io", "KiBy", "gauge", "disk_io_kibibytes"],
    ["temperature", "Cel", "gauge", "temperature_celsius"],
    ["2xx.responses", "", "monotonic_counter", "_2xx_responses_total"],
    ["foo:bar", "", "gauge", "foo:bar"],
    ["élan", "%", "gauge", "lan_percent"],
    ["throughput", "requests/{s}", "gauge", "throughput_requests"],
    ["throughput", "foo/bar", "gauge", "throughput_foo_per_bar"],
    ["___", "", "gauge", ""],
  ] as const)("%s [%s] %s -> %s", (name, unit, type, want) => {
    expect(metricNameOf(name, unit, type)).toBe(want);
  });
});

describe("OTLP attribute keys as label names", () => {
  it.each([
    ["http.method", "http_method"],
    ["service.instance.id", "service_instance_id"],
    ["1st", "key_1st"],
    ["_private", "key_private"],
    ["__reserved", "__reserved"],
    ["a-b c", "a_b_c"],
    ["é", "key_"],
    ["", ""],
  ])("%s -> %s", (key, want) => {
    expect(labelNameOf(key)).toBe(want);
  });
});
