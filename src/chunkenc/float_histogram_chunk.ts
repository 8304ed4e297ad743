/**
 * Native histogram chunks with float counts, laid out bit for bit like Prometheus'
 * FloatHistogramChunk (tsdb/chunkenc/float_histogram.go):
 *
 *   bytes 0-1  number of samples, big-endian uint16
 *   byte 2     counter reset header in its top two bits: 00 unknown, 10 counter
 *              reset, 01 not a counter reset, 11 gauge histogram chunk
 *   sample 0   the layout (histogram_layout.ts), the timestamp as a varbit int, then
 *              count, zero count, sum and every positive then negative bucket as raw
 *              64-bit floats
 *   sample n   the timestamp's delta-of-delta as a varbit int (the delta before sample
 *              1 counts as 0), then count, zero count and sum XOR-encoded against the
 *              previous sample as in XOR chunks, then each bucket XOR-encoded against
 *              the same bucket of the previous sample; a stale marker (sum is the
 *              stale NaN) has no buckets
 *
 * Every histogram of a chunk has the chunk's layout. A histogram with new buckets
 * rewrites the chunk with the union of buckets (the old samples get empty ones), one
 * missing buckets the chunk has empty gets them; anything else that does not fit (a
 * counter reset, a schema or zero threshold change, a stale marker followed by a
 * histogram, gauge after counter) needs a new chunk, which the caller cuts.
 */

import { BitReader, BitWriter, ChunkCorruptError } from "./bstream.js";
import { floatFromBits, hiBits, loBits, splitFloat } from "./floatbits.js";
import { CounterResetHint, FloatHistogram, type Span, isCustomSchema } from "../model/histogram.js";
import { STALE_NAN } from "../model/sample.js";
import { type HistogramLayout, countSpans, putLayout, readLayout, spanIndices, spansOf } from "./histogram_layout.js";
import { type BitSink, putVarbitInt, readVarbitInt } from "./varbit.js";
import { OutOfOrderSampleError } from "./xor.js";

export const HISTOGRAM_HEADER_BYTES = 3;
const MAX_SAMPLES = 0xffff;

/** The counter reset header of a chunk (its third byte's top bits). */
export enum CounterResetHeader {
  Unknown = 0b00,
  CounterReset = 0b10,
  NotCounterReset = 0b01,
  Gauge = 0b11,
}

export function headerOfHint(h: CounterResetHint): CounterResetHeader {
  switch (h) {
    case CounterResetHint.CounterReset:
      return CounterResetHeader.CounterReset;
    case CounterResetHint.NotCounterReset:
      return CounterResetHeader.NotCounterReset;
    case CounterResetHint.Gauge:
      return CounterResetHeader.Gauge;
    default:
      return CounterResetHeader.Unknown;
  }
}

export function chunkHeader(bytes: Uint8Array): CounterResetHeader {
  if (bytes.length < HISTOGRAM_HEADER_BYTES) throw new ChunkCorruptError(`histogram chunk of ${bytes.length} bytes has no header`);
  return bytes[2]! >>> 6;
}

function isStaleBits(hi: number, lo: number): boolean {
  return (hi & ~0x00080000) >>> 0 === 0x7ff00000 && lo === 2;
}

/** Why a histogram cannot continue a chunk. */
export type CutReason = "counter_reset" | "layout";

/** A bit writer that remembers, as Prometheus' bstream would, whether the stream ends
 * with an empty byte (its last write was whole bytes starting on a byte boundary). */
class HistogramWriter implements BitSink {
  readonly w = new BitWriter(HISTOGRAM_HEADER_BYTES, 256);
  padByte = false;

  put(v: number, n: number): void {
    if (n === 0) return;
    this.w.writeBits(v, n);
    this.padByte = n % 8 === 0 && (this.w.bitLength() & 7) === 0;
  }

  /** Writes the low n bits (n <= 64) of hi:lo as one field. */
  put64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.w.writeBits(hi >>> 0, n - 32);
      this.w.writeBits(lo >>> 0, 32);
    } else {
      this.w.writeBits(lo >>> 0, n);
    }
    this.padByte = n % 8 === 0 && (this.w.bitLength() & 7) === 0;
  }
}

/** (hi:lo) >>> s as a (hi, lo) pair. */
function shr64(hi: number, lo: number, s: number): [number, number] {
  if (s === 0) return [hi >>> 0, lo >>> 0];
  if (s >= 32) return [0, hi >>> (s - 32)];
  return [hi >>> s, ((lo >>> s) | (hi << (32 - s))) >>> 0];
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * A float histogram chunk being built. Appends must have strictly increasing
 * timestamps. `append` returns a CutReason instead of appending when the histogram
 * needs a new chunk.
 */
export class FloatHistogramChunk {
  private w = new HistogramWriter();
  private num = 0;
  private header = CounterResetHeader.Unknown;
  private layout: HistogramLayout = { schema: 0, zeroThreshold: 0, positiveSpans: [], negativeSpans: [], customValues: null };
  private pIdx: number[] = [];
  private nIdx: number[] = [];
  private firstT = 0;
  private t = 0;
  private tDelta = 0;
  // XOR state per field: 0 count, 1 zero count, 2 sum, then positive and negative buckets.
  private vhi = new Uint32Array(3);
  private vlo = new Uint32Array(3);
  private lead = new Uint8Array(3);
  private trail = new Uint8Array(3);

  /** A new empty chunk whose counter reset header is `header`. */
  constructor(header = CounterResetHeader.Unknown) {
    this.header = header;
  }

  /** Reopens an encoded chunk to append to it; appending continues the bytes exactly
   * as if every sample had been appended to this object. */
  static open(bytes: Uint8Array): FloatHistogramChunk {
    const c = new FloatHistogramChunk(chunkHeader(bytes));
    const it = new FloatHistogramIterator(bytes);
    while (it.next()) c.appendRaw(it.t, it.rawHistogram());
    return c;
  }

  numSamples(): number {
    return this.num;
  }

  counterResetHeader(): CounterResetHeader {
    return this.header;
  }

  isGauge(): boolean {
    return this.header === CounterResetHeader.Gauge;
  }

  minTime(): number {
    return this.num === 0 ? NaN : this.firstT;
  }

  maxTime(): number {
    return this.num === 0 ? NaN : this.t;
  }

  size(): number {
    return ((this.w.w.bitLength() + 7) >>> 3) + (this.w.padByte ? 1 : 0);
  }

  /** Whether the last histogram appended was a stale marker. */
  lastIsStale(): boolean {
    return this.num > 0 && isStaleBits(this.vhi[2]!, this.vlo[2]!);
  }

  private value(i: number): number {
    return floatFromBits(this.vhi[i]!, this.vlo[i]!);
  }

  /**
   * Appends h at t, or returns why it needs a new chunk (appending nothing). The first
   * histogram of an empty chunk is always appended; a gauge histogram (hint Gauge)
   * makes the chunk a gauge chunk.
   */
  append(t: number, h: FloatHistogram): CutReason | null {
    if (this.num >= MAX_SAMPLES) throw new RangeError(`chunk full (${MAX_SAMPLES} samples)`);
    if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer`);
    if (this.num > 0 && t <= this.t) throw new OutOfOrderSampleError(`timestamp ${t} is not after the chunk's last timestamp ${this.t}`);
    const stale = isStaleHistogram(h);
    if (this.num === 0) {
      if (h.counterResetHint === CounterResetHint.Gauge) this.header = CounterResetHeader.Gauge;
      else if (h.counterResetHint === CounterResetHint.CounterReset) this.header = CounterResetHeader.CounterReset;
      this.appendRaw(t, stale ? staleHistogram() : h);
      return null;
    }
    const gauge = h.counterResetHint === CounterResetHint.Gauge;
    const why = gauge ? this.appendableGauge(h, stale) : this.appendable(h, stale);
    if (why !== null) return why;
    if (stale) {
      this.appendRaw(t, staleHistogram());
      return null;
    }
    const p = mergeIndices(this.pIdx, spanIndices(h.positiveSpans));
    const n = mergeIndices(this.nIdx, spanIndices(h.negativeSpans));
    if (p.length !== this.pIdx.length || n.length !== this.nIdx.length) this.recode(p, n);
    this.appendRaw(t, this.expand(h));
    return null;
  }

  /** The counter reset check of Prometheus' appendable(): null when h continues the
   * chunk. */
  appendableCheck(h: FloatHistogram): CutReason | null {
    if (this.num === 0) return null;
    const stale = isStaleHistogram(h);
    return h.counterResetHint === CounterResetHint.Gauge ? this.appendableGauge(h, stale) : this.appendable(h, stale);
  }

  private appendable(h: FloatHistogram, stale: boolean): CutReason | null {
    if (this.isGauge()) return "layout";
    if (h.counterResetHint === CounterResetHint.CounterReset) return "counter_reset";
    if (stale) return null;
    if (this.lastIsStale()) return "layout";
    if (h.count < this.value(0)) return "counter_reset";
    const l = this.layout;
    if (h.schema !== l.schema || h.zeroThreshold !== l.zeroThreshold) return "layout";
    if (isCustomSchema(h.schema) && !sameBounds(h.customValues, l.customValues)) return "counter_reset";
    if (h.zeroCount < this.value(1)) return "counter_reset";
    if (!this.bucketsGrew(this.pIdx, 3, h.positiveSpans, h.positiveBuckets)) return "counter_reset";
    if (!this.bucketsGrew(this.nIdx, 3 + this.pIdx.length, h.negativeSpans, h.negativeBuckets)) return "counter_reset";
    return null;
  }

  private appendableGauge(h: FloatHistogram, stale: boolean): CutReason | null {
    if (!this.isGauge()) return "layout";
    if (stale) return null;
    if (this.lastIsStale()) return "layout";
    const l = this.layout;
    if (h.schema !== l.schema || h.zeroThreshold !== l.zeroThreshold) return "layout";
    if (isCustomSchema(h.schema) && !sameBounds(h.customValues, l.customValues)) return "layout";
    return null;
  }

  /** No bucket of the chunk's last histogram decreased or vanished (unless empty). */
  private bucketsGrew(idx: readonly number[], base: number, spans: readonly Span[], buckets: readonly number[]): boolean {
    const hIdx = spanIndices(spans);
    let j = 0;
    for (let i = 0; i < idx.length; i++) {
      const v = this.value(base + i);
      while (j < hIdx.length && hIdx[j]! < idx[i]!) j++;
      if (j < hIdx.length && hIdx[j] === idx[i]) {
        if ((buckets[j] ?? 0) < v) return false;
      } else if (v !== 0) {
        return false;
      }
    }
    return true;
  }

  /** h with the chunk's buckets: the ones it lacks are empty. */
  private expand(h: FloatHistogram): FloatHistogram {
    const l = this.layout;
    const out = h.copy();
    out.positiveSpans = l.positiveSpans;
    out.negativeSpans = l.negativeSpans;
    out.positiveBuckets = onto(this.pIdx, spanIndices(h.positiveSpans), h.positiveBuckets);
    out.negativeBuckets = onto(this.nIdx, spanIndices(h.negativeSpans), h.negativeBuckets);
    return out;
  }

  /** Re-encodes every sample with the buckets p and n (a superset of the chunk's). */
  private recode(p: number[], n: number[]): void {
    const it = new FloatHistogramIterator(this.bytes().slice());
    const fresh = new FloatHistogramChunk(this.header);
    const pSpans = spansOf(p);
    const nSpans = spansOf(n);
    // Recoding follows a histogram that continues the chunk, so it holds no stale marker.
    while (it.next()) {
      const h = it.rawHistogram();
      h.positiveBuckets = onto(p, this.pIdx, h.positiveBuckets);
      h.negativeBuckets = onto(n, this.nIdx, h.negativeBuckets);
      h.positiveSpans = pSpans;
      h.negativeSpans = nSpans;
      fresh.appendRaw(it.t, h);
    }
    Object.assign(this, fresh);
  }

  /** Appends a histogram read from a chunk of this chunk's layout (or the first of
   * the chunk), without any checks: to rebuild a chunk without some of its samples. */
  appendEncoded(t: number, h: FloatHistogram): void {
    if (this.num > 0 && t <= this.t) throw new OutOfOrderSampleError(`timestamp ${t} is not after the chunk's last timestamp ${this.t}`);
    this.appendRaw(t, h);
  }

  /** Encodes h (already in the chunk's layout, or the first of the chunk). */
  private appendRaw(t: number, h: FloatHistogram): void {
    const w = this.w;
    if (this.num === 0) {
      this.layout = {
        schema: h.schema,
        zeroThreshold: h.zeroThreshold,
        positiveSpans: h.positiveSpans.map((s) => ({ ...s })),
        negativeSpans: h.negativeSpans.map((s) => ({ ...s })),
        customValues: isCustomSchema(h.schema) ? (h.customValues ?? []).slice() : null,
      };
      this.pIdx = spanIndices(h.positiveSpans);
      this.nIdx = spanIndices(h.negativeSpans);
      const fields = 3 + this.pIdx.length + this.nIdx.length;
      this.vhi = new Uint32Array(fields);
      this.vlo = new Uint32Array(fields);
      this.lead = new Uint8Array(fields).fill(0xff);
      this.trail = new Uint8Array(fields);
      putLayout(w, this.layout);
      putVarbitInt(w, t);
      this.raw(0, h.count);
      this.raw(1, h.zeroCount);
      this.raw(2, h.sum);
      const np = this.pIdx.length;
      for (let i = 0; i < np; i++) this.raw(3 + i, h.positiveBuckets[i] ?? 0);
      for (let i = 0; i < this.nIdx.length; i++) this.raw(3 + np + i, h.negativeBuckets[i] ?? 0);
      this.firstT = t;
      this.tDelta = 0;
    } else {
      const delta = t - this.t;
      putVarbitInt(w, delta - this.tDelta);
      this.tDelta = delta;
      this.xor(0, h.count);
      this.xor(1, h.zeroCount);
      this.xor(2, h.sum);
      if (!isStaleBits(this.vhi[2]!, this.vlo[2]!)) {
        const np = this.pIdx.length;
        for (let i = 0; i < np; i++) this.xor(3 + i, h.positiveBuckets[i] ?? 0);
        for (let i = 0; i < this.nIdx.length; i++) this.xor(3 + np + i, h.negativeBuckets[i] ?? 0);
      }
    }
    this.t = t;
    this.num++;
  }

  private raw(i: number, v: number): void {
    splitFloat(v);
    const hi = hiBits();
    const lo = loBits();
    this.w.put(hi, 32);
    this.w.put(lo, 32);
    this.vhi[i] = hi;
    this.vlo[i] = lo;
  }

  private xor(i: number, v: number): void {
    splitFloat(v);
    const hi = hiBits();
    const lo = loBits();
    const w = this.w;
    const dh = (hi ^ this.vhi[i]!) >>> 0;
    const dl = (lo ^ this.vlo[i]!) >>> 0;
    this.vhi[i] = hi;
    this.vlo[i] = lo;
    if ((dh | dl) === 0) {
      w.put(0, 1);
      return;
    }
    let lead = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
    if (lead > 31) lead = 31;
    const trail = dl !== 0 ? ctz32(dl) : 32 + ctz32(dh);
    const L = this.lead[i]!;
    const T = this.trail[i]!;
    if (L !== 0xff && lead >= L && trail >= T) {
      w.put(0b10, 2);
      const [sh, sl] = shr64(dh, dl, T);
      w.put64(sh, sl, 64 - L - T);
      return;
    }
    this.lead[i] = lead;
    this.trail[i] = trail;
    const sig = 64 - lead - trail;
    w.put(0b11, 2);
    w.put(lead, 5);
    w.put(sig & 63, 6);
    const [sh, sl] = shr64(dh, dl, trail);
    w.put64(sh, sl, sig);
  }

  /** The encoded chunk; the view is valid until the next append (`.slice()` it to
   * keep it). */
  bytes(): Uint8Array {
    const b = this.w.w.bytes(this.w.padByte ? 1 : 0);
    b[0] = this.num >>> 8;
    b[1] = this.num & 0xff;
    b[2] = this.header << 6;
    return b;
  }

  iterator(): FloatHistogramIterator {
    return new FloatHistogramIterator(this.bytes().slice());
  }
}

export function isStaleHistogram(h: FloatHistogram): boolean {
  splitFloat(h.sum);
  return isStaleBits(hiBits(), loBits());
}

function staleHistogram(): FloatHistogram {
  const s = new FloatHistogram();
  s.sum = STALE_NAN;
  return s;
}

function sameBounds(a: readonly number[] | null, b: readonly number[] | null): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Sorted union of two sorted index lists. */
function mergeIndices(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      out.push(a[i++]!);
      j++;
    }
  }
  return out;
}

/** Counts of (idx, vals) placed at `target` indices (a superset), 0 elsewhere. */
function onto(target: readonly number[], idx: readonly number[], vals: readonly number[]): number[] {
  const out = new Array<number>(target.length).fill(0);
  let j = 0;
  for (let i = 0; i < target.length && j < idx.length; i++) {
    if (target[i] === idx[j]) out[i] = vals[j++] ?? 0;
  }
  return out;
}

/**
 * Reads a float histogram chunk. Histograms read back with the hint Prometheus gives
 * them: Gauge in a gauge chunk, else Unknown for a chunk's first histogram (the chunk
 * before it may be gone or come from elsewhere) and NotCounterReset for the rest.
 */
export class FloatHistogramIterator {
  private readonly r: BitReader;
  private readonly total: number;
  readonly header: CounterResetHeader;
  private numRead = 0;
  private _t = 0;
  private tDelta = 0;
  private layout: HistogramLayout | null = null;
  private np = 0;
  private vhi = new Uint32Array(3);
  private vlo = new Uint32Array(3);
  private lead = new Uint8Array(3);
  private trail = new Uint8Array(3);
  private stale = false;

  constructor(bytes: Uint8Array) {
    this.header = chunkHeader(bytes);
    this.total = (bytes[0]! << 8) | bytes[1]!;
    this.r = new BitReader(bytes, HISTOGRAM_HEADER_BYTES * 8);
  }

  get length(): number {
    return this.total;
  }

  get t(): number {
    return this._t;
  }

  next(): boolean {
    if (this.numRead >= this.total) return false;
    const r = this.r;
    if (this.numRead === 0) {
      const l = readLayout(r);
      this.layout = l;
      this.np = countSpans(l.positiveSpans);
      const fields = 3 + this.np + countSpans(l.negativeSpans);
      if (fields > r.bitLen) throw new ChunkCorruptError(`histogram chunk claims ${fields} buckets`);
      this.vhi = new Uint32Array(fields);
      this.vlo = new Uint32Array(fields);
      this.lead = new Uint8Array(fields);
      this.trail = new Uint8Array(fields);
      this._t = readVarbitInt(r);
      for (let i = 0; i < fields; i++) {
        this.vhi[i] = r.readBits(32);
        this.vlo[i] = r.readBits(32);
      }
    } else {
      this.tDelta += readVarbitInt(r);
      this._t += this.tDelta;
      this.readXor(0);
      this.readXor(1);
      this.readXor(2);
      if (!isStaleBits(this.vhi[2]!, this.vlo[2]!)) for (let i = 3; i < this.vhi.length; i++) this.readXor(i);
    }
    this.stale = isStaleBits(this.vhi[2]!, this.vlo[2]!);
    if (r.overrun()) throw new ChunkCorruptError(`histogram chunk truncated at sample ${this.numRead}`);
    this.numRead++;
    return true;
  }

  /** Advances to the first histogram at or after t; never moves backwards. */
  seek(t: number): boolean {
    if (this.numRead > 0 && this._t >= t) return true;
    while (this.next()) if (this._t >= t) return true;
    return false;
  }

  private readXor(i: number): void {
    const r = this.r;
    if (r.readBit() === 0) return;
    let sig: number;
    let tr: number;
    if (r.readBit() === 0) {
      // A window before any was opened is 64 bits wide (leading and trailing 0), as
      // Prometheus reads it: its appenders reopened from bytes write such fields.
      tr = this.trail[i]!;
      sig = 64 - this.lead[i]! - tr;
    } else {
      const lead = r.readBits(5);
      sig = r.readBits(6);
      if (sig === 0) sig = 64;
      tr = 64 - lead - sig;
      if (tr < 0) throw new ChunkCorruptError(`XOR window of ${lead}+${sig} bits exceeds 64`);
      this.lead[i] = lead;
      this.trail[i] = tr;
    }
    let hi: number;
    let lo: number;
    if (sig > 32) {
      hi = r.readBits(sig - 32);
      lo = r.readBits(32);
    } else {
      hi = 0;
      lo = r.readBits(sig);
    }
    if (tr >= 32) {
      hi = lo << (tr - 32);
      lo = 0;
    } else if (tr > 0) {
      hi = (hi << tr) | (lo >>> (32 - tr));
      lo = lo << tr;
    }
    this.vhi[i] = (this.vhi[i]! ^ hi) >>> 0;
    this.vlo[i] = (this.vlo[i]! ^ lo) >>> 0;
  }

  /** The current histogram with the hint storage reads back. */
  at(): FloatHistogram {
    const h = this.rawHistogram();
    if (this.stale) return h;
    h.counterResetHint =
      this.header === CounterResetHeader.Gauge ? CounterResetHint.Gauge : this.numRead > 1 ? CounterResetHint.NotCounterReset : CounterResetHint.Unknown;
    return h;
  }

  /** The current histogram as encoded (hint Unknown). */
  rawHistogram(): FloatHistogram {
    const h = new FloatHistogram();
    h.sum = floatFromBits(this.vhi[2]!, this.vlo[2]!);
    if (this.stale) return h;
    const l = this.layout!;
    h.schema = l.schema;
    h.zeroThreshold = l.zeroThreshold;
    h.count = floatFromBits(this.vhi[0]!, this.vlo[0]!);
    h.zeroCount = floatFromBits(this.vhi[1]!, this.vlo[1]!);
    h.positiveSpans = l.positiveSpans.map((s) => ({ ...s }));
    h.negativeSpans = l.negativeSpans.map((s) => ({ ...s }));
    const n = this.vhi.length;
    for (let i = 3; i < 3 + this.np; i++) h.positiveBuckets.push(floatFromBits(this.vhi[i]!, this.vlo[i]!));
    for (let i = 3 + this.np; i < n; i++) h.negativeBuckets.push(floatFromBits(this.vhi[i]!, this.vlo[i]!));
    h.customValues = l.customValues;
    return h;
  }
}

/** Every histogram of a chunk, with the hints storage reads back. */
export function decodeFloatHistograms(bytes: Uint8Array): { ts: Float64Array; hs: FloatHistogram[] } {
  const it = new FloatHistogramIterator(bytes);
  const ts = new Float64Array(it.length);
  const hs: FloatHistogram[] = [];
  let i = 0;
  while (it.next()) {
    ts[i++] = it.t;
    hs.push(it.at());
  }
  return { ts, hs };
}
