/**
 * Prometheus remote write 1.0 `prometheus.WriteRequest` decoding and encoding.
 *
 * Wire schema (field numbers):
 *   WriteRequest   1 timeseries (repeated TimeSeries), 3 metadata (repeated MetricMetadata)
 *   TimeSeries     1 labels (repeated Label), 2 samples (repeated Sample),
 *                  3 exemplars (repeated Exemplar), 4 histograms (see remote_histogram.ts)
 *   Label          1 name, 2 value
 *   Sample         1 value (double), 2 timestamp (int64, ms)
 *   Exemplar       1 labels (repeated Label), 2 value (double), 3 timestamp (int64)
 *   MetricMetadata 1 type (enum), 2 metric_family_name, 4 help, 5 unit
 * Unknown fields are skipped.
 */

import type { Label, Labels } from "../model/labels.js";
import { sortLabels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { Sample } from "../model/sample.js";
import {
  ProtoReader,
  ProtoWriter,
  ProtobufError,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  int64Length,
  utf8Length,
  varintLength,
} from "../encoding/protobuf.js";
import type { FloatHistogram } from "../model/histogram.js";
import { encodeRemoteHistogram, readRemoteHistogram, type RemoteHistogram } from "./remote_histogram.js";
import { DEFAULT_MAX_DECODED_LENGTH, SnappyError, snappyCompress, snappyDecompress } from "./snappy.js";

export interface RemoteExemplar {
  labels: Label[];
  t: number;
  v: number;
}

export interface RemoteTimeSeries {
  /** In the order the sender wrote them; see `sortedLabels`. */
  labels: Label[];
  samples: Sample[];
  exemplars: RemoteExemplar[];
  /** Native histogram samples, in the order sent. */
  histograms: RemoteHistogram[];
}

export interface RemoteMetadata {
  type: MetricType;
  family: string;
  help: string;
  unit: string;
}

export interface WriteRequest {
  timeseries: RemoteTimeSeries[];
  metadata: RemoteMetadata[];
}

/** What the encoder needs; exemplars and metadata are optional. */
export interface WriteRequestInput {
  timeseries: ReadonlyArray<{
    labels: readonly Label[];
    samples: readonly Sample[];
    exemplars?: ReadonlyArray<{ labels: readonly Label[]; t: number; v: number }>;
    histograms?: ReadonlyArray<{ t: number; h: FloatHistogram }>;
  }>;
  metadata?: ReadonlyArray<RemoteMetadata>;
}

/** A well-formed message that breaks remote write's rules (empty or duplicate label
 * names). */
export class InvalidWriteRequestError extends Error {
  override name = "InvalidWriteRequestError";
}

/** True for every error the decoders throw on bad input (answer such requests 400). */
export function isRemoteDecodeError(e: unknown): e is Error {
  return e instanceof ProtobufError || e instanceof SnappyError || e instanceof InvalidWriteRequestError;
}

const METRIC_TYPES: readonly MetricType[] = [
  "unknown",
  "counter",
  "gauge",
  "histogram",
  "gaugehistogram",
  "summary",
  "info",
  "stateset",
];

function metricTypeNumber(t: MetricType): number {
  const i = METRIC_TYPES.indexOf(t);
  return i < 0 ? 0 : i;
}

// Field keys (field number << 3 | wire type) of the fields we read.
const KEY_WR_TIMESERIES = (1 << 3) | WIRE_LEN;
const KEY_WR_METADATA = (3 << 3) | WIRE_LEN;
const KEY_TS_LABEL = (1 << 3) | WIRE_LEN;
const KEY_TS_SAMPLE = (2 << 3) | WIRE_LEN;
const KEY_TS_EXEMPLAR = (3 << 3) | WIRE_LEN;
const KEY_TS_HISTOGRAM = (4 << 3) | WIRE_LEN;
const KEY_LABEL_NAME = (1 << 3) | WIRE_LEN;
const KEY_LABEL_VALUE = (2 << 3) | WIRE_LEN;
const KEY_SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64;
const KEY_SAMPLE_TS = (2 << 3) | WIRE_VARINT;
const KEY_EX_LABEL = (1 << 3) | WIRE_LEN;
const KEY_EX_VALUE = (2 << 3) | WIRE_FIXED64;
const KEY_EX_TS = (3 << 3) | WIRE_VARINT;
const KEY_MD_TYPE = (1 << 3) | WIRE_VARINT;
const KEY_MD_FAMILY = (2 << 3) | WIRE_LEN;
const KEY_MD_HELP = (4 << 3) | WIRE_LEN;
const KEY_MD_UNIT = (5 << 3) | WIRE_LEN;

/** Skips a field we do not know; a known field number with the wrong wire type is an
 * error (it would mean the sender uses a different schema). */
function skipField(r: ProtoReader, key: number, known: number): void {
  const field = key >>> 3;
  if (field <= 31 && (known & (1 << field)) !== 0) {
    throw new ProtobufError(`field ${field} has unexpected wire type ${key & 7}`);
  }
  r.skip(key & 7, field);
}

/** Decodes a (decompressed) WriteRequest. Throws ProtobufError on malformed input and
 * InvalidWriteRequestError on empty or duplicate label names. */
export function decodeWriteRequest(buf: Uint8Array): WriteRequest {
  const r = new ProtoReader(buf);
  const timeseries: RemoteTimeSeries[] = [];
  const metadata: RemoteMetadata[] = [];
  while (r.pos < r.end) {
    const key = r.tag();
    if (key === KEY_WR_TIMESERIES) {
      const end = r.lengthEnd();
      timeseries.push(readTimeSeries(r, end, timeseries.length));
    } else if (key === KEY_WR_METADATA) {
      const end = r.lengthEnd();
      metadata.push(readMetadata(r, end));
    } else {
      skipField(r, key, (1 << 1) | (1 << 3));
    }
  }
  return { timeseries, metadata };
}

/** Runs `r` over [r.pos, end) and restores the outer limit afterwards. */
function readTimeSeries(r: ProtoReader, end: number, index: number): RemoteTimeSeries {
  const outer = r.end;
  r.end = end;
  const labels: Label[] = [];
  const samples: Sample[] = [];
  const exemplars: RemoteExemplar[] = [];
  const histograms: RemoteHistogram[] = [];
  while (r.pos < end) {
    const key = r.tag();
    if (key === KEY_TS_SAMPLE) {
      const e = r.lengthEnd();
      samples.push(readSample(r, e));
    } else if (key === KEY_TS_LABEL) {
      const e = r.lengthEnd();
      labels.push(readLabel(r, e));
    } else if (key === KEY_TS_EXEMPLAR) {
      const e = r.lengthEnd();
      exemplars.push(readExemplar(r, e));
    } else if (key === KEY_TS_HISTOGRAM) {
      const e = r.lengthEnd();
      histograms.push(readRemoteHistogram(r, e));
    } else {
      skipField(r, key, (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4));
    }
  }
  r.end = outer;
  validateLabels(labels, index);
  return { labels, samples, exemplars, histograms };
}

function readLabel(r: ProtoReader, end: number): Label {
  const outer = r.end;
  r.end = end;
  let name = "";
  let value = "";
  while (r.pos < end) {
    const key = r.tag();
    if (key === KEY_LABEL_NAME) name = r.string();
    else if (key === KEY_LABEL_VALUE) value = r.string();
    else skipField(r, key, (1 << 1) | (1 << 2));
  }
  r.end = outer;
  return { name, value };
}

function readSample(r: ProtoReader, end: number): Sample {
  const outer = r.end;
  r.end = end;
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const key = r.tag();
    if (key === KEY_SAMPLE_VALUE) v = r.double();
    else if (key === KEY_SAMPLE_TS) t = r.int64();
    else skipField(r, key, (1 << 1) | (1 << 2));
  }
  r.end = outer;
  return { t, v };
}

function readExemplar(r: ProtoReader, end: number): RemoteExemplar {
  const outer = r.end;
  r.end = end;
  const labels: Label[] = [];
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const key = r.tag();
    if (key === KEY_EX_LABEL) {
      const e = r.lengthEnd();
      labels.push(readLabel(r, e));
    } else if (key === KEY_EX_VALUE) v = r.double();
    else if (key === KEY_EX_TS) t = r.int64();
    else skipField(r, key, (1 << 1) | (1 << 2) | (1 << 3));
  }
  r.end = outer;
  return { labels, t, v };
}

function readMetadata(r: ProtoReader, end: number): RemoteMetadata {
  const outer = r.end;
  r.end = end;
  let type: MetricType = "unknown";
  let family = "";
  let help = "";
  let unit = "";
  while (r.pos < end) {
    const key = r.tag();
    if (key === KEY_MD_TYPE) type = METRIC_TYPES[r.int32()] ?? "unknown";
    else if (key === KEY_MD_FAMILY) family = r.string();
    else if (key === KEY_MD_HELP) help = r.string();
    else if (key === KEY_MD_UNIT) unit = r.string();
    else skipField(r, key, (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5));
  }
  r.end = outer;
  return { type, family, help, unit };
}

function validateLabels(labels: readonly Label[], index: number): void {
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const name = labels[i]!.name;
    if (name === "") throw new InvalidWriteRequestError(`timeseries ${index}: empty label name`);
    if (n <= 32) {
      for (let j = 0; j < i; j++) {
        if (labels[j]!.name === name) {
          throw new InvalidWriteRequestError(`timeseries ${index}: duplicate label name "${name}"`);
        }
      }
    }
  }
  if (n > 32) {
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l.name)) {
        throw new InvalidWriteRequestError(`timeseries ${index}: duplicate label name "${l.name}"`);
      }
      seen.add(l.name);
    }
  }
}

/** The series' labels as the model's sorted Labels: a sorted copy without labels whose
 * value is empty (Prometheus treats an empty value as the label being absent). */
export function sortedLabels(labels: readonly Label[]): Labels {
  const out: Label[] = [];
  for (const l of labels) if (l.value !== "") out.push(l);
  return sortLabels(out);
}

// --- encoding ---------------------------------------------------------------------

function stringFieldSize(byteLength: number): number {
  return byteLength === 0 ? 0 : 1 + varintLength(byteLength) + byteLength;
}

function labelSize(l: Label): number {
  return stringFieldSize(utf8Length(l.name)) + stringFieldSize(utf8Length(l.value));
}

function isPositiveZero(v: number): boolean {
  return v === 0 && 1 / v > 0;
}

function sampleSize(t: number, v: number): number {
  return (isPositiveZero(v) ? 0 : 9) + (t === 0 ? 0 : 1 + int64Length(t));
}

function nestedSize(size: number): number {
  return 1 + varintLength(size) + size;
}

function writeLabel(w: ProtoWriter, l: Label): void {
  const nl = utf8Length(l.name);
  const vl = utf8Length(l.value);
  w.tag(1, WIRE_LEN);
  w.uint32(stringFieldSize(nl) + stringFieldSize(vl));
  if (nl > 0) {
    w.tag(1, WIRE_LEN);
    w.stringWithLength(l.name, nl);
  }
  if (vl > 0) {
    w.tag(2, WIRE_LEN);
    w.stringWithLength(l.value, vl);
  }
}

/** Writes value (field `vf`) and timestamp (field `tf`), omitting proto3 defaults;
 * -0 is written so that its sign survives. */
function writeValueAndTime(w: ProtoWriter, t: number, v: number, vf: number, tf: number): void {
  if (!isPositiveZero(v)) {
    w.tag(vf, WIRE_FIXED64);
    w.double(v);
  }
  if (t !== 0) {
    w.tag(tf, WIRE_VARINT);
    w.int64(t);
  }
}

function checkTimestamp(t: number): void {
  if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer`);
}

/** Encodes a WriteRequest (not compressed; see encodeRemoteWriteBody). Empty label
 * values and zero values/timestamps are omitted as proto3 does. */
export function encodeWriteRequest(req: WriteRequestInput): Uint8Array {
  // Pass 1: sizes of every TimeSeries so that lengths can be written up front.
  const tsSizes: number[] = [];
  const histBytes: Uint8Array[][] = [];
  let total = 0;
  for (const ts of req.timeseries) {
    let size = 0;
    const hb: Uint8Array[] = [];
    for (const x of ts.histograms ?? []) {
      checkTimestamp(x.t);
      const bytes = encodeRemoteHistogram(x.t, x.h);
      hb.push(bytes);
      size += nestedSize(bytes.length);
    }
    histBytes.push(hb);
    for (const l of ts.labels) size += nestedSize(labelSize(l));
    for (const s of ts.samples) {
      checkTimestamp(s.t);
      size += nestedSize(sampleSize(s.t, s.v));
    }
    if (ts.exemplars) {
      for (const e of ts.exemplars) {
        checkTimestamp(e.t);
        let es = 0;
        for (const l of e.labels) es += nestedSize(labelSize(l));
        es += (isPositiveZero(e.v) ? 0 : 9) + (e.t === 0 ? 0 : 1 + int64Length(e.t));
        size += nestedSize(es);
      }
    }
    tsSizes.push(size);
    total += nestedSize(size);
  }
  const metadata = req.metadata ?? [];
  for (const m of metadata) total += nestedSize(metadataSize(m));

  // Pass 2: write.
  const w = new ProtoWriter(total);
  let i = 0;
  for (const ts of req.timeseries) {
    w.tag(1, WIRE_LEN);
    w.uint32(tsSizes[i++]!);
    for (const l of ts.labels) writeLabel(w, l);
    for (const s of ts.samples) {
      w.tag(2, WIRE_LEN);
      w.uint32(sampleSize(s.t, s.v));
      writeValueAndTime(w, s.t, s.v, 1, 2);
    }
    if (ts.exemplars) {
      for (const e of ts.exemplars) {
        let es = 0;
        for (const l of e.labels) es += nestedSize(labelSize(l));
        es += (isPositiveZero(e.v) ? 0 : 9) + (e.t === 0 ? 0 : 1 + int64Length(e.t));
        w.tag(3, WIRE_LEN);
        w.uint32(es);
        for (const l of e.labels) writeLabel(w, l);
        writeValueAndTime(w, e.t, e.v, 2, 3);
      }
    }
    for (const bytes of histBytes[i - 1]!) {
      w.tag(4, WIRE_LEN);
      w.uint32(bytes.length);
      w.raw(bytes);
    }
  }
  for (const m of metadata) {
    w.tag(3, WIRE_LEN);
    w.uint32(metadataSize(m));
    const type = metricTypeNumber(m.type);
    if (type !== 0) {
      w.tag(1, WIRE_VARINT);
      w.uint32(type);
    }
    if (m.family !== "") {
      w.tag(2, WIRE_LEN);
      w.string(m.family);
    }
    if (m.help !== "") {
      w.tag(4, WIRE_LEN);
      w.string(m.help);
    }
    if (m.unit !== "") {
      w.tag(5, WIRE_LEN);
      w.string(m.unit);
    }
  }
  return w.finish();
}

function metadataSize(m: RemoteMetadata): number {
  const type = metricTypeNumber(m.type);
  return (
    (type === 0 ? 0 : 2) +
    stringFieldSize(utf8Length(m.family)) +
    stringFieldSize(utf8Length(m.help)) +
    stringFieldSize(utf8Length(m.unit))
  );
}

export interface RemoteWriteBodyOptions {
  /** Largest accepted decompressed size (default 32 MiB). */
  maxDecodedBytes?: number;
}

/** Decodes a remote write HTTP body: snappy block, then WriteRequest. */
export function decodeRemoteWriteBody(body: Uint8Array, opts: RemoteWriteBodyOptions = {}): WriteRequest {
  return decodeWriteRequest(snappyDecompress(body, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_LENGTH));
}

/** Encodes and snappy-compresses a WriteRequest, ready to POST with
 * `Content-Encoding: snappy` and `Content-Type: application/x-protobuf`. */
export function encodeRemoteWriteBody(req: WriteRequestInput): Uint8Array {
  return snappyCompress(encodeWriteRequest(req));
}
