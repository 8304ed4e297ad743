/**
 * The OTLP metrics request (`ExportMetricsServiceRequest`, opentelemetry-proto
 * metrics/v1) as the translator needs it, and its protobuf decoder.
 *
 * Field numbers read:
 *   ExportMetricsServiceRequest 1 resource_metrics
 *   ResourceMetrics   1 resource (Resource: 1 attributes), 2 scope_metrics
 *   ScopeMetrics      1 scope (1 name, 2 version, 3 attributes), 2 metrics, 3 schema_url
 *   Metric            1 name, 2 description, 3 unit, 5 gauge, 7 sum, 9 histogram,
 *                     10 exponential_histogram, 11 summary
 *   Gauge/Summary     1 data_points; Sum 1 data_points, 2 temporality, 3 is_monotonic;
 *   (Exponential)Histogram 1 data_points, 2 temporality
 *   NumberDataPoint   7 attributes, 2 start (fixed64 ns), 3 time, 4 as_double,
 *                     6 as_int (sfixed64), 5 exemplars, 8 flags
 *   HistogramDataPoint 9 attributes, 2 start, 3 time, 4 count (fixed64), 5 sum,
 *                     6 bucket_counts (fixed64), 7 explicit_bounds, 8 exemplars, 10 flags
 *   ExponentialHistogramDataPoint 1 attributes, 2 start, 3 time, 4 count, 5 sum,
 *                     6 scale (sint32), 7 zero_count, 8 positive, 9 negative, 10 flags,
 *                     11 exemplars, 14 zero_threshold; Buckets 1 offset (sint32),
 *                     2 bucket_counts (uint64)
 *   SummaryDataPoint  7 attributes, 2 start, 3 time, 4 count, 5 sum,
 *                     6 quantile_values (1 quantile, 2 value), 8 flags
 *   Exemplar          7 filtered_attributes, 2 time, 3 as_double, 6 as_int,
 *                     4 span_id, 5 trace_id
 *   KeyValue 1 key, 2 value; AnyValue 1 string, 2 bool, 3 int, 4 double,
 *                     5 array (1 values), 6 kvlist (1 values), 7 bytes
 * Repeated scalars are read packed or not. Unknown fields are skipped.
 */

import { expectWire, ProtoReader, ProtobufError, readFields, readMessage, readRepeated, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import { formatFloat } from "../model/sample.js";

/** An attribute with its value already turned into the string Prometheus uses
 * (pcommon.Value.AsString). */
export interface Attribute {
  key: string;
  value: string;
}

export interface OtlpExemplar {
  attributes: Attribute[];
  /** Milliseconds since the epoch. */
  t: number;
  value: number;
  /** Lower-case hex; "" when absent. */
  traceId: string;
  spanId: string;
}

interface PointBase {
  attributes: Attribute[];
  /** Start time in ms (0 when unset). */
  start: number;
  /** Time in ms. */
  t: number;
  flags: number;
  exemplars: OtlpExemplar[];
}

export interface NumberPoint extends PointBase {
  value: number;
}

export interface HistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

export interface ExponentialBuckets {
  offset: number;
  counts: number[];
}

export interface ExponentialHistogramPoint extends PointBase {
  count: number;
  sum: number | undefined;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

export interface SummaryPoint extends PointBase {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

export enum Temporality {
  Unspecified = 0,
  Delta = 1,
  Cumulative = 2,
}

export type MetricData =
  | { kind: "none" }
  | { kind: "gauge"; points: NumberPoint[] }
  | { kind: "sum"; temporality: Temporality; monotonic: boolean; points: NumberPoint[] }
  | { kind: "histogram"; temporality: Temporality; points: HistogramPoint[] }
  | { kind: "exponential_histogram"; temporality: Temporality; points: ExponentialHistogramPoint[] }
  | { kind: "summary"; points: SummaryPoint[] };

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  data: MetricData;
}

export interface OtlpScope {
  name: string;
  version: string;
  schemaUrl: string;
  attributes: Attribute[];
}

export interface ScopeMetrics {
  scope: OtlpScope;
  metrics: OtlpMetric[];
}

export interface ResourceMetrics {
  resource: Attribute[];
  scopeMetrics: ScopeMetrics[];
}

export interface MetricsRequest {
  resourceMetrics: ResourceMetrics[];
}

/** The data point flag bit meaning "no recorded value" (a staleness marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

/** Bad input: a message that is not an OTLP metrics request. Answered 400. */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

const MAX_DEPTH = 32;

/** Decodes a (decompressed) protobuf ExportMetricsServiceRequest. */
export function decodeMetricsRequest(buf: Uint8Array): MetricsRequest {
  const r = new ProtoReader(buf);
  const resourceMetrics: ResourceMetrics[] = [];
  try {
    readFields(r, r.end, (f, w) => {
      if (f === 1 && expectWire(w, WIRE_LEN, f)) resourceMetrics.push(readResourceMetrics(r));
      else return false;
      return true;
    });
  } catch (e) {
    if (e instanceof ProtobufError) throw new OtlpDecodeError(e.message);
    throw e;
  }
  return { resourceMetrics };
}





function readResourceMetrics(r: ProtoReader): ResourceMetrics {
  let resource: Attribute[] = [];
  const scopeMetrics: ScopeMetrics[] = [];
  readMessage(r, (f, w) => {
    if (f === 1 && expectWire(w, WIRE_LEN, f)) {
      const attrs: Attribute[] = [];
      readMessage(r, (g, v) => {
        if (g === 1 && expectWire(v, WIRE_LEN, g)) attrs.push(readKeyValue(r, 0));
        else return false;
        return true;
      });
      resource = attrs;
    } else if (f === 2 && expectWire(w, WIRE_LEN, f)) scopeMetrics.push(readScopeMetrics(r));
    else return false;
    return true;
  });
  return { resource, scopeMetrics };
}

function readScopeMetrics(r: ProtoReader): ScopeMetrics {
  const scope: OtlpScope = { name: "", version: "", schemaUrl: "", attributes: [] };
  const metrics: OtlpMetric[] = [];
  readMessage(r, (f, w) => {
    if (f === 1 && expectWire(w, WIRE_LEN, f)) {
      readMessage(r, (g, v) => {
        if (g === 1 && expectWire(v, WIRE_LEN, g)) scope.name = r.string();
        else if (g === 2 && expectWire(v, WIRE_LEN, g)) scope.version = r.string();
        else if (g === 3 && expectWire(v, WIRE_LEN, g)) scope.attributes.push(readKeyValue(r, 0));
        else return false;
        return true;
      });
    } else if (f === 2 && expectWire(w, WIRE_LEN, f)) metrics.push(readMetric(r));
    else if (f === 3 && expectWire(w, WIRE_LEN, f)) scope.schemaUrl = r.string();
    else return false;
    return true;
  });
  return { scope, metrics };
}

function readMetric(r: ProtoReader): OtlpMetric {
  const m: OtlpMetric = { name: "", description: "", unit: "", data: { kind: "none" } };
  readMessage(r, (f, w) => {
    switch (f) {
      case 1:
        expectWire(w, WIRE_LEN, f);
        m.name = r.string();
        return true;
      case 2:
        expectWire(w, WIRE_LEN, f);
        m.description = r.string();
        return true;
      case 3:
        expectWire(w, WIRE_LEN, f);
        m.unit = r.string();
        return true;
      case 5: {
        expectWire(w, WIRE_LEN, f);
        const points: NumberPoint[] = [];
        readMessage(r, (g, v) => g === 1 && expectWire(v, WIRE_LEN, g) && (points.push(readNumberPoint(r)), true));
        m.data = { kind: "gauge", points };
        return true;
      }
      case 7: {
        expectWire(w, WIRE_LEN, f);
        const d = { kind: "sum" as const, temporality: Temporality.Unspecified, monotonic: false, points: [] as NumberPoint[] };
        readMessage(r, (g, v) => {
          if (g === 1 && expectWire(v, WIRE_LEN, g)) d.points.push(readNumberPoint(r));
          else if (g === 2 && expectWire(v, WIRE_VARINT, g)) d.temporality = r.int32();
          else if (g === 3 && expectWire(v, WIRE_VARINT, g)) d.monotonic = r.bool();
          else return false;
          return true;
        });
        m.data = d;
        return true;
      }
      case 9: {
        expectWire(w, WIRE_LEN, f);
        const d = { kind: "histogram" as const, temporality: Temporality.Unspecified, points: [] as HistogramPoint[] };
        readMessage(r, (g, v) => {
          if (g === 1 && expectWire(v, WIRE_LEN, g)) d.points.push(readHistogramPoint(r));
          else if (g === 2 && expectWire(v, WIRE_VARINT, g)) d.temporality = r.int32();
          else return false;
          return true;
        });
        m.data = d;
        return true;
      }
      case 10: {
        expectWire(w, WIRE_LEN, f);
        const d = { kind: "exponential_histogram" as const, temporality: Temporality.Unspecified, points: [] as ExponentialHistogramPoint[] };
        readMessage(r, (g, v) => {
          if (g === 1 && expectWire(v, WIRE_LEN, g)) d.points.push(readExponentialPoint(r));
          else if (g === 2 && expectWire(v, WIRE_VARINT, g)) d.temporality = r.int32();
          else return false;
          return true;
        });
        m.data = d;
        return true;
      }
      case 11: {
        expectWire(w, WIRE_LEN, f);
        const points: SummaryPoint[] = [];
        readMessage(r, (g, v) => g === 1 && expectWire(v, WIRE_LEN, g) && (points.push(readSummaryPoint(r)), true));
        m.data = { kind: "summary", points };
        return true;
      }
      default:
        return false;
    }
  });
  return m;
}

// fixed64 values as two little-endian 32-bit words, without BigInt.
const TWO_32 = 4294967296;

/** Nanoseconds since the epoch as whole milliseconds, exactly: 2^32 ns is 4294 ms
 * plus 967296 ns, so hi * 2^32 + lo splits into terms that stay below 2^53. */
function millis(r: ProtoReader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1_000_000);
}

/** A fixed64 count as a double (rounded above 2^53, as Go's float64(uint64) does). */
function count(r: ProtoReader): number {
  const lo = r.fixed32();
  return r.fixed32() * TWO_32 + lo;
}

/** An sfixed64 as a double. */
function signed64(r: ProtoReader): number {
  const lo = r.fixed32();
  return (r.fixed32() | 0) * TWO_32 + lo;
}

/** The fields every data point kind has, under their per-kind numbers. */
interface CommonFields {
  attributes: number;
  start: number;
  time: number;
  flags: number;
  exemplars: number;
}

function readCommon(r: ProtoReader, p: PointBase, n: CommonFields, f: number, w: number): boolean {
  if (f === n.attributes && expectWire(w, WIRE_LEN, f)) p.attributes.push(readKeyValue(r, 0));
  else if (f === n.start && expectWire(w, WIRE_FIXED64, f)) p.start = millis(r);
  else if (f === n.time && expectWire(w, WIRE_FIXED64, f)) p.t = millis(r);
  else if (f === n.flags && expectWire(w, WIRE_VARINT, f)) p.flags = r.uint32();
  else if (f === n.exemplars && expectWire(w, WIRE_LEN, f)) p.exemplars.push(readExemplar(r));
  else return false;
  return true;
}

function base(): PointBase {
  return { attributes: [], start: 0, t: 0, flags: 0, exemplars: [] };
}

const NUMBER_FIELDS: CommonFields = { attributes: 7, start: 2, time: 3, flags: 8, exemplars: 5 };
const HISTOGRAM_FIELDS: CommonFields = { attributes: 9, start: 2, time: 3, flags: 10, exemplars: 8 };
const EXPONENTIAL_FIELDS: CommonFields = { attributes: 1, start: 2, time: 3, flags: 10, exemplars: 11 };
const SUMMARY_FIELDS: CommonFields = { attributes: 7, start: 2, time: 3, flags: 8, exemplars: -1 };

function readNumberPoint(r: ProtoReader): NumberPoint {
  const p: NumberPoint = { ...base(), value: 0 };
  readMessage(r, (f, w) => {
    if (readCommon(r, p, NUMBER_FIELDS, f, w)) return true;
    if (f === 4 && expectWire(w, WIRE_FIXED64, f)) p.value = r.double();
    else if (f === 6 && expectWire(w, WIRE_FIXED64, f)) p.value = signed64(r);
    else return false;
    return true;
  });
  return p;
}

function readHistogramPoint(r: ProtoReader): HistogramPoint {
  const p: HistogramPoint = { ...base(), count: 0, sum: undefined, bucketCounts: [], explicitBounds: [] };
  readMessage(r, (f, w) => {
    if (readCommon(r, p, HISTOGRAM_FIELDS, f, w)) return true;
    if (f === 4 && expectWire(w, WIRE_FIXED64, f)) p.count = count(r);
    else if (f === 5 && expectWire(w, WIRE_FIXED64, f)) p.sum = r.double();
    else if (f === 6) readRepeated(r, w, WIRE_FIXED64, f, () => count(r), p.bucketCounts);
    else if (f === 7) readRepeated(r, w, WIRE_FIXED64, f, () => r.double(), p.explicitBounds);
    else return false;
    return true;
  });
  return p;
}

function readExponentialPoint(r: ProtoReader): ExponentialHistogramPoint {
  const p: ExponentialHistogramPoint = {
    ...base(),
    count: 0,
    sum: undefined,
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
  readMessage(r, (f, w) => {
    if (readCommon(r, p, EXPONENTIAL_FIELDS, f, w)) return true;
    if (f === 4 && expectWire(w, WIRE_FIXED64, f)) p.count = count(r);
    else if (f === 5 && expectWire(w, WIRE_FIXED64, f)) p.sum = r.double();
    else if (f === 6 && expectWire(w, WIRE_VARINT, f)) p.scale = r.sint32();
    else if (f === 7 && expectWire(w, WIRE_FIXED64, f)) p.zeroCount = count(r);
    else if (f === 8 && expectWire(w, WIRE_LEN, f)) p.positive = readBuckets(r);
    else if (f === 9 && expectWire(w, WIRE_LEN, f)) p.negative = readBuckets(r);
    else if (f === 14 && expectWire(w, WIRE_FIXED64, f)) p.zeroThreshold = r.double();
    else return false;
    return true;
  });
  return p;
}

function readBuckets(r: ProtoReader): ExponentialBuckets {
  const b: ExponentialBuckets = { offset: 0, counts: [] };
  readMessage(r, (f, w) => {
    if (f === 1 && expectWire(w, WIRE_VARINT, f)) b.offset = r.sint32();
    else if (f === 2) readRepeated(r, w, WIRE_VARINT, f, () => r.uint64(), b.counts);
    else return false;
    return true;
  });
  return b;
}

function readSummaryPoint(r: ProtoReader): SummaryPoint {
  const p: SummaryPoint = { ...base(), count: 0, sum: 0, quantiles: [] };
  readMessage(r, (f, w) => {
    if (readCommon(r, p, SUMMARY_FIELDS, f, w)) return true;
    if (f === 4 && expectWire(w, WIRE_FIXED64, f)) p.count = count(r);
    else if (f === 5 && expectWire(w, WIRE_FIXED64, f)) p.sum = r.double();
    else if (f === 6 && expectWire(w, WIRE_LEN, f)) {
      const q = { quantile: 0, value: 0 };
      readMessage(r, (g, v) => {
        if (g === 1 && expectWire(v, WIRE_FIXED64, g)) q.quantile = r.double();
        else if (g === 2 && expectWire(v, WIRE_FIXED64, g)) q.value = r.double();
        else return false;
        return true;
      });
      p.quantiles.push(q);
    } else return false;
    return true;
  });
  return p;
}

function readExemplar(r: ProtoReader): OtlpExemplar {
  const e: OtlpExemplar = { attributes: [], t: 0, value: 0, traceId: "", spanId: "" };
  readMessage(r, (f, w) => {
    if (f === 7 && expectWire(w, WIRE_LEN, f)) e.attributes.push(readKeyValue(r, 0));
    else if (f === 2 && expectWire(w, WIRE_FIXED64, f)) e.t = millis(r);
    else if (f === 3 && expectWire(w, WIRE_FIXED64, f)) e.value = r.double();
    else if (f === 6 && expectWire(w, WIRE_FIXED64, f)) e.value = signed64(r);
    else if (f === 4 && expectWire(w, WIRE_LEN, f)) e.spanId = hex(r.bytes());
    else if (f === 5 && expectWire(w, WIRE_LEN, f)) e.traceId = hex(r.bytes());
    else return false;
    return true;
  });
  return e;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function readKeyValue(r: ProtoReader, depth: number): Attribute {
  let key = "";
  let value = "";
  readMessage(r, (f, w) => {
    if (f === 1 && expectWire(w, WIRE_LEN, f)) key = r.string();
    else if (f === 2 && expectWire(w, WIRE_LEN, f)) value = anyValueString(readAnyValue(r, depth + 1));
    else return false;
    return true;
  });
  return { key, value };
}

/** An AnyValue as plain JS data: string, boolean, number (int as bigint), bytes,
 * arrays and key/value lists. */
export type AnyValue = string | boolean | number | bigint | Uint8Array | AnyValue[] | { kv: [string, AnyValue][] } | null;

function readAnyValue(r: ProtoReader, depth: number): AnyValue {
  if (depth > MAX_DEPTH) throw new ProtobufError("attribute values nested too deeply");
  let out: AnyValue = null;
  readMessage(r, (f, w) => {
    switch (f) {
      case 1:
        expectWire(w, WIRE_LEN, f);
        out = r.string();
        return true;
      case 2:
        expectWire(w, WIRE_VARINT, f);
        out = r.bool();
        return true;
      case 3:
        expectWire(w, WIRE_VARINT, f);
        out = BigInt.asIntN(64, BigInt(readVarintBig(r)));
        return true;
      case 4:
        expectWire(w, WIRE_FIXED64, f);
        out = r.double();
        return true;
      case 5: {
        expectWire(w, WIRE_LEN, f);
        const arr: AnyValue[] = [];
        readMessage(r, (g, v) => g === 1 && expectWire(v, WIRE_LEN, g) && (arr.push(readAnyValue(r, depth + 1)), true));
        out = arr;
        return true;
      }
      case 6: {
        expectWire(w, WIRE_LEN, f);
        const kv: [string, AnyValue][] = [];
        readMessage(r, (g, v) => {
          if (g !== 1 || !expectWire(v, WIRE_LEN, g)) return false;
          let k = "";
          let val: AnyValue = null;
          readMessage(r, (h, x) => {
            if (h === 1 && expectWire(x, WIRE_LEN, h)) k = r.string();
            else if (h === 2 && expectWire(x, WIRE_LEN, h)) val = readAnyValue(r, depth + 1);
            else return false;
            return true;
          });
          kv.push([k, val]);
          return true;
        });
        out = { kv };
        return true;
      }
      case 7:
        expectWire(w, WIRE_LEN, f);
        out = r.bytes().slice();
        return true;
      default:
        return false;
    }
  });
  return out;
}

/** A raw 64-bit varint as a BigInt (int_value may use all 64 bits). */
function readVarintBig(r: ProtoReader): bigint {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.end) throw new ProtobufError("truncated varint");
    const b = r.buf[r.pos++]!;
    v |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return v;
  }
  throw new ProtobufError("varint longer than 10 bytes");
}

/** pcommon.Value.AsString: strings as they are, ints and bools as Go prints them,
 * doubles as strconv 'f' -1, bytes as base64, arrays and maps as JSON. */
export function anyValueString(v: AnyValue): string {
  if (typeof v === "string") return v;
  if (v === null) return "";
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return formatFloat(v);
  if (v instanceof Uint8Array) return base64(v);
  return JSON.stringify(toJson(v));
}

function toJson(v: AnyValue): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return Number.isFinite(v) ? v : formatFloat(v);
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return v.map(toJson);
  const o: Record<string, unknown> = {};
  for (const [k, x] of v.kv) o[k] = toJson(x);
  return o;
}

function base64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

