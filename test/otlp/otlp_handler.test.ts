import { describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { DEFAULT_LIMITS } from "../../src/model/limits.js";
import { labelsToRecord } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { otlpMetricsHandler } from "../../src/otlp/otlp_handler.js";
import { decodeMetricsRequestJson } from "../../src/otlp/otlp_json.js";
import { translateMetrics } from "../../src/otlp/translate.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";

const T = 1_700_000_000_000;
const ns = (ms: number) => `${ms}000000`;
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** An OTLP/JSON request as the spec's JSON mapping writes it. */
function request(metrics: unknown[], resource = [attr("service.name", "api"), attr("service.instance.id", "host:1")], scope: unknown = { name: "lib", version: "0.1" }) {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope, metrics }] }] };
}

function post(body: unknown, headers: Record<string, string> = { "content-type": "application/json" }, raw?: Uint8Array): Request {
  return new Request("http://x/api/v1/otlp/v1/metrics", { method: "POST", headers, body: raw ?? JSON.stringify(body) });
}

const opts = { maxBodyBytes: 1 << 20, lookbackDeltaMs: 300_000 };

async function stored(storage: MemoryStorage) {
  const out: { labels: Record<string, string>; t: number; v: number }[] = [];
  for await (const s of storage.querier().select([newMatcher("=~", "__name__", ".+")], { start: 0, end: Number.MAX_SAFE_INTEGER })) {
    for (let i = 0; i < s.ts.length; i++) out.push({ labels: labelsToRecord(s.labels), t: s.ts[i]!, v: s.vs[i]! });
  }
  return out;
}

describe("OTLP translation", () => {
  it("turns a classic histogram into cumulative buckets, _sum and _count, exemplars on their buckets", () => {
    const tr = translateMetrics(
      decodeMetricsRequestJson(
        JSON.stringify(
          request([
            {
              name: "http.server.duration",
              unit: "ms",
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    attributes: [attr("http.method", "GET")],
                    timeUnixNano: ns(T),
                    count: "6",
                    sum: 321.5,
                    bucketCounts: ["1", "2", "3"],
                    explicitBounds: [10, 100],
                    exemplars: [{ timeUnixNano: ns(T - 5), asDouble: 42, traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174", filteredAttributes: [attr("user", "u1")] }],
                  },
                ],
              },
            },
          ]),
        ),
      ),
      opts,
    );
    const series = tr.floats.map((f) => [labelsToRecord(f.labels), f.v]);
    const common = { job: "api", instance: "host:1", http_method: "GET" };
    expect(series).toEqual([
      [{ __name__: "http_server_duration_milliseconds_sum", ...common }, 321.5],
      [{ __name__: "http_server_duration_milliseconds_count", ...common }, 6],
      [{ __name__: "http_server_duration_milliseconds_bucket", le: "10", ...common }, 1],
      [{ __name__: "http_server_duration_milliseconds_bucket", le: "100", ...common }, 3],
      [{ __name__: "http_server_duration_milliseconds_bucket", le: "+Inf", ...common }, 6],
    ]);
    expect(tr.exemplars).toHaveLength(1);
    expect(labelsToRecord(tr.exemplars[0]!.labels).le).toBe("100");
    expect(tr.exemplars[0]!.e).toEqual({
      labels: [
        { name: "span_id", value: "eee19b7ec3c1b174" },
        { name: "trace_id", value: "5b8efff798038103d269b633813fc60c" },
        { name: "user", value: "u1" },
      ],
      t: T - 5,
      v: 42,
    });
  });

  it("writes summaries, joins colliding attribute keys with ';' and promotes scope metadata on request", () => {
    const body = JSON.stringify(
      request(
        [
          {
            name: "rpc.duration",
            unit: "s",
            summary: {
              dataPoints: [
                {
                  attributes: [attr("a.b", "2"), attr("a_b", "1")],
                  timeUnixNano: ns(T),
                  count: 10,
                  sum: 2.5,
                  quantileValues: [
                    { quantile: 0.5, value: 0.2 },
                    { quantile: 0.99, value: 1.5 },
                  ],
                },
              ],
            },
          },
        ],
        [attr("service.name", "api")],
        { name: "io.opentelemetry.grpc", version: "1.0", attributes: [attr("shard", "3")] },
      ),
    );
    const plain = translateMetrics(decodeMetricsRequestJson(body), opts);
    expect(plain.floats.map((f) => labelsToRecord(f.labels))).toEqual([
      { __name__: "rpc_duration_seconds_sum", a_b: "2;1", job: "api" },
      { __name__: "rpc_duration_seconds_count", a_b: "2;1", job: "api" },
      { __name__: "rpc_duration_seconds", quantile: "0.5", a_b: "2;1", job: "api" },
      { __name__: "rpc_duration_seconds", quantile: "0.99", a_b: "2;1", job: "api" },
    ]);
    const scoped = translateMetrics(decodeMetricsRequestJson(body), { ...opts, promoteScopeMetadata: true });
    expect(labelsToRecord(scoped.floats[0]!.labels)).toEqual({
      __name__: "rpc_duration_seconds_sum",
      a_b: "2;1",
      job: "api",
      otel_scope_name: "io.opentelemetry.grpc",
      otel_scope_version: "1.0",
      otel_scope_shard: "3",
    });
  });

  it("leaves out exemplar attributes that would take the labels past 128 characters, and scope labels of unnamed scopes", () => {
    const point = (user: string) => ({ timeUnixNano: ns(T), asDouble: 1, exemplars: [{ timeUnixNano: ns(T), asDouble: 1, traceId: "5b8efff798038103d269b633813fc60c", filteredAttributes: [attr("user", user)] }] });
    const tr = translateMetrics(decodeMetricsRequestJson(JSON.stringify(request([{ name: "g", gauge: { dataPoints: [point("é".repeat(84)), point("é".repeat(85))] } }], [], {}))), {
      ...opts,
      promoteScopeMetadata: true,
    });
    // trace_id and its 32 hex digits are 40 characters, "user" 4: 84 more fit, 85 do not.
    expect(tr.exemplars.map((x) => x.e.labels.map((l) => l.name))).toEqual([["trace_id", "user"], ["trace_id"]]);
    expect(labelsToRecord(tr.floats[0]!.labels)).toEqual({ __name__: "g" });
  });

  it("refuses delta sums and histograms as Prometheus does by default, and counts them", () => {
    const tr = translateMetrics(
      decodeMetricsRequestJson(
        JSON.stringify(
          request([
            { name: "d", sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T), asInt: "4" }, { timeUnixNano: ns(T + 1), asInt: "5" }] } },
            { name: "h", histogram: { aggregationTemporality: "AGGREGATION_TEMPORALITY_DELTA", dataPoints: [{ timeUnixNano: ns(T), count: 1 }] } },
            { name: "ok", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: ns(T), asInt: "7" }] } },
          ]),
        ),
      ),
      opts,
    );
    expect(tr.rejectedPoints).toBe(3);
    expect(tr.errors).toEqual(['invalid temporality and type combination for metric "d"', 'invalid temporality and type combination for metric "h"']);
    expect(tr.floats.map((f) => [labelsToRecord(f.labels).__name__, f.v])).toEqual([["ok_total", 7]]);
  });

  it("writes target_info from the earliest to the latest point of a resource, every half lookback", () => {
    const tr = translateMetrics(
      decodeMetricsRequestJson(
        JSON.stringify(
          request(
            [{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }, { timeUnixNano: ns(T + 400_000), asDouble: 2 }] } }],
            [attr("service.name", "api"), attr("service.namespace", "prod"), attr("host.name", "h1"), attr("k8s.pod.name", "p")],
          ),
        ),
      ),
      opts,
    );
    const info = tr.floats.filter((f) => labelsToRecord(f.labels).__name__ === "target_info");
    expect(info.map((f) => f.t)).toEqual([T, T + 150_000, T + 300_000, T + 400_000]);
    expect(labelsToRecord(info[0]!.labels)).toEqual({ __name__: "target_info", job: "prod/api", host_name: "h1", k8s_pod_name: "p" });
    const anonymous = translateMetrics(decodeMetricsRequestJson(JSON.stringify(request([{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } }], [attr("host.name", "h1")]))), opts);
    expect(anonymous.floats.map((f) => labelsToRecord(f.labels).__name__)).toEqual(["g"]);
  });

  it("converts exponential histograms to native ones, reducing scales above 8", () => {
    const tr = translateMetrics(
      decodeMetricsRequestJson(
        JSON.stringify(
          request([
            {
              name: "lat",
              unit: "s",
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  { timeUnixNano: ns(T), count: 5, sum: 10, scale: 9, zeroCount: 1, positive: { offset: 0, bucketCounts: [1, 1, 2] }, negative: { offset: -1, bucketCounts: [0] } },
                  { timeUnixNano: ns(T), count: 1, scale: -5, positive: { offset: 0, bucketCounts: [1] } },
                ],
              },
            },
          ]),
        ),
      ),
      opts,
    );
    expect(tr.histograms).toHaveLength(1);
    const h = tr.histograms[0]!.h;
    // OTLP indices 0,1,2 at scale 9 are Prometheus indices 1,2,3; at schema 8 they fall
    // in buckets 1, 1 and 2.
    expect([h.schema, h.count, h.sum, h.zeroCount, h.zeroThreshold]).toEqual([8, 5, 10, 1, 1e-128]);
    expect(h.positiveSpans).toEqual([{ offset: 1, length: 2 }]);
    expect(h.positiveBuckets).toEqual([2, 2]);
    expect(h.negativeBuckets).toEqual([]);
    expect(tr.rejectedPoints).toBe(1);
    expect(tr.errors[0]).toMatch(/scale must be >= -4, was -5/);
  });
});

describe("OTLP handler", () => {
  it("stores a gzip JSON request, writes stale markers for 'no recorded value' points and answers partial success", async () => {
    const storage = new MemoryStorage();
    const body = request([
      { name: "up.ish", gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }, { timeUnixNano: ns(T + 1000), flags: 1 }] } },
      { name: "d", sum: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } },
    ]);
    const res = await otlpMetricsHandler(post(undefined, { "content-type": "application/json", "content-encoding": "gzip" }, gzipSync(JSON.stringify(body))), storage, opts);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedDataPoints: "1", errorMessage: 'invalid temporality and type combination for metric "d"' } });
    const s = await stored(storage);
    expect(s.map((x) => [x.labels.__name__, x.t])).toEqual([["up_ish", T], ["up_ish", T + 1000]]);
    expect(s[0]!.v).toBe(1);
    expect(isStaleNaN(s[1]!.v)).toBe(true);
  });

  it("answers 415 for other media types and encodings, as Prometheus does", async () => {
    const storage = new MemoryStorage();
    const r1 = await otlpMetricsHandler(post({}, { "content-type": "text/plain" }), storage, opts);
    expect([r1.status, await r1.text()]).toEqual([415, "unsupported content type: text/plain, supported: [application/json, application/x-protobuf]\n"]);
    const r2 = await otlpMetricsHandler(post({}, { "content-type": "application/json", "content-encoding": "br" }), storage, opts);
    expect([r2.status, await r2.text()]).toEqual([415, 'unsupported compression: br. Only "gzip" or no compression supported\n']);
  });

  it("answers 400 with a message for bodies that do not decode, writing nothing", async () => {
    const storage = new MemoryStorage();
    const bad = [
      post(undefined, { "content-type": "application/json" }, new TextEncoder().encode("{")),
      post({ resourceMetrics: {} }),
      post(undefined, { "content-type": "application/x-protobuf" }, new Uint8Array([0x0a, 0x05, 0x01])),
      post(undefined, { "content-type": "application/json", "content-encoding": "gzip" }, new Uint8Array([1, 2, 3])),
    ];
    for (const req of bad) {
      const res = await otlpMetricsHandler(req, storage, opts);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^cannot (decode OTLP metrics request|read gzip body): .+\n$/);
    }
    expect((await storage.stats()).series).toBe(0);
  });

  it("refuses a request with a series beyond the label limits whole", async () => {
    const storage = new MemoryStorage();
    const wide = Array.from({ length: 10 }, (_, i) => attr(`l${i}`, "v"));
    const body = request([{ name: "fine", gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } }, { name: "wide", gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1, attributes: wide }] } }]);
    const res = await otlpMetricsHandler(post(body), storage, { ...opts, limits: { ...DEFAULT_LIMITS, labelsPerSeries: 8 } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^request rejected, nothing was written: series wide\{.*\} has 13 labels, more than the limit of 8\n$/);
    expect((await storage.stats()).series).toBe(0);
  });
});
