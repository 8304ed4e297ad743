/**
 * What Prometheus' two native histogram chunk encodings share (tsdb/chunkenc
 * histogram.go and float_histogram.go):
 *
 *   bytes 0-1  number of samples, big-endian uint16
 *   byte 2     counter reset header in its top two bits: 00 unknown, 10 counter
 *              reset, 01 not a counter reset, 11 gauge histogram chunk
 *   sample 0   the layout (histogram_layout.ts), the timestamp as a varbit int, then
 *              the encoding's fields
 *   sample n   the timestamp's delta-of-delta as a varbit int (the delta before
 *              sample 1 counts as 0), then the encoding's fields; a stale marker
 *              (sum is the stale NaN) has no buckets
 *
 * and the rules for appending: every histogram of a chunk has the chunk's layout. A
 * histogram with new buckets rewrites the chunk with the union of buckets (the old
 * samples get empty ones), one missing buckets the chunk has empty gets them;
 * anything else that does not fit (a counter reset, a schema or zero threshold
 * change, a stale marker followed by a histogram, gauge after counter) needs a new
 * chunk, which the caller cuts.
 */

import { BitReader, BitWriter, ChunkCorruptError } from "./bstream.js";
import { floatFromBits, hiBits, loBits, splitFloat } from "./floatbits.js";
import { CounterResetHint, FloatHistogram, type Span, isCustomSchema } from "../model/histogram.js";
import { type HistogramLayout, countSpans, putLayout, readLayout, spanIndices, spansOf } from "./histogram_layout.js";
import { type BitSink, putVarbitInt, readVarbitInt } from "./varbit.js";
import { OutOfOrderSampleError } from "./xor.js";
import { XorValue } from "./xor_value.js";
import { STALE_NAN } from "../model/sample.js";

export const HISTOGRAM_HEADER_BYTES = 3;
const MAX_SAMPLES = 0xffff;

/** Prometheus' chunk encoding numbers, as its chunk files and our stores record them. */
export enum ChunkEncoding {
  XOR = 1,
  Histogram = 2,
  FloatHistogram = 3,
}

export type HistogramEncoding = ChunkEncoding.Histogram | ChunkEncoding.FloatHistogram;

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

export function isStaleBits(hi: number, lo: number): boolean {
  return (hi & ~0x00080000) >>> 0 === 0x7ff00000 && lo === 2;
}

export function isStaleHistogram(h: FloatHistogram): boolean {
  splitFloat(h.sum);
  return isStaleBits(hiBits(), loBits());
}

export function staleHistogram(): FloatHistogram {
  const s = new FloatHistogram();
  s.sum = STALE_NAN;
  return s;
}

/** Why a histogram cannot continue a chunk. */
export type CutReason = "counter_reset" | "layout";

/** A bit writer that remembers, as Prometheus' bstream would, whether the stream ends
 * with an empty byte (its last write was whole bytes starting on a byte boundary). */
export class HistogramWriter implements BitSink {
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
 * Gorilla XOR state of several float fields, as XOR chunks encode values: the
 * previous value's bits and the last leading/trailing zero window per field.
 */
export class XorFields {
  private readonly f: XorValue[];

  constructor(n: number) {
    this.f = Array.from({ length: n }, () => new XorValue());
  }

  get length(): number {
    return this.f.length;
  }

  value(i: number): number {
    const f = this.f[i]!;
    return floatFromBits(f.hi, f.lo);
  }

  isStale(i: number): boolean {
    const f = this.f[i]!;
    return isStaleBits(f.hi, f.lo);
  }

  /** Writes v's 64 bits as they are (a chunk's first sample). */
  putRaw(w: HistogramWriter, i: number, v: number): void {
    splitFloat(v);
    const hi = hiBits();
    const lo = loBits();
    w.put(hi, 32);
    w.put(lo, 32);
    const f = this.f[i]!;
    // int32, as XorValue keeps them: one number representation for readers and writers.
    f.hi = hi | 0;
    f.lo = lo | 0;
  }

  /** Writes v XORed against field i's previous value. */
  // Repeats XorChunk.writeValue: moving both into XorValue slowed float encode in bench/chunkenc.ts.
  put(w: HistogramWriter, i: number, v: number): void {
    splitFloat(v);
    const hi = hiBits();
    const lo = loBits();
    const f = this.f[i]!;
    const dh = (hi ^ f.hi) >>> 0;
    const dl = (lo ^ f.lo) >>> 0;
    f.hi = hi | 0;
    f.lo = lo | 0;
    if ((dh | dl) === 0) {
      w.put(0, 1);
      return;
    }
    let lead = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
    if (lead > 31) lead = 31;
    const trail = dl !== 0 ? ctz32(dl) : 32 + ctz32(dh);
    const L = f.lead;
    const T = f.trail;
    if (L !== 0xff && lead >= L && trail >= T) {
      w.put(0b10, 2);
      const [sh, sl] = shr64(dh, dl, T);
      w.put64(sh, sl, 64 - L - T);
      return;
    }
    f.lead = lead;
    f.trail = trail;
    const sig = 64 - lead - trail;
    w.put(0b11, 2);
    w.put(lead, 5);
    w.put(sig & 63, 6);
    const [sh, sl] = shr64(dh, dl, trail);
    w.put64(sh, sl, sig);
  }

  readRaw(r: BitReader, i: number): void {
    const f = this.f[i]!;
    r.pos = f.readRaw(r.buf, r.pos);
    // A window before any was opened is 64 bits wide (leading and trailing 0), as
    // Prometheus reads it: its appenders reopened from bytes write such fields.
    f.lead = 0;
    f.trail = 0;
  }

  read(r: BitReader, i: number): void {
    r.pos = this.f[i]!.read(r.buf, r.pos);
  }
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
 * A native histogram chunk being built; subclasses write one encoding's fields.
 * Appends must have strictly increasing timestamps. `append` returns a CutReason
 * instead of appending when the histogram needs a new chunk.
 */
export abstract class HistogramChunkBase {
  protected w = new HistogramWriter();
  protected num = 0;
  protected header: CounterResetHeader;
  protected layout: HistogramLayout = { schema: 0, zeroThreshold: 0, positiveSpans: [], negativeSpans: [], customValues: null };
  protected pIdx: number[] = [];
  protected nIdx: number[] = [];
  private firstT = 0;
  private t = 0;
  private tDelta = 0;

  constructor(header: CounterResetHeader) {
    this.header = header;
  }

  abstract readonly encoding: HistogramEncoding;
  /** Whether the last histogram appended was a stale marker. */
  abstract lastIsStale(): boolean;
  /** Count, zero count and bucket k (positive then negative) of the last histogram. */
  protected abstract lastCount(): number;
  protected abstract lastZeroCount(): number;
  protected abstract lastBucket(k: number): number;
  /** Checks h can be written by this encoding (throws otherwise). */
  protected abstract check(h: FloatHistogram): void;
  /** Writes the fields of a chunk's first histogram (after its layout and time). */
  protected abstract writeFirst(h: FloatHistogram): void;
  /** Writes the fields of a later histogram (after its time). */
  protected abstract writeNext(h: FloatHistogram): void;
  /** An empty chunk of the same encoding. */
  protected abstract empty(header: CounterResetHeader): this;
  abstract iterator(): HistogramIteratorBase;

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
    if (!stale) this.check(h);
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
    if (h.count < this.lastCount()) return "counter_reset";
    const l = this.layout;
    if (h.schema !== l.schema || h.zeroThreshold !== l.zeroThreshold) return "layout";
    if (isCustomSchema(h.schema) && !sameBounds(h.customValues, l.customValues)) return "counter_reset";
    if (h.zeroCount < this.lastZeroCount()) return "counter_reset";
    if (!this.bucketsGrew(this.pIdx, 0, h.positiveSpans, h.positiveBuckets)) return "counter_reset";
    if (!this.bucketsGrew(this.nIdx, this.pIdx.length, h.negativeSpans, h.negativeBuckets)) return "counter_reset";
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
      const v = this.lastBucket(base + i);
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
    const it = this.iterator();
    const fresh = this.empty(this.header);
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

  /** Appends every histogram `it` reads, as encoded. */
  protected appendAll(it: HistogramIteratorBase): this {
    while (it.next()) this.appendEncoded(it.t, it.rawHistogram());
    return this;
  }

  /** Encodes h (already in the chunk's layout, or the first of the chunk). */
  private appendRaw(t: number, h: FloatHistogram): void {
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
      putLayout(this.w, this.layout);
      putVarbitInt(this.w, t);
      this.writeFirst(h);
      this.firstT = t;
      this.tDelta = 0;
    } else {
      const delta = t - this.t;
      putVarbitInt(this.w, delta - this.tDelta);
      this.tDelta = delta;
      this.writeNext(h);
    }
    this.t = t;
    this.num++;
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
}

/**
 * Reads a native histogram chunk; subclasses read one encoding's fields. Histograms
 * read back with the hint Prometheus gives them: Gauge in a gauge chunk, else Unknown
 * for a chunk's first histogram (the chunk before it may be gone or come from
 * elsewhere) and NotCounterReset for the rest.
 */
export abstract class HistogramIteratorBase {
  protected readonly r: BitReader;
  private readonly total: number;
  readonly header: CounterResetHeader;
  private numRead = 0;
  private _t = 0;
  private tDelta = 0;
  private layout: HistogramLayout | null = null;
  /** Positive and negative buckets of the chunk's layout. */
  protected np = 0;
  protected nn = 0;

  constructor(bytes: Uint8Array) {
    this.header = chunkHeader(bytes);
    this.total = (bytes[0]! << 8) | bytes[1]!;
    this.r = new BitReader(bytes, HISTOGRAM_HEADER_BYTES * 8);
  }

  /** Reads the first histogram's fields (after its layout and time). */
  protected abstract readFirst(): void;
  /** Reads a later histogram's fields (after its time). */
  protected abstract readNext(): void;
  /** Whether the current histogram is a stale marker. */
  protected abstract get stale(): boolean;
  /** Sets h's sum, counts and (unless stale) buckets to the current histogram's. */
  protected abstract fill(h: FloatHistogram): void;

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
      this.nn = countSpans(l.negativeSpans);
      if (this.np + this.nn > r.bitLen) throw new ChunkCorruptError(`histogram chunk claims ${this.np + this.nn} buckets`);
      this._t = readVarbitInt(r);
      this.readFirst();
    } else {
      this.tDelta += readVarbitInt(r);
      this._t += this.tDelta;
      this.readNext();
    }
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
    this.fill(h);
    if (this.stale) return h;
    const l = this.layout!;
    h.schema = l.schema;
    h.zeroThreshold = l.zeroThreshold;
    h.positiveSpans = l.positiveSpans.map((s) => ({ ...s }));
    h.negativeSpans = l.negativeSpans.map((s) => ({ ...s }));
    h.customValues = l.customValues;
    return h;
  }
}

/** Every histogram of a chunk, with the hints storage reads back. */
export function decodeHistogramsOf(it: HistogramIteratorBase): { ts: Float64Array; hs: FloatHistogram[] } {
  const ts = new Float64Array(it.length);
  const hs: FloatHistogram[] = [];
  let i = 0;
  while (it.next()) {
    ts[i++] = it.t;
    hs.push(it.at());
  }
  return { ts, hs };
}
