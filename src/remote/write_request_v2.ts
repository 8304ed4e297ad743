/**
 * Prometheus remote write 2.0 `io.prometheus.write.v2.Request` decoding.
 *
 * Wire schema (field numbers):
 *   Request     4 symbols (repeated string; symbols[0] is ""), 5 timeseries
 *   TimeSeries  1 labels_refs (repeated uint32: name, value, name, value, ...),
 *               2 samples, 3 histograms, 4 exemplars, 5 metadata,
 *               6 created_timestamp (int64 ms)
 *   Sample      1 value (double), 2 timestamp (int64)
 *   Exemplar    1 labels_refs, 2 value (double), 3 timestamp (int64)
 *   Metadata    1 type (enum, as 1.0's), 3 help_ref, 4 unit_ref
 *   Histogram   1 count_int (uint64) | 2 count_float, 3 sum, 4 schema (sint32),
 *               5 zero_threshold, 6 zero_count_int | 7 zero_count_float,
 *               8 negative_spans, 9 negative_deltas (sint64), 10 negative_counts,
 *               11 positive_spans, 12 positive_deltas, 13 positive_counts,
 *               14 reset_hint (enum), 15 timestamp, 16 custom_values
 *   BucketSpan  1 offset (sint32), 2 length (uint32)
 * Symbols may come after the series that use them, so series are read in a second
 * pass. Unknown fields are skipped.
 */

import { expectWire, ProtoReader, ProtobufError, readFields, readMessage, readRepeated, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import type { Label } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { Sample } from "../model/sample.js";
import { readRemoteHistogram, type RemoteHistogram } from "./remote_histogram.js";
import { InvalidWriteRequestError, METRIC_TYPES, type RemoteExemplar } from "./write_request.js";

export interface V2TimeSeries {
  /** In the order the sender wrote them. */
  labels: Label[];
  samples: Sample[];
  histograms: RemoteHistogram[];
  exemplars: RemoteExemplar[];
  metadata: { type: MetricType; help: string; unit: string };
  /** Milliseconds, 0 when unset. Prometheus only uses it behind a feature flag (a
   * zero sample before the series' first); it is decoded and not written. */
  createdTimestamp: number;
}

export interface WriteRequestV2 {
  timeseries: V2TimeSeries[];
}

/** Decodes a (decompressed) remote write 2.0 Request. Throws ProtobufError on
 * malformed input and InvalidWriteRequestError on requests that break the spec
 * (references outside the symbols, odd label references, duplicate or empty label
 * names, histograms whose spans and buckets disagree). */
export function decodeWriteRequestV2(buf: Uint8Array): WriteRequestV2 {
  const r = new ProtoReader(buf);
  const symbols: string[] = [];
  const series: [number, number][] = [];
  readFields(r, r.end, (f, w) => {
    if (f === 4 && expectWire(w, WIRE_LEN, f)) symbols.push(r.string());
    else if (f === 5 && expectWire(w, WIRE_LEN, f)) {
      const end = r.lengthEnd();
      series.push([r.pos, end]);
      r.pos = end;
    } else return false;
    return true;
  });
  if (symbols.length > 0 && symbols[0] !== "") throw new InvalidWriteRequestError(`symbols[0] must be the empty string, got ${JSON.stringify(symbols[0])}`);
  const timeseries = series.map(([start, end], i) => {
    r.pos = start;
    return readTimeSeries(r, end, symbols, i);
  });
  return { timeseries };
}





function symbol(symbols: readonly string[], ref: number, where: string): string {
  if (ref >= symbols.length) throw new InvalidWriteRequestError(`${where}: symbol reference ${ref} outside the ${symbols.length} symbols`);
  return symbols[ref]!;
}

function labelsOf(refs: readonly number[], symbols: readonly string[], where: string): Label[] {
  if (refs.length % 2 !== 0) throw new InvalidWriteRequestError(`${where}: odd number of label references (${refs.length})`);
  const out: Label[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < refs.length; i += 2) {
    const name = symbol(symbols, refs[i]!, where);
    if (name === "") throw new InvalidWriteRequestError(`${where}: empty label name`);
    if (seen.has(name)) throw new InvalidWriteRequestError(`${where}: duplicate label name "${name}"`);
    seen.add(name);
    out.push({ name, value: symbol(symbols, refs[i + 1]!, where) });
  }
  return out;
}

function readTimeSeries(r: ProtoReader, end: number, symbols: readonly string[], index: number): V2TimeSeries {
  const where = `timeseries ${index}`;
  const refs: number[] = [];
  const samples: Sample[] = [];
  const histograms: RemoteHistogram[] = [];
  const exemplars: RemoteExemplar[] = [];
  let type: MetricType = "unknown";
  let helpRef = 0;
  let unitRef = 0;
  let createdTimestamp = 0;
  readFields(r, end, (f, w) => {
    switch (f) {
      case 1:
        readRepeated(r, w, WIRE_VARINT, f, () => r.uint32(), refs);
        return true;
      case 2:
        expectWire(w, WIRE_LEN, f);
        samples.push(readSample(r));
        return true;
      case 3:
        expectWire(w, WIRE_LEN, f);
        histograms.push(readRemoteHistogram(r, r.lengthEnd()));
        return true;
      case 4: {
        expectWire(w, WIRE_LEN, f);
        const exRefs: number[] = [];
        const ex = { t: 0, v: 0 };
        readMessage(r, (g, v) => {
          if (g === 1) readRepeated(r, v, WIRE_VARINT, g, () => r.uint32(), exRefs);
          else if (g === 2 && expectWire(v, WIRE_FIXED64, g)) ex.v = r.double();
          else if (g === 3 && expectWire(v, WIRE_VARINT, g)) ex.t = r.int64();
          else return false;
          return true;
        });
        exemplars.push({ labels: labelsOf(exRefs, symbols, `${where}, exemplar ${exemplars.length}`), t: ex.t, v: ex.v });
        return true;
      }
      case 5:
        expectWire(w, WIRE_LEN, f);
        readMessage(r, (g, v) => {
          if (g === 1 && expectWire(v, WIRE_VARINT, g)) type = METRIC_TYPES[r.int32()] ?? "unknown";
          else if (g === 3 && expectWire(v, WIRE_VARINT, g)) helpRef = r.uint32();
          else if (g === 4 && expectWire(v, WIRE_VARINT, g)) unitRef = r.uint32();
          else return false;
          return true;
        });
        return true;
      case 6:
        expectWire(w, WIRE_VARINT, f);
        createdTimestamp = r.int64();
        return true;
      default:
        return false;
    }
  });
  return {
    labels: labelsOf(refs, symbols, where),
    samples,
    histograms,
    exemplars,
    metadata: { type, help: symbol(symbols, helpRef, where), unit: symbol(symbols, unitRef, where) },
    createdTimestamp,
  };
}

function readSample(r: ProtoReader): Sample {
  const s = { t: 0, v: 0 };
  readMessage(r, (f, w) => {
    if (f === 1 && expectWire(w, WIRE_FIXED64, f)) s.v = r.double();
    else if (f === 2 && expectWire(w, WIRE_VARINT, f)) s.t = r.int64();
    else return false;
    return true;
  });
  return s;
}

