/**
 * The layout part of a histogram chunk, written once after the first sample's
 * timestamp position (Prometheus' histogram_meta.go): zero threshold, schema, positive
 * and negative spans, and for custom buckets their upper bounds.
 *
 *   zero threshold  one byte: 0 for 0, 243+e for the power of two 2^(e-1) with
 *                   -242 <= e <= 11 (the default 2^-128 is byte 116), else 255 and
 *                   the float's 64 bits
 *   schema          varbit int
 *   spans           varbit uint count, then per span varbit uint length, varbit int
 *                   offset (positive spans, then negative spans)
 *   custom bounds   (schema -53 only) varbit uint count, then per bound: a multiple of
 *                   0.001 in [0, 33554.43] as varbit uint (bound*1000 + 1), anything
 *                   else a 0 bit and the float's 64 bits
 */

import type { Span } from "../model/histogram.js";
import { isCustomSchema } from "../model/histogram.js";
import { type BitReader, ChunkCorruptError } from "./bstream.js";
import { floatFromBits, hiBits, loBits, splitFloat } from "./floatbits.js";
import { type BitSink, putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from "./varbit.js";

export interface HistogramLayout {
  schema: number;
  zeroThreshold: number;
  positiveSpans: Span[];
  negativeSpans: Span[];
  customValues: number[] | null;
}

function putFloat(w: BitSink, v: number): void {
  splitFloat(v);
  const hi = hiBits();
  const lo = loBits();
  w.put(hi, 32);
  w.put(lo, 32);
}

function readFloat(r: BitReader): number {
  const hi = r.readBits(32);
  const lo = r.readBits(32);
  return floatFromBits(hi, lo);
}

/** The exponent byte of a power-of-two zero threshold, or 255. */
function thresholdByte(z: number): number {
  if (!(z > 0) || !Number.isFinite(z)) return 255;
  const e = Math.round(Math.log2(z));
  for (const k of [e - 1, e, e + 1]) {
    if (2 ** k === z) {
      // frexp: z = 0.5 * 2^(k+1).
      const exp = k + 1;
      return exp >= -242 && exp <= 11 ? exp + 243 : 255;
    }
  }
  return 255;
}

export function putZeroThreshold(w: BitSink, z: number): void {
  if (z === 0) {
    w.put(0, 8);
    return;
  }
  const b = thresholdByte(z);
  w.put(b, 8);
  if (b === 255) putFloat(w, z);
}

export function readZeroThreshold(r: BitReader): number {
  const b = r.readBits(8);
  if (b === 0) return 0;
  if (b === 255) return readFloat(r);
  return 2 ** (b - 244);
}

function putSpans(w: BitSink, spans: readonly Span[]): void {
  putVarbitUint(w, spans.length);
  for (const s of spans) {
    putVarbitUint(w, s.length);
    putVarbitInt(w, s.offset);
  }
}

function readSpans(r: BitReader): Span[] {
  const n = readVarbitUint(r);
  if (n > 1 << 20) throw new ChunkCorruptError(`histogram chunk claims ${n} spans`);
  const out: Span[] = [];
  for (let i = 0; i < n; i++) {
    const length = readVarbitUint(r);
    const offset = readVarbitInt(r);
    out.push({ offset, length });
  }
  return out;
}

export function putCustomBound(w: BitSink, f: number): void {
  const tf = f * 1000;
  if (tf < 0 || tf > 33554430 || Math.round(tf) / 1000 !== f) {
    w.put(0, 1);
    putFloat(w, f);
    return;
  }
  putVarbitUint(w, Math.round(tf) + 1);
}

export function readCustomBound(r: BitReader): number {
  const v = readVarbitUint(r);
  return v === 0 ? readFloat(r) : (v - 1) / 1000;
}

export function putLayout(w: BitSink, l: HistogramLayout): void {
  putZeroThreshold(w, l.zeroThreshold);
  putVarbitInt(w, l.schema);
  putSpans(w, l.positiveSpans);
  putSpans(w, l.negativeSpans);
  if (isCustomSchema(l.schema)) {
    const c = l.customValues ?? [];
    putVarbitUint(w, c.length);
    for (const b of c) putCustomBound(w, b);
  }
}

export function readLayout(r: BitReader): HistogramLayout {
  const zeroThreshold = readZeroThreshold(r);
  const schema = readVarbitInt(r);
  if (!(schema >= -4 && schema <= 8) && !isCustomSchema(schema)) throw new ChunkCorruptError(`unknown histogram schema ${schema}`);
  const positiveSpans = readSpans(r);
  const negativeSpans = readSpans(r);
  let customValues: number[] | null = null;
  if (isCustomSchema(schema)) {
    const n = readVarbitUint(r);
    if (n > 1 << 20) throw new ChunkCorruptError(`histogram chunk claims ${n} custom bounds`);
    customValues = [];
    for (let i = 0; i < n; i++) customValues.push(readCustomBound(r));
  }
  return { schema, zeroThreshold, positiveSpans, negativeSpans, customValues };
}

export function countSpans(spans: readonly Span[]): number {
  let n = 0;
  for (const s of spans) n += s.length;
  return n;
}

/** Absolute bucket indices of spans, in order. */
export function spanIndices(spans: readonly Span[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const s of spans) {
    i += s.offset;
    for (let k = 0; k < s.length; k++) out.push(i++);
  }
  return out;
}

/** Spans covering sorted distinct indices, adjacent indices in one span. */
export function spansOf(indices: readonly number[]): Span[] {
  const spans: Span[] = [];
  let last = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (spans.length > 0 && i === last + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: spans.length === 0 ? i : i - last - 1, length: 1 });
    last = i;
  }
  return spans;
}
