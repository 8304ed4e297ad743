import { FloatHistogram, isCustomSchema, type Span } from "../model/histogram.js";
import { ByteReader, ByteWriter } from "./byte_io.js";

/**
 * Native histogram samples as bytes, for the append RPC (a FloatHistogram does not
 * survive structured clone as its class) and for WAL records: per sample the
 * timestamp, counter reset hint (plus 4 for an integer histogram), schema, zero
 * threshold and counts, spans, buckets and custom bounds (or, for a float among them,
 * a marker and its value). Floats are written as their 64 bits, so stale markers and
 * NaN payloads come back exactly.
 */

export interface HistogramSample {
  t: number;
  h: FloatHistogram;
}

/** A sample of a series that has native histograms: a histogram, or a float (`h`
 * absent) kept in order among them. */
export interface MixedSample {
  t: number;
  v?: number;
  h?: FloatHistogram;
}

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

function f64(w: ByteWriter, v: number): void {
  scratch.setFloat64(0, v, true);
  w.bytes(scratchBytes);
}

function readF64(r: ByteReader): number {
  scratchBytes.set(r.bytes(8));
  return scratch.getFloat64(0, true);
}

function spans(w: ByteWriter, list: readonly Span[]): void {
  w.uvarint(list.length);
  for (const s of list) {
    w.svarint(s.offset);
    w.uvarint(s.length);
  }
}

function readSpans(r: ByteReader): Span[] {
  const n = r.uvarint();
  const out: Span[] = [];
  for (let i = 0; i < n; i++) out.push({ offset: r.svarint(), length: r.uvarint() });
  return out;
}

function floats(w: ByteWriter, list: readonly number[]): void {
  w.uvarint(list.length);
  for (const v of list) f64(w, v);
}

function readFloats(r: ByteReader): number[] {
  const n = r.uvarint();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(readF64(r));
  return out;
}

/** Hint values are 0-3; this one marks a float sample. */
const FLOAT = 15;
/** Added to the hint of an integer histogram (records from before it are float ones). */
const INTEGER = 4;

export function encodeHistogramSamples(samples: readonly MixedSample[]): Uint8Array {
  const w = new ByteWriter(64 + samples.length * 64);
  w.uvarint(samples.length);
  for (const { t, h, v } of samples) {
    w.svarint(t);
    if (h === undefined) {
      w.uvarint(FLOAT);
      f64(w, v ?? 0);
      continue;
    }
    w.uvarint(h.counterResetHint + (h.integer ? INTEGER : 0));
    w.svarint(h.schema);
    f64(w, h.zeroThreshold);
    f64(w, h.zeroCount);
    f64(w, h.count);
    f64(w, h.sum);
    spans(w, h.positiveSpans);
    floats(w, h.positiveBuckets);
    spans(w, h.negativeSpans);
    floats(w, h.negativeBuckets);
    if (isCustomSchema(h.schema)) floats(w, h.customValues ?? []);
  }
  return w.finish();
}

export function decodeHistogramSamples(data: Uint8Array): MixedSample[] {
  const r = new ByteReader(data);
  const n = r.uvarint();
  const out: MixedSample[] = [];
  for (let i = 0; i < n; i++) {
    const t = r.svarint();
    const hint = r.uvarint();
    if (hint === FLOAT) {
      out.push({ t, v: readF64(r) });
      continue;
    }
    const h = new FloatHistogram();
    h.counterResetHint = hint % INTEGER;
    h.integer = hint >= INTEGER;
    h.schema = r.svarint();
    h.zeroThreshold = readF64(r);
    h.zeroCount = readF64(r);
    h.count = readF64(r);
    h.sum = readF64(r);
    h.positiveSpans = readSpans(r);
    h.positiveBuckets = readFloats(r);
    h.negativeSpans = readSpans(r);
    h.negativeBuckets = readFloats(r);
    if (isCustomSchema(h.schema)) h.customValues = readFloats(r);
    out.push({ t, h });
  }
  return out;
}
