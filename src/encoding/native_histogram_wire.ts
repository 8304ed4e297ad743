/**
 * The wire pieces native histograms share between remote write's prompb.Histogram and
 * client_model's Histogram (the protobuf exposition): BucketSpan messages, repeated
 * sint64 bucket deltas (integer histograms) and repeated double counts (float
 * histograms). Repeated scalars are read packed or one per field, as any protobuf
 * decoder must; they are written packed, as proto3 and Go's encoders do.
 */

import type { Span } from "../model/histogram.js";
import { ProtobufError, ProtoReader, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "./protobuf.js";

/** One side's buckets as they came over the wire. */
export interface WireBuckets {
  spans: Span[];
  deltas: number[];
  counts: number[];
}

export function newWireBuckets(): WireBuckets {
  return { spans: [], deltas: [], counts: [] };
}

/** Reads a length-delimited BucketSpan { sint32 offset = 1; uint32 length = 2; }. */
export function readSpan(r: ProtoReader): Span {
  const s = r.sub();
  const span: Span = { offset: 0, length: 0 };
  while (!s.eof()) {
    const t = s.tag();
    if (t === ((1 << 3) | WIRE_VARINT)) {
      const v = s.sint64();
      if (v < -0x80000000 || v > 0x7fffffff) throw new ProtobufError(`span offset ${v} does not fit 32 bits`);
      span.offset = v;
    } else if (t === ((2 << 3) | WIRE_VARINT)) span.length = s.uint32();
    else s.skip(t & 7, t >>> 3);
  }
  return span;
}

/** Reads one field of a repeated sint64, packed (LEN) or not (VARINT). */
export function readSint64s(r: ProtoReader, wireType: number, out: number[]): void {
  if (wireType === WIRE_VARINT) {
    out.push(r.sint64());
    return;
  }
  if (wireType !== WIRE_LEN) throw new ProtobufError(`repeated sint64 field has wire type ${wireType}`);
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  try {
    while (r.pos < end) out.push(r.sint64());
  } finally {
    r.end = outer;
  }
}

/** Reads one field of a repeated double, packed (LEN) or not (FIXED64). */
export function readDoubles(r: ProtoReader, wireType: number, out: number[]): void {
  if (wireType === WIRE_FIXED64) {
    out.push(r.double());
    return;
  }
  if (wireType !== WIRE_LEN) throw new ProtobufError(`repeated double field has wire type ${wireType}`);
  const end = r.lengthEnd();
  if ((end - r.pos) % 8 !== 0) throw new ProtobufError(`packed doubles of ${end - r.pos} bytes, not a multiple of 8`);
  while (r.pos < end) out.push(r.double());
}

/**
 * Absolute bucket counts: integer histograms send the first bucket's count and then
 * each bucket's difference from the one before; float histograms send the counts.
 * A side with both is malformed.
 */
export function absoluteCounts(b: WireBuckets, side: string): number[] {
  if (b.deltas.length > 0 && b.counts.length > 0) {
    throw new ProtobufError(`${side} buckets are given both as integer deltas and as float counts`);
  }
  if (b.counts.length > 0) return b.counts;
  const out: number[] = new Array<number>(b.deltas.length);
  let c = 0;
  for (let i = 0; i < b.deltas.length; i++) {
    c += b.deltas[i]!;
    if (!Number.isSafeInteger(c)) throw new ProtobufError(`${side} bucket ${i}: count ${c} outside the safe integer range`);
    out[i] = c;
  }
  return out;
}

/** The deltas integer histograms send for absolute counts (which must be integers). */
export function deltasOf(counts: readonly number[]): number[] {
  const out: number[] = new Array<number>(counts.length);
  let prev = 0;
  for (let i = 0; i < counts.length; i++) {
    out[i] = counts[i]! - prev;
    prev = counts[i]!;
  }
  return out;
}

export function writeSpans(w: ProtoWriter, field: number, spans: readonly Span[]): void {
  for (const s of spans) {
    const sw = new ProtoWriter(12);
    if (s.offset !== 0) {
      sw.tag(1, WIRE_VARINT);
      sw.sint64(s.offset);
    }
    if (s.length !== 0) {
      sw.tag(2, WIRE_VARINT);
      sw.uint32(s.length);
    }
    writeBytes(w, field, sw.finish());
  }
}

export function writePackedSint64(w: ProtoWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  const pw = new ProtoWriter(values.length * 2);
  for (const v of values) pw.sint64(v);
  writeBytes(w, field, pw.finish());
}

export function writePackedDoubles(w: ProtoWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  const pw = new ProtoWriter(values.length * 8);
  for (const v of values) pw.double(v);
  writeBytes(w, field, pw.finish());
}

/** Both sides' spans and buckets from field `first` on (negative spans, deltas,
 * counts, then the positive ones): as deltas for an integer histogram, as counts
 * for a float one. */
export function writeBucketSides(
  w: ProtoWriter,
  first: number,
  integer: boolean,
  neg: { spans: readonly Span[]; counts: readonly number[] },
  pos: { spans: readonly Span[]; counts: readonly number[] },
): void {
  for (const [side, base] of [[neg, first], [pos, first + 3]] as const) {
    writeSpans(w, base, side.spans);
    if (integer) writePackedSint64(w, base + 1, deltasOf(side.counts));
    else writePackedDoubles(w, base + 2, side.counts);
  }
}

/** A count that is a uint64 field in integer histograms and a double one in float
 * histograms; a zero integer is left out as proto3 does. */
export function writeCount(w: ProtoWriter, integer: boolean, intField: number, floatField: number, v: number): void {
  if (integer) {
    if (v === 0) return;
    w.tag(intField, WIRE_VARINT);
    w.uint64(v);
  } else {
    w.tag(floatField, WIRE_FIXED64);
    w.double(v);
  }
}

export function writeBytes(w: ProtoWriter, field: number, bytes: Uint8Array): void {
  w.tag(field, WIRE_LEN);
  w.uint32(bytes.length);
  w.raw(bytes);
}

/** Whether every count is an integer that survives as an integer histogram. */
export function allIntegers(values: readonly number[]): boolean {
  for (const v of values) if (!Number.isSafeInteger(v) || v < 0) return false;
  return true;
}
