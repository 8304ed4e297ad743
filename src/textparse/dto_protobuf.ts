import {
  absoluteCounts,
  allIntegers,
  newWireBuckets,
  readDoubles,
  readSint64s,
  readSpan,
  writeBucketSides,
  writeBytes as nested,
  writeCount,
  writeSpans,
  type WireBuckets,
} from "../encoding/native_histogram_wire.js";
import { ProtobufError, ProtoReader, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import {
  DTO_TYPES,
  newDtoMetric,
  type DtoBucket,
  type DtoExemplar,
  type DtoFamily,
  type DtoLabel,
  type DtoMetric,
  type DtoNativeHistogram,
  type DtoQuantile,
} from "./dto.js";

/** The content type of a stream of length-delimited client_model MetricFamily
 * messages, which Go's push client sends. */
export const DELIMITED_PROTOBUF_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/** Whether a Content-Type header names the delimited protobuf format. */
export function isDelimitedProtobuf(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [media, ...params] = contentType.split(";").map((s) => s.trim());
  if (media?.toLowerCase() !== "application/vnd.google.protobuf") return false;
  const p = new Map(params.map((kv) => {
    const i = kv.indexOf("=");
    return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim().replace(/^"(.*)"$/, "$1")] as const;
  }));
  return p.get("encoding") === "delimited" && p.get("proto") === "io.prometheus.client.MetricFamily";
}

/**
 * Decodes varint-length-delimited MetricFamily messages. Messages for the same family
 * name replace earlier ones, as the Go gateway's map does. Errors carry Go's wording
 * ("unexpected EOF" for a truncated stream).
 */
export function decodeDelimitedFamilies(body: Uint8Array): DtoFamily[] {
  const byName = new Map<string, DtoFamily>();
  for (const f of iterateDelimitedFamilies(body)) byName.set(f.name, f);
  return [...byName.values()];
}

/** The MetricFamily messages of a delimited stream one by one, in stream order (what
 * a scrape consumes; families of the same name are not merged). */
export function* iterateDelimitedFamilies(body: Uint8Array): Generator<DtoFamily, void, undefined> {
  const r = new ProtoReader(body);
  while (!r.eof()) {
    let end: number;
    try {
      end = r.lengthEnd();
    } catch {
      throw new ProtobufError("unexpected EOF");
    }
    let f: DtoFamily;
    try {
      f = readFamily(new ProtoReader(body, r.pos, end));
    } catch (e) {
      throw new ProtobufError(e instanceof ProtobufError ? `proto: cannot parse invalid wire-format data (${e.message})` : String(e));
    }
    r.pos = end;
    yield f;
  }
}

function readFamily(r: ProtoReader): DtoFamily {
  const f: DtoFamily = { name: "", help: "", type: "COUNTER", metrics: [] };
  while (!r.eof()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | WIRE_LEN:
        f.name = r.string();
        break;
      case (2 << 3) | WIRE_LEN:
        f.help = r.string();
        break;
      case (3 << 3) | WIRE_VARINT: {
        const n = r.int32();
        const type = DTO_TYPES[n];
        if (type === undefined) throw new ProtobufError(`unknown metric type ${n}`);
        f.type = type;
        break;
      }
      case (4 << 3) | WIRE_LEN: {
        const end = r.lengthEnd();
        f.metrics.push(readMetric(new ProtoReader(r.buf, r.pos, end)));
        r.pos = end;
        break;
      }
      default:
        r.skip(t & 7, t >>> 3);
    }
  }
  return f;
}

function readMetric(r: ProtoReader): DtoMetric {
  const m = newDtoMetric([], "untyped");
  let kinds = 0;
  while (!r.eof()) {
    const t = r.tag();
    const field = t >>> 3;
    if ((t & 7) === WIRE_LEN && field >= 1 && field <= 7 && field !== 6) {
      const end = r.lengthEnd();
      const sub = new ProtoReader(r.buf, r.pos, end);
      r.pos = end;
      if (field === 1) m.labels.push(readLabel(sub));
      else {
        kinds++;
        if (field === 2) ((m.kind = "gauge"), (m.value = readValue(sub)));
        else if (field === 3) ((m.kind = "counter"), (m.value = readValue(sub, m)));
        else if (field === 5) ((m.kind = "untyped"), (m.value = readValue(sub)));
        else if (field === 4) ((m.kind = "summary"), readSummary(sub, m));
        else ((m.kind = "histogram"), readHistogram(sub, m));
      }
      continue;
    }
    if (t === ((6 << 3) | WIRE_VARINT)) m.timestampMs = r.int64();
    else r.skip(t & 7, field);
  }
  if (kinds === 0) m.kind = "none";
  return m;
}

function readLabel(r: ProtoReader): DtoLabel {
  const l: DtoLabel = { name: "", value: "" };
  while (!r.eof()) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_LEN)) l.name = r.string();
    else if (t === ((2 << 3) | WIRE_LEN)) l.value = r.string();
    else r.skip(t & 7, t >>> 3);
  }
  return l;
}

/** Gauge, Counter and Untyped all keep their value in field 1; a Counter's exemplar
 * is field 2 (given `m`). */
function readValue(r: ProtoReader, m?: DtoMetric): number {
  let v = 0;
  while (!r.eof()) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_FIXED64)) v = r.double();
    else if (m !== undefined && t === ((2 << 3) | WIRE_LEN)) m.exemplar = readExemplar(r);
    else r.skip(t & 7, t >>> 3);
  }
  return v;
}

/** Exemplar { repeated LabelPair label = 1; double value = 2; Timestamp timestamp = 3; } */
function readExemplar(r: ProtoReader): DtoExemplar {
  const s = r.sub();
  const e: DtoExemplar = { labels: [], value: 0, timestampMs: undefined };
  while (!s.eof()) {
    const t = s.tag();
    if (t === ((1 << 3) | WIRE_LEN)) e.labels.push(readLabel(s.sub()));
    else if (t === ((2 << 3) | WIRE_FIXED64)) e.value = s.double();
    else if (t === ((3 << 3) | WIRE_LEN)) e.timestampMs = readTimestamp(s);
    else s.skip(t & 7, t >>> 3);
  }
  return e;
}

/** google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; } in ms. */
function readTimestamp(r: ProtoReader): number {
  const s = r.sub();
  let seconds = 0;
  let nanos = 0;
  while (!s.eof()) {
    const t = s.tag();
    if (t === ((1 << 3) | WIRE_VARINT)) seconds = s.int64();
    else if (t === ((2 << 3) | WIRE_VARINT)) nanos = s.int32();
    else s.skip(t & 7, t >>> 3);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function readSummary(r: ProtoReader, m: DtoMetric): void {
  while (!r.eof()) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_VARINT)) m.sampleCount = r.uint64();
    else if (t === ((2 << 3) | WIRE_FIXED64)) m.sampleSum = r.double();
    else if (t === ((3 << 3) | WIRE_LEN)) {
      const end = r.lengthEnd();
      const q: DtoQuantile = { quantile: 0, value: 0 };
      const s = new ProtoReader(r.buf, r.pos, end);
      while (!s.eof()) {
        const u = s.tag();
        if (u === ((1 << 3) | WIRE_FIXED64)) q.quantile = s.double();
        else if (u === ((2 << 3) | WIRE_FIXED64)) q.value = s.double();
        else s.skip(u & 7, u >>> 3);
      }
      r.pos = end;
      m.quantiles.push(q);
    } else r.skip(t & 7, t >>> 3);
  }
}

function readHistogram(r: ProtoReader, m: DtoMetric): void {
  const n: DtoNativeHistogram = {
    schema: 0,
    zeroThreshold: 0,
    zeroCount: 0,
    positiveSpans: [],
    positiveCounts: [],
    negativeSpans: [],
    negativeCounts: [],
    integer: true,
    exemplars: [],
  };
  const pos: WireBuckets = newWireBuckets();
  const neg: WireBuckets = newWireBuckets();
  while (!r.eof()) {
    const t = r.tag();
    const field = t >>> 3;
    if (field >= 5 && field <= 16 && field !== 15) {
      readNativeField(r, t, n, pos, neg);
      continue;
    }
    if (t === ((1 << 3) | WIRE_VARINT)) m.sampleCount = r.uint64();
    else if (t === ((4 << 3) | WIRE_FIXED64)) ((m.sampleCount = r.double()), (n.integer = false));
    else if (t === ((2 << 3) | WIRE_FIXED64)) m.sampleSum = r.double();
    else if (t === ((3 << 3) | WIRE_LEN)) {
      const end = r.lengthEnd();
      const b: DtoBucket = { upperBound: 0, cumulativeCount: 0 };
      const s = new ProtoReader(r.buf, r.pos, end);
      while (!s.eof()) {
        const u = s.tag();
        if (u === ((1 << 3) | WIRE_VARINT)) b.cumulativeCount = s.uint64();
        else if (u === ((4 << 3) | WIRE_FIXED64)) b.cumulativeCount = s.double();
        else if (u === ((2 << 3) | WIRE_FIXED64)) b.upperBound = s.double();
        else if (u === ((3 << 3) | WIRE_LEN)) b.exemplar = readExemplar(s);
        else s.skip(u & 7, u >>> 3);
      }
      r.pos = end;
      m.buckets.push(b);
    } else r.skip(t & 7, t >>> 3);
  }
  // As Prometheus decides: spans (even an empty one) or a zero bucket make a histogram
  // native; without them it is classic only.
  if (pos.spans.length + neg.spans.length > 0 || n.zeroThreshold > 0 || n.zeroCount > 0) {
    n.positiveSpans = pos.spans;
    n.negativeSpans = neg.spans;
    n.positiveCounts = absoluteCounts(pos, "positive");
    n.negativeCounts = absoluteCounts(neg, "negative");
    if (pos.counts.length + neg.counts.length > 0) n.integer = false;
    m.native = n;
  }
}

/** Histogram fields 5..16: schema (sint32), zero_threshold, zero_count(_float), spans,
 * deltas and counts of each side, exemplars. */
function readNativeField(r: ProtoReader, t: number, n: DtoNativeHistogram, pos: WireBuckets, neg: WireBuckets): void {
  const field = t >>> 3;
  const wire = t & 7;
  const want = (w: number) => {
    if (wire !== w) throw new ProtobufError(`histogram field ${field} has unexpected wire type ${wire}`);
  };
  switch (field) {
    case 5: {
      want(WIRE_VARINT);
      n.schema = r.sint64();
      return;
    }
    case 6:
      want(WIRE_FIXED64);
      n.zeroThreshold = r.double();
      return;
    case 7:
      want(WIRE_VARINT);
      n.zeroCount = r.uint64();
      return;
    case 8:
      want(WIRE_FIXED64);
      n.zeroCount = r.double();
      n.integer = false;
      return;
    case 9:
    case 12:
      want(WIRE_LEN);
      (field === 9 ? neg : pos).spans.push(readSpan(r));
      return;
    case 10:
    case 13:
      readSint64s(r, wire, (field === 10 ? neg : pos).deltas);
      return;
    case 11:
    case 14:
      readDoubles(r, wire, (field === 11 ? neg : pos).counts);
      return;
    case 16:
      want(WIRE_LEN);
      n.exemplars.push(readExemplar(r));
      return;
  }
}

/** Encodes families as length-delimited MetricFamily messages (what Go's push client
 * sends, and how the Pushgateway Durable Object persists a group). */
export function encodeDelimitedFamilies(families: Iterable<DtoFamily>): Uint8Array {
  const out = new ProtoWriter(1024);
  for (const f of families) {
    const msg = familyBytes(f);
    out.uint32(msg.length);
    out.raw(msg);
  }
  return out.finish();
}

function familyBytes(f: DtoFamily): Uint8Array {
  const w = new ProtoWriter(64 + f.metrics.length * 48);
  w.tag(1, WIRE_LEN);
  w.string(f.name);
  if (f.help !== "") {
    w.tag(2, WIRE_LEN);
    w.string(f.help);
  }
  w.tag(3, WIRE_VARINT);
  w.uint32(DTO_TYPES.indexOf(f.type));
  for (const m of f.metrics) nested(w, 4, metricBytes(m));
  return w.finish();
}

function metricBytes(m: DtoMetric): Uint8Array {
  const w = new ProtoWriter(48);
  writeLabelPairs(w, m.labels);
  const field = ({ gauge: 2, counter: 3, summary: 4, untyped: 5, histogram: 7, none: undefined } as const)[m.kind];
  if (field !== undefined) {
    const v = new ProtoWriter(32);
    if (m.kind === "summary" || m.kind === "histogram") {
      if (m.kind === "histogram" && !isCount(m.sampleCount)) {
        v.tag(4, WIRE_FIXED64);
        v.double(m.sampleCount);
      } else {
        v.tag(1, WIRE_VARINT);
        v.uint64(m.sampleCount);
      }
      v.tag(2, WIRE_FIXED64);
      v.double(m.sampleSum);
      for (const q of m.quantiles) {
        const qw = new ProtoWriter(18);
        qw.tag(1, WIRE_FIXED64);
        qw.double(q.quantile);
        qw.tag(2, WIRE_FIXED64);
        qw.double(q.value);
        nested(v, 3, qw.finish());
      }
      for (const b of m.buckets) {
        const bw = new ProtoWriter(20);
        if (isCount(b.cumulativeCount)) {
          bw.tag(1, WIRE_VARINT);
          bw.uint64(b.cumulativeCount);
        } else {
          bw.tag(4, WIRE_FIXED64);
          bw.double(b.cumulativeCount);
        }
        bw.tag(2, WIRE_FIXED64);
        bw.double(b.upperBound);
        if (b.exemplar !== undefined) nested(bw, 3, exemplarBytes(b.exemplar));
        nested(v, 3, bw.finish());
      }
      if (m.native !== undefined) writeNative(v, m.native);
    } else {
      v.tag(1, WIRE_FIXED64);
      v.double(m.value);
      if (m.kind === "counter" && m.exemplar !== undefined) nested(v, 2, exemplarBytes(m.exemplar));
    }
    nested(w, field, v.finish());
  }
  if (m.timestampMs !== undefined) {
    w.tag(6, WIRE_VARINT);
    w.int64(m.timestampMs);
  }
  return w.finish();
}

function isCount(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

function writeNative(w: ProtoWriter, n: DtoNativeHistogram): void {
  const integer = n.integer && isCount(n.zeroCount) && allIntegers(n.positiveCounts) && allIntegers(n.negativeCounts);
  w.tag(5, WIRE_VARINT);
  w.sint64(n.schema);
  w.tag(6, WIRE_FIXED64);
  w.double(n.zeroThreshold);
  // client_model is proto2: a zero count is sent, not left out.
  if (integer) {
    w.tag(7, WIRE_VARINT);
    w.uint64(n.zeroCount);
  } else writeCount(w, false, 7, 8, n.zeroCount);
  writeBucketSides(w, 9, integer, { spans: n.negativeSpans, counts: n.negativeCounts }, { spans: n.positiveSpans, counts: n.positiveCounts });
  // A native histogram without observations still needs a span to read as native.
  if (n.positiveSpans.length + n.negativeSpans.length === 0 && n.zeroThreshold === 0 && n.zeroCount === 0) writeSpans(w, 12, [{ offset: 0, length: 0 }]);
  for (const e of n.exemplars) nested(w, 16, exemplarBytes(e));
}

/** Repeated LabelPair { name = 1; value = 2; } in field 1 (of Metric and Exemplar). */
function writeLabelPairs(w: ProtoWriter, labels: readonly DtoLabel[]): void {
  for (const l of labels) {
    const lw = new ProtoWriter(16 + l.name.length + l.value.length);
    lw.tag(1, WIRE_LEN);
    lw.string(l.name);
    lw.tag(2, WIRE_LEN);
    lw.string(l.value);
    nested(w, 1, lw.finish());
  }
}

function exemplarBytes(e: DtoExemplar): Uint8Array {
  const w = new ProtoWriter(32);
  writeLabelPairs(w, e.labels);
  w.tag(2, WIRE_FIXED64);
  w.double(e.value);
  if (e.timestampMs !== undefined) {
    const tw = new ProtoWriter(16);
    const seconds = Math.floor(e.timestampMs / 1000);
    tw.tag(1, WIRE_VARINT);
    tw.int64(seconds);
    const nanos = (e.timestampMs - seconds * 1000) * 1e6;
    if (nanos !== 0) {
      tw.tag(2, WIRE_VARINT);
      tw.uint32(nanos);
    }
    nested(w, 3, tw.finish());
  }
  return w.finish();
}
