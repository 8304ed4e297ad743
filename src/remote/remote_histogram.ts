/**
 * Remote write 1.0's prometheus.Histogram:
 *   1 count_int (uint64) | 2 count_float (double), 3 sum (double), 4 schema (sint32),
 *   5 zero_threshold (double), 6 zero_count_int (uint64) | 7 zero_count_float (double),
 *   8 negative_spans, 9 negative_deltas (sint64), 10 negative_counts (double),
 *   11 positive_spans, 12 positive_deltas, 13 positive_counts, 14 reset_hint (enum),
 *   15 timestamp (int64 ms), 16 custom_values (double, schema -53).
 * Integer histograms carry count_int, zero_count_int and bucket deltas; float ones
 * carry the *_float fields and absolute counts. Both become a FloatHistogram here.
 */

import {
  absoluteCounts,
  allIntegers,
  newWireBuckets,
  readDoubles,
  readSint64s,
  readSpan,
  writeBucketSides,
  writeCount,
  writePackedDoubles,
} from "../encoding/native_histogram_wire.js";
import { ProtobufError, ProtoReader, ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import { CounterResetHint, FloatHistogram, isCustomSchema } from "../model/histogram.js";

export interface RemoteHistogram {
  t: number;
  h: FloatHistogram;
  /** Sent with integer counts (count_int): validated as Prometheus validates those. */
  integer: boolean;
}

/** Reads a Histogram from `r` up to `end`. */
export function readRemoteHistogram(r: ProtoReader, end: number): RemoteHistogram {
  const s = new ProtoReader(r.buf, r.pos, end);
  r.pos = end;
  const h = new FloatHistogram();
  const pos = newWireBuckets();
  const neg = newWireBuckets();
  const custom: number[] = [];
  let t = 0;
  let integer = true;
  while (!s.eof()) {
    const key = s.tag();
    const field = key >>> 3;
    const wire = key & 7;
    switch (field) {
      case 1:
        expect(wire, WIRE_VARINT, field);
        h.count = s.uint64();
        integer = true;
        break;
      case 2:
        expect(wire, WIRE_FIXED64, field);
        h.count = s.double();
        integer = false;
        break;
      case 3:
        expect(wire, WIRE_FIXED64, field);
        h.sum = s.double();
        break;
      case 4: {
        expect(wire, WIRE_VARINT, field);
        h.schema = s.sint64();
        break;
      }
      case 5:
        expect(wire, WIRE_FIXED64, field);
        h.zeroThreshold = s.double();
        break;
      case 6:
        expect(wire, WIRE_VARINT, field);
        h.zeroCount = s.uint64();
        break;
      case 7:
        expect(wire, WIRE_FIXED64, field);
        h.zeroCount = s.double();
        break;
      case 8:
        expect(wire, WIRE_LEN, field);
        neg.spans.push(readSpan(s));
        break;
      case 9:
        readSint64s(s, wire, neg.deltas);
        break;
      case 10:
        readDoubles(s, wire, neg.counts);
        break;
      case 11:
        expect(wire, WIRE_LEN, field);
        pos.spans.push(readSpan(s));
        break;
      case 12:
        readSint64s(s, wire, pos.deltas);
        break;
      case 13:
        readDoubles(s, wire, pos.counts);
        break;
      case 14: {
        expect(wire, WIRE_VARINT, field);
        const hint = s.int32();
        if (hint < 0 || hint > 3) throw new ProtobufError(`unknown histogram reset hint ${hint}`);
        h.counterResetHint = hint as CounterResetHint;
        break;
      }
      case 15:
        expect(wire, WIRE_VARINT, field);
        t = s.int64();
        break;
      case 16:
        readDoubles(s, wire, custom);
        break;
      default:
        s.skip(wire, field);
    }
  }
  if (integer && (pos.counts.length > 0 || neg.counts.length > 0)) integer = false;
  h.positiveSpans = pos.spans;
  h.negativeSpans = neg.spans;
  h.positiveBuckets = absoluteCounts(pos, "positive");
  h.negativeBuckets = absoluteCounts(neg, "negative");
  if (custom.length > 0 || isCustomSchema(h.schema)) h.customValues = custom;
  h.integer = integer;
  return { t, h, integer };
}

function expect(wire: number, want: number, field: number): void {
  if (wire !== want) throw new ProtobufError(`histogram field ${field} has unexpected wire type ${wire}`);
}

/** Encodes a Histogram message: as an integer histogram when every count is a whole
 * number (what Prometheus stores for scraped integer histograms), as a float one
 * otherwise. */
export function encodeRemoteHistogram(t: number, h: FloatHistogram): Uint8Array {
  const integer =
    Number.isSafeInteger(h.count) &&
    h.count >= 0 &&
    Number.isSafeInteger(h.zeroCount) &&
    h.zeroCount >= 0 &&
    allIntegers(h.positiveBuckets) &&
    allIntegers(h.negativeBuckets);
  const w = new ProtoWriter(64 + 9 * (h.positiveBuckets.length + h.negativeBuckets.length));
  writeCount(w, integer, 1, 2, h.count);
  if (!Object.is(h.sum, 0)) {
    w.tag(3, WIRE_FIXED64);
    w.double(h.sum);
  }
  if (h.schema !== 0) {
    w.tag(4, WIRE_VARINT);
    w.sint64(h.schema);
  }
  if (h.zeroThreshold !== 0) {
    w.tag(5, WIRE_FIXED64);
    w.double(h.zeroThreshold);
  }
  writeCount(w, integer, 6, 7, h.zeroCount);
  writeBucketSides(w, 8, integer, { spans: h.negativeSpans, counts: h.negativeBuckets }, { spans: h.positiveSpans, counts: h.positiveBuckets });
  if (h.counterResetHint !== CounterResetHint.Unknown) {
    w.tag(14, WIRE_VARINT);
    w.uint32(h.counterResetHint);
  }
  if (t !== 0) {
    w.tag(15, WIRE_VARINT);
    w.int64(t);
  }
  if (h.customValues !== null) writePackedDoubles(w, 16, h.customValues);
  return w.finish();
}
