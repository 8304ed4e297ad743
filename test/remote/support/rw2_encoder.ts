import { ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../../src/encoding/protobuf.js";
import { snappyCompress } from "../../../src/remote/snappy.js";

/**
 * A remote write 2.0 sender's encoder, written from the specification
 * (io.prometheus.write.v2.Request: interned symbols, label references, integer or
 * float histograms), to test the receiver against something other than its own code.
 */

export interface Span {
  offset: number;
  length: number;
}

export interface V2Histogram {
  t: number;
  schema: number;
  sum: number;
  zeroThreshold?: number;
  resetHint?: number;
  positiveSpans?: Span[];
  negativeSpans?: Span[];
  customValues?: number[];
  /** Integer histogram: counts as integers, buckets as deltas. */
  int?: { count: number; zeroCount: number; positiveDeltas: number[]; negativeDeltas: number[] };
  /** Float histogram: absolute counts. */
  float?: { count: number; zeroCount: number; positiveCounts: number[]; negativeCounts: number[] };
}

export interface V2Series {
  labels: [string, string][];
  samples?: { t: number; v: number }[];
  histograms?: V2Histogram[];
  exemplars?: { labels: [string, string][]; t: number; v: number }[];
  metadata?: { type: number; help: string; unit: string };
  createdTimestamp?: number;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function message(w: ProtoWriter, field: number, build: (m: ProtoWriter) => void): void {
  const m = new ProtoWriter();
  build(m);
  const bytes = m.finish();
  w.tag(field, WIRE_LEN);
  w.uint32(bytes.length);
  w.raw(bytes);
}

function packedVarints(w: ProtoWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  message(w, field, (m) => {
    for (const v of values) m.uint64(v);
  });
}

function packedDoubles(w: ProtoWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  message(w, field, (m) => {
    for (const v of values) m.double(v);
  });
}

function double(w: ProtoWriter, field: number, v: number): void {
  w.tag(field, WIRE_FIXED64);
  w.double(v);
}

function varint(w: ProtoWriter, field: number, v: number): void {
  w.tag(field, WIRE_VARINT);
  w.int64(v);
}

function spans(w: ProtoWriter, field: number, ss: readonly Span[] | undefined): void {
  for (const s of ss ?? []) {
    message(w, field, (m) => {
      varint(m, 1, zigzag(s.offset));
      varint(m, 2, s.length);
    });
  }
}

/** The uncompressed Request. */
export function encodeV2(series: readonly V2Series[]): Uint8Array {
  const symbols = [""];
  const index = new Map<string, number>([["", 0]]);
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const refs = (ls: readonly [string, string][]) => ls.flatMap(([n, v]) => [ref(n), ref(v)]);
  const body = new ProtoWriter();
  for (const ts of series) {
    message(body, 5, (m) => {
      packedVarints(m, 1, refs(ts.labels));
      for (const s of ts.samples ?? []) {
        message(m, 2, (x) => {
          double(x, 1, s.v);
          varint(x, 2, s.t);
        });
      }
      for (const h of ts.histograms ?? []) {
        message(m, 3, (x) => {
          if (h.int) varint(x, 1, h.int.count);
          if (h.float) double(x, 2, h.float.count);
          double(x, 3, h.sum);
          varint(x, 4, zigzag(h.schema));
          double(x, 5, h.zeroThreshold ?? 0);
          if (h.int) varint(x, 6, h.int.zeroCount);
          if (h.float) double(x, 7, h.float.zeroCount);
          spans(x, 8, h.negativeSpans);
          if (h.int) packedVarints(x, 9, h.int.negativeDeltas.map(zigzag));
          if (h.float) packedDoubles(x, 10, h.float.negativeCounts);
          spans(x, 11, h.positiveSpans);
          if (h.int) packedVarints(x, 12, h.int.positiveDeltas.map(zigzag));
          if (h.float) packedDoubles(x, 13, h.float.positiveCounts);
          if (h.resetHint !== undefined) varint(x, 14, h.resetHint);
          varint(x, 15, h.t);
          packedDoubles(x, 16, h.customValues ?? []);
        });
      }
      for (const e of ts.exemplars ?? []) {
        message(m, 4, (x) => {
          packedVarints(x, 1, refs(e.labels));
          double(x, 2, e.v);
          varint(x, 3, e.t);
        });
      }
      if (ts.metadata) {
        const md = ts.metadata;
        message(m, 5, (x) => {
          varint(x, 1, md.type);
          varint(x, 3, ref(md.help));
          varint(x, 4, ref(md.unit));
        });
      }
      if (ts.createdTimestamp !== undefined) varint(m, 6, ts.createdTimestamp);
    });
  }
  // Symbols after the series: the spec puts no order on fields.
  const out = new ProtoWriter();
  out.raw(body.finish());
  for (const s of symbols) {
    out.tag(4, WIRE_LEN);
    out.string(s);
  }
  return out.finish();
}

export function encodeV2Body(series: readonly V2Series[]): Uint8Array {
  return snappyCompress(encodeV2(series));
}

export const V2_HEADERS = {
  "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request",
  "content-encoding": "snappy",
  "x-prometheus-remote-write-version": "2.0.0",
};
