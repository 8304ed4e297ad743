import { ProtobufError, ProtoReader, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import { DTO_TYPES, newDtoMetric, type DtoBucket, type DtoFamily, type DtoLabel, type DtoMetric, type DtoQuantile } from "./dto.js";

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
  const r = new ProtoReader(body);
  while (!r.eof()) {
    let end: number;
    try {
      end = r.lengthEnd();
    } catch {
      throw new ProtobufError("unexpected EOF");
    }
    try {
      const f = readFamily(new ProtoReader(body, r.pos, end));
      byName.set(f.name, f);
    } catch (e) {
      throw new ProtobufError(e instanceof ProtobufError ? `proto: cannot parse invalid wire-format data (${e.message})` : String(e));
    }
    r.pos = end;
  }
  return [...byName.values()];
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
        else if (field === 3) ((m.kind = "counter"), (m.value = readValue(sub)));
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

/** Gauge, Counter and Untyped all keep their value in field 1. */
function readValue(r: ProtoReader): number {
  let v = 0;
  while (!r.eof()) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_FIXED64)) v = r.double();
    else r.skip(t & 7, t >>> 3);
  }
  return v;
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
  while (!r.eof()) {
    const t = r.tag();
    if (t === ((1 << 3) | WIRE_VARINT)) m.sampleCount = r.uint64();
    else if (t === ((4 << 3) | WIRE_FIXED64)) m.sampleCount = r.double();
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
        else s.skip(u & 7, u >>> 3);
      }
      r.pos = end;
      m.buckets.push(b);
    } else r.skip(t & 7, t >>> 3);
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
  for (const l of m.labels) {
    const lw = new ProtoWriter(16 + l.name.length + l.value.length);
    lw.tag(1, WIRE_LEN);
    lw.string(l.name);
    lw.tag(2, WIRE_LEN);
    lw.string(l.value);
    nested(w, 1, lw.finish());
  }
  const field = ({ gauge: 2, counter: 3, summary: 4, untyped: 5, histogram: 7, none: undefined } as const)[m.kind];
  if (field !== undefined) {
    const v = new ProtoWriter(32);
    if (m.kind === "summary" || m.kind === "histogram") {
      v.tag(1, WIRE_VARINT);
      v.uint64(m.sampleCount);
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
        bw.tag(1, WIRE_VARINT);
        bw.uint64(b.cumulativeCount);
        bw.tag(2, WIRE_FIXED64);
        bw.double(b.upperBound);
        nested(v, 3, bw.finish());
      }
    } else {
      v.tag(1, WIRE_FIXED64);
      v.double(m.value);
    }
    nested(w, field, v.finish());
  }
  if (m.timestampMs !== undefined) {
    w.tag(6, WIRE_VARINT);
    w.int64(m.timestampMs);
  }
  return w.finish();
}

function nested(w: ProtoWriter, field: number, bytes: Uint8Array): void {
  w.tag(field, WIRE_LEN);
  w.uint32(bytes.length);
  w.raw(bytes);
}
