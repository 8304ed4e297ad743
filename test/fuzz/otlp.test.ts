import { JsonMetricsSerializer, ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { otlpMetricsHandler } from "../../src/otlp/otlp_handler.js";
import { decodeMetricsRequestJson } from "../../src/otlp/otlp_json.js";
import { decodeMetricsRequest, OtlpDecodeError } from "../../src/otlp/otlp_request.js";
import { translateMetrics } from "../../src/otlp/translate.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { apply, damage } from "./damage.js";
import { fuzz, fuzzAsync, fuzzTimeout } from "./fuzz_options.js";

/** Fuzzing the OTLP receiver with what the real OpenTelemetry JS SDK sends (random
 * instruments, names, units, attributes and values, serialised by the SDK's own
 * protobuf and JSON serialisers) and with damaged copies of it: the two decoders agree
 * on every request, bad bodies get only OtlpDecodeError (a 400 with a message), and a
 * refused request leaves storage as it was. */

function fail(msg: string): never {
  throw new Error(msg);
}

class Collector extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

type Op = { kind: "counter" | "updown" | "gauge" | "histogram" | "exponential"; name: string; unit: string; value: number; attrs: Record<string, string | number | boolean> };

const name = fc.oneof(fc.constantFrom("http.requests", "a", "total", "x.ratio", "2xx", "é", "a__b", "_"), fc.string({ minLength: 1, maxLength: 8 }));
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("counter", "updown", "gauge", "histogram", "exponential"),
  name,
  unit: fc.oneof(fc.constantFrom("", "1", "s", "ms", "By", "By/s", "{req}", "%", "m/s", "/"), fc.string({ maxLength: 4 })),
  value: fc.double({ min: 0, max: 1e12, noNaN: true }),
  attrs: fc.dictionary(fc.oneof(fc.constantFrom("service.name", "a.b", "a_b", "1x", "_y"), fc.string({ maxLength: 5 })), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
});

async function collect(ops: readonly Op[], resource: Record<string, string>): Promise<ResourceMetrics> {
  const reader = new Collector();
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resource),
    readers: [reader],
    views: [{ instrumentName: "*exp*", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter("fuzz", "1.0");
  for (const o of ops) {
    const opts = { unit: o.unit };
    // The SDK refuses some names itself; those never reach the wire.
    if (o.kind === "counter") meter.createCounter(o.name, opts).add(o.value, o.attrs);
    else if (o.kind === "updown") meter.createUpDownCounter(o.name, opts).add(-o.value, o.attrs);
    else if (o.kind === "gauge") meter.createGauge(o.name, opts).record(o.value, o.attrs);
    else if (o.kind === "histogram") meter.createHistogram(o.name, opts).record(o.value, o.attrs);
    else meter.createHistogram(`exp${o.name}`, opts).record(o.value, o.attrs);
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

const resource = fc.record({ "service.name": fc.constantFrom("api", "db"), "host.name": fc.constantFrom("h1", "") }, { requiredKeys: ["service.name"] });
const TRANSLATE = { lookbackDeltaMs: 300_000 };

async function snapshot(st: MemoryStorage): Promise<string> {
  const s = await st.stats();
  return JSON.stringify([s.series, s.headSamples, s.samplesAppended]);
}

describe("fuzzing the OTLP receiver", () => {
  it(
    "the protobuf and JSON decoders read the SDK's requests alike",
    async () => {
      await fuzzAsync(
        fc.asyncProperty(fc.array(op, { maxLength: 6 }), resource, async (ops, res) => {
          const rm = await collect(ops, res);
          const pb = ProtobufMetricsSerializer.serializeRequest(rm) ?? fail("no protobuf body");
          const js = JsonMetricsSerializer.serializeRequest(rm) ?? fail("no JSON body");
          const a = translateMetrics(decodeMetricsRequest(pb), TRANSLATE);
          const b = translateMetrics(decodeMetricsRequestJson(new TextDecoder().decode(js)), TRANSLATE);
          expect(b).toEqual(a);
          for (const f of a.floats) if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(f.labels.find((l) => l.name === "__name__")!.value)) fail(`invalid name in ${JSON.stringify(f.labels)}`);
        }),
        20,
      );
    },
    fuzzTimeout(),
  );

  it("random and damaged protobuf bodies throw only OtlpDecodeError with a message", () => {
    const body = ProtobufMetricsSerializer.serializeRequest({
      resource: resourceFromAttributes({ "service.name": "x" }),
      scopeMetrics: [],
    } as unknown as ResourceMetrics)!;
    fuzz(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.array(damage, { minLength: 1, maxLength: 3 }).map((d) => apply(body, d))), (b) => {
        try {
          translateMetrics(decodeMetricsRequest(b), TRANSLATE);
        } catch (e) {
          if (!(e instanceof OtlpDecodeError)) throw e;
          if (e.message === "") fail("empty OtlpDecodeError");
        }
      }),
    );
  });

  it("random JSON throws only OtlpDecodeError", () => {
    const anyJson = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string({ maxLength: 4 }),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom("resourceMetrics", "scopeMetrics", "metrics", "name", "unit", "gauge", "sum", "histogram", "exponentialHistogram", "summary", "dataPoints", "asInt", "asDouble", "timeUnixNano", "attributes", "key", "value", "stringValue", "intValue", "kvlistValue", "arrayValue", "values", "bytesValue", "positive", "bucketCounts", "exemplars", "traceId", "flags", "scale", "aggregationTemporality"),
          tie("v"),
          { maxKeys: 4 },
        ),
      ),
    })).v;
    fuzz(
      fc.property(fc.oneof(anyJson.map((v) => JSON.stringify(v)), fc.string({ maxLength: 40 })), (text) => {
        try {
          translateMetrics(decodeMetricsRequestJson(text), TRANSLATE);
        } catch (e) {
          if (!(e instanceof OtlpDecodeError)) throw e;
        }
      }),
    );
  });

  it(
    "the handler answers 200 (all translated points stored) or a 4xx with a message that changed nothing",
    async () => {
      await fuzzAsync(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 4 }), resource, fc.array(damage, { maxLength: 2 }), fc.boolean(), async (ops, res, ds, json) => {
          const rm = await collect(ops, res);
          const clean = json ? JsonMetricsSerializer.serializeRequest(rm)! : ProtobufMetricsSerializer.serializeRequest(rm)!;
          const body = apply(clean, ds);
          const st = new MemoryStorage();
          const before = await snapshot(st);
          const answer = await otlpMetricsHandler(
            new Request("http://x/api/v1/otlp/v1/metrics", { method: "POST", body, headers: { "content-type": json ? "application/json" : "application/x-protobuf" } }),
            st,
            { maxBodyBytes: 1 << 20, ...TRANSLATE },
          );
          const text = await answer.text();
          const translated = () => {
            const tr = translateMetrics(json ? decodeMetricsRequestJson(new TextDecoder().decode(body)) : decodeMetricsRequest(body), TRANSLATE);
            return tr.floats.length + tr.histograms.length;
          };
          const stored = (await st.stats()).samplesAppended;
          if (answer.status === 200) {
            if (stored > translated()) fail(`stored ${stored} of ${translated()}`);
            return;
          }
          if (answer.status !== 400) fail(`answered ${answer.status}: ${text}`);
          if (text.trim() === "") fail("400 without a message");
          // Refused in part by storage (two instruments named alike write the same
          // series twice at one time): the rest is stored, the rejected are not.
          const rejected = /^(\d+) samples rejected: /.exec(text);
          if (rejected !== null) {
            if (stored + Number(rejected[1]) > translated()) fail(`${translated()} translated, ${stored} stored, ${rejected[1]} rejected`);
            return;
          }
          if ((await snapshot(st)) !== before) fail(`a 400 (${text.trim()}) changed storage`);
        }),
        20,
      );
    },
    fuzzTimeout(),
  );
});
