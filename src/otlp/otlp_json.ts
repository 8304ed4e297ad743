/**
 * OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions: trace and span ids in
 * hex, enums as integers) into the same MetricsRequest the protobuf decoder builds.
 * Field names are accepted in lowerCamelCase and in the proto's snake_case, 64-bit
 * integers as strings or numbers, as protojson accepts them.
 */

import {
  anyValueString,
  OtlpDecodeError,
  Temporality,
  type AnyValue,
  type Attribute,
  type ExponentialBuckets,
  type ExponentialHistogramPoint,
  type HistogramPoint,
  type MetricData,
  type MetricsRequest,
  type NumberPoint,
  type OtlpExemplar,
  type OtlpMetric,
  type SummaryPoint,
} from "./otlp_request.js";

type Obj = Record<string, unknown>;

const MAX_DEPTH = 32;
const NS_PER_MS = 1_000_000n;

export function decodeMetricsRequestJson(text: string): MetricsRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON: ${(e as Error).message}`);
  }
  const root = obj(doc, "request");
  return {
    resourceMetrics: list(root, "resourceMetrics", "resource_metrics").map((rm) => {
      const o = obj(rm, "resourceMetrics");
      const res = field(o, "resource");
      return {
        resource: res === undefined ? [] : attributes(obj(res, "resource"), "attributes"),
        scopeMetrics: list(o, "scopeMetrics", "scope_metrics").map((sm) => {
          const s = obj(sm, "scopeMetrics");
          const sc = field(s, "scope");
          const scope = sc === undefined ? {} : obj(sc, "scope");
          return {
            scope: {
              name: str(scope, "name"),
              version: str(scope, "version"),
              schemaUrl: str(s, "schemaUrl", "schema_url"),
              attributes: attributes(scope, "attributes"),
            },
            metrics: list(s, "metrics").map((m) => metric(obj(m, "metric"))),
          };
        }),
      };
    }),
  };
}

function metric(o: Obj): OtlpMetric {
  return { name: str(o, "name"), description: str(o, "description"), unit: str(o, "unit"), data: data(o) };
}

function data(o: Obj): MetricData {
  const g = field(o, "gauge");
  if (g !== undefined) return { kind: "gauge", points: list(obj(g, "gauge"), "dataPoints", "data_points").map(numberPoint) };
  const s = field(o, "sum");
  if (s !== undefined) {
    const so = obj(s, "sum");
    return { kind: "sum", temporality: temporality(so), monotonic: bool(so, "isMonotonic", "is_monotonic"), points: list(so, "dataPoints", "data_points").map(numberPoint) };
  }
  const h = field(o, "histogram");
  if (h !== undefined) {
    const ho = obj(h, "histogram");
    return { kind: "histogram", temporality: temporality(ho), points: list(ho, "dataPoints", "data_points").map(histogramPoint) };
  }
  const e = field(o, "exponentialHistogram", "exponential_histogram");
  if (e !== undefined) {
    const eo = obj(e, "exponentialHistogram");
    return { kind: "exponential_histogram", temporality: temporality(eo), points: list(eo, "dataPoints", "data_points").map(exponentialPoint) };
  }
  const q = field(o, "summary");
  if (q !== undefined) return { kind: "summary", points: list(obj(q, "summary"), "dataPoints", "data_points").map(summaryPoint) };
  return { kind: "none" };
}

const TEMPORALITY_NAMES: Record<string, Temporality> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: Temporality.Unspecified,
  AGGREGATION_TEMPORALITY_DELTA: Temporality.Delta,
  AGGREGATION_TEMPORALITY_CUMULATIVE: Temporality.Cumulative,
};

function temporality(o: Obj): Temporality {
  const v = field(o, "aggregationTemporality", "aggregation_temporality");
  if (v === undefined || v === null) return Temporality.Unspecified;
  if (typeof v === "string" && v in TEMPORALITY_NAMES) return TEMPORALITY_NAMES[v]!;
  return int(v, "aggregationTemporality");
}

function common(o: Obj) {
  return {
    attributes: attributes(o, "attributes"),
    start: millis(field(o, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano"),
    t: millis(field(o, "timeUnixNano", "time_unix_nano"), "timeUnixNano"),
    flags: int(field(o, "flags") ?? 0, "flags"),
    exemplars: list(o, "exemplars").map((e) => exemplar(obj(e, "exemplar"))),
  };
}

function numberValue(o: Obj): number {
  const d = field(o, "asDouble", "as_double");
  if (d !== undefined) return double(d, "asDouble");
  const i = field(o, "asInt", "as_int");
  return i === undefined ? 0 : Number(bigint(i, "asInt"));
}

function numberPoint(v: unknown): NumberPoint {
  const o = obj(v, "dataPoint");
  return { ...common(o), value: numberValue(o) };
}

function histogramPoint(v: unknown): HistogramPoint {
  const o = obj(v, "dataPoint");
  return {
    ...common(o),
    ...countAndSum(o),
    bucketCounts: list(o, "bucketCounts", "bucket_counts").map((x) => Number(bigint(x, "bucketCounts"))),
    explicitBounds: list(o, "explicitBounds", "explicit_bounds").map((x) => double(x, "explicitBounds")),
  };
}

/** A histogram point's count and its optional sum. */
function countAndSum(o: Obj): { count: number; sum: number | undefined } {
  const sum = field(o, "sum");
  return { count: Number(bigint(field(o, "count") ?? 0, "count")), sum: sum === undefined || sum === null ? undefined : double(sum, "sum") };
}

function buckets(v: unknown): ExponentialBuckets {
  if (v === undefined || v === null) return { offset: 0, counts: [] };
  const o = obj(v, "buckets");
  return { offset: int(field(o, "offset") ?? 0, "offset"), counts: list(o, "bucketCounts", "bucket_counts").map((x) => Number(bigint(x, "bucketCounts"))) };
}

function exponentialPoint(v: unknown): ExponentialHistogramPoint {
  const o = obj(v, "dataPoint");
  return {
    ...common(o),
    ...countAndSum(o),
    scale: int(field(o, "scale") ?? 0, "scale"),
    zeroCount: Number(bigint(field(o, "zeroCount", "zero_count") ?? 0, "zeroCount")),
    zeroThreshold: double(field(o, "zeroThreshold", "zero_threshold") ?? 0, "zeroThreshold"),
    positive: buckets(field(o, "positive")),
    negative: buckets(field(o, "negative")),
  };
}

function summaryPoint(v: unknown): SummaryPoint {
  const o = obj(v, "dataPoint");
  return {
    ...common(o),
    count: Number(bigint(field(o, "count") ?? 0, "count")),
    sum: double(field(o, "sum") ?? 0, "sum"),
    quantiles: list(o, "quantileValues", "quantile_values").map((q) => {
      const qo = obj(q, "quantileValue");
      return { quantile: double(field(qo, "quantile") ?? 0, "quantile"), value: double(field(qo, "value") ?? 0, "value") };
    }),
  };
}

function exemplar(o: Obj): OtlpExemplar {
  return {
    attributes: attributes(o, "filteredAttributes", "filtered_attributes"),
    t: millis(field(o, "timeUnixNano", "time_unix_nano"), "timeUnixNano"),
    value: numberValue(o),
    traceId: hexId(field(o, "traceId", "trace_id"), "traceId"),
    spanId: hexId(field(o, "spanId", "span_id"), "spanId"),
  };
}

function attributes(o: Obj, ...names: string[]): Attribute[] {
  return list(o, ...names).map((kv) => {
    const k = obj(kv, "attribute");
    const v = field(k, "value");
    return { key: str(k, "key"), value: v === undefined || v === null ? "" : anyValueString(anyValue(v, 0)) };
  });
}

function anyValue(v: unknown, depth: number): AnyValue {
  if (depth > MAX_DEPTH) throw new OtlpDecodeError("attribute values nested too deeply");
  const o = obj(v, "value");
  let x = field(o, "stringValue", "string_value");
  if (x !== undefined) return str(o, "stringValue", "string_value");
  x = field(o, "boolValue", "bool_value");
  if (x !== undefined) return bool(o, "boolValue", "bool_value");
  x = field(o, "intValue", "int_value");
  if (x !== undefined) return bigint(x, "intValue");
  x = field(o, "doubleValue", "double_value");
  if (x !== undefined) return double(x, "doubleValue");
  x = field(o, "arrayValue", "array_value");
  if (x !== undefined) return list(obj(x, "arrayValue"), "values").map((e) => anyValue(e, depth + 1));
  x = field(o, "kvlistValue", "kvlist_value");
  if (x !== undefined) {
    return { kv: list(obj(x, "kvlistValue"), "values").map((e) => {
      const k = obj(e, "keyValue");
      const val = field(k, "value");
      return [str(k, "key"), val === undefined || val === null ? null : anyValue(val, depth + 1)] as [string, AnyValue];
    }) };
  }
  x = field(o, "bytesValue", "bytes_value");
  if (x !== undefined) {
    if (typeof x !== "string") throw new OtlpDecodeError("bytesValue: expected a base64 string");
    try {
      return Uint8Array.from(atob(x), (c) => c.charCodeAt(0));
    } catch {
      throw new OtlpDecodeError("bytesValue: invalid base64");
    }
  }
  return null;
}

// --- typed access ---------------------------------------------------------------

function field(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (Object.hasOwn(o, n)) return o[n];
  return undefined;
}

function obj(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new OtlpDecodeError(`${what}: expected an object`);
  return v as Obj;
}

function list(o: Obj, ...names: string[]): unknown[] {
  const v = field(o, ...names);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${names[0]}: expected an array`);
  return v;
}

function str(o: Obj, ...names: string[]): string {
  const v = field(o, ...names);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new OtlpDecodeError(`${names[0]}: expected a string`);
  return v;
}

function bool(o: Obj, ...names: string[]): boolean {
  const v = field(o, ...names);
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new OtlpDecodeError(`${names[0]}: expected a boolean`);
  return v;
}

function double(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new OtlpDecodeError(`${what}: expected a number`);
}

function bigint(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) return BigInt(v);
  throw new OtlpDecodeError(`${what}: expected an integer`);
}

function int(v: unknown, what: string): number {
  const b = bigint(v, what);
  if (b > 2147483647n || b < -2147483648n) throw new OtlpDecodeError(`${what}: ${b} does not fit 32 bits`);
  return Number(b);
}

function millis(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  const b = bigint(v, what);
  if (b < 0n || b >= 1n << 64n) throw new OtlpDecodeError(`${what}: ${b} is not a uint64`);
  return Number(b / NS_PER_MS);
}

function hexId(v: unknown, what: string): string {
  if (v === undefined || v === null || v === "") return "";
  if (typeof v !== "string" || !/^(?:[0-9a-fA-F]{2})+$/.test(v)) throw new OtlpDecodeError(`${what}: expected hex`);
  return v.toLowerCase();
}
