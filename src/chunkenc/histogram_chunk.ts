/**
 * Native histogram chunks with integer counts (what scrapes and remote write
 * deliver), laid out bit for bit like Prometheus' HistogramChunk
 * (tsdb/chunkenc/histogram.go, encoding 2); the header, layout, time encoding and
 * append rules are histogram_chunk_base.ts'. A histogram's buckets are encoded as
 * Prometheus holds them: each bucket as its difference to the bucket before it (the
 * first of the positive and of the negative ones as its count). Per sample:
 *
 *   sample 0   count and zero count as varbit uints, the sum as a raw 64-bit float,
 *              each bucket difference as a varbit int
 *   sample n   the delta-of-delta of count, zero count and each bucket difference
 *              against the two samples before (the delta before sample 1 counts as
 *              0) as varbit ints, the sum XOR-encoded as in XOR chunks; a stale
 *              marker writes 0 for the count and zero count fields
 *
 * Histograms go in and come out as FloatHistograms with absolute counts, which must
 * be integers from 0 to 2^50 (so every delta-of-delta is a safe integer).
 */

import { ChunkCorruptError } from "./bstream.js";
import type { FloatHistogram } from "../model/histogram.js";
import { putVarbitInt, putVarbitUint, readVarbitInt, readVarbitUint } from "./varbit.js";
import {
  ChunkEncoding,
  CounterResetHeader,
  HistogramChunkBase,
  type HistogramEncoding,
  HistogramIteratorBase,
  XorFields,
  chunkHeader,
  decodeHistogramsOf,
  isStaleHistogram,
} from "./histogram_chunk_base.js";

/** Largest count an integer histogram chunk takes. */
export const MAX_INTEGER_COUNT = 2 ** 50;

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= MAX_INTEGER_COUNT;
}

/** Whether every count of h fits an integer histogram chunk. */
export function hasIntegerCounts(h: FloatHistogram): boolean {
  return isCount(h.count) && isCount(h.zeroCount) && h.positiveBuckets.every(isCount) && h.negativeBuckets.every(isCount);
}

/** Bucket counts as differences to the bucket before, written into out. */
function toDeltas(abs: readonly number[], n: number, out: number[], at: number): void {
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = abs[i] ?? 0;
    out[at + i] = v - prev;
    prev = v;
  }
}

export class HistogramChunk extends HistogramChunkBase {
  readonly encoding: HistogramEncoding = ChunkEncoding.Histogram;
  private cnt = 0;
  private zCnt = 0;
  private cntDelta = 0;
  private zCntDelta = 0;
  /** Per bucket (positive then negative): its difference to the bucket before, that
   * difference's change since the previous sample, and its count. */
  private bd: number[] = [];
  private bdd: number[] = [];
  private abs: number[] = [];
  private sum = new XorFields(1);
  private scratch: number[] = [];

  /** A new empty chunk whose counter reset header is `header`. */
  constructor(header = CounterResetHeader.Unknown) {
    super(header);
  }

  /** Reopens an encoded chunk to append to it; appending continues the bytes exactly
   * as if every sample had been appended to this object. */
  static open(bytes: Uint8Array): HistogramChunk {
    return new HistogramChunk(chunkHeader(bytes)).appendAll(new HistogramIterator(bytes));
  }

  lastIsStale(): boolean {
    return this.num > 0 && this.sum.isStale(0);
  }

  protected lastCount(): number {
    return this.cnt;
  }

  protected lastZeroCount(): number {
    return this.zCnt;
  }

  protected lastBucket(k: number): number {
    return this.abs[k]!;
  }

  protected check(h: FloatHistogram): void {
    if (!hasIntegerCounts(h)) throw new RangeError(`an integer histogram chunk takes counts from 0 to 2^50, not ${h.toString()}`);
  }

  protected empty(header: CounterResetHeader): this {
    return new HistogramChunk(header) as this;
  }

  /** h's bucket differences (positive then negative) in this.scratch. */
  private deltas(h: FloatHistogram): number[] {
    const np = this.pIdx.length;
    const d = this.scratch;
    d.length = np + this.nIdx.length;
    toDeltas(h.positiveBuckets, np, d, 0);
    toDeltas(h.negativeBuckets, this.nIdx.length, d, np);
    return d;
  }

  protected writeFirst(h: FloatHistogram): void {
    const w = this.w;
    const d = this.deltas(h);
    putVarbitUint(w, h.count);
    putVarbitUint(w, h.zeroCount);
    this.sum = new XorFields(1);
    this.sum.putRaw(w, 0, h.sum);
    for (const x of d) putVarbitInt(w, x);
    this.cnt = h.count;
    this.zCnt = h.zeroCount;
    this.cntDelta = this.zCntDelta = 0;
    this.bd = d.slice();
    this.bdd = new Array<number>(d.length).fill(0);
    this.abs = [...h.positiveBuckets.slice(0, this.pIdx.length), ...h.negativeBuckets.slice(0, this.nIdx.length)];
  }

  protected writeNext(h: FloatHistogram): void {
    const w = this.w;
    // A stale marker has count 0 and no buckets; its count fields are written as 0.
    const stale = isStaleHistogram(h);
    const cntDelta = h.count - this.cnt;
    const zCntDelta = h.zeroCount - this.zCnt;
    putVarbitInt(w, stale ? 0 : cntDelta - this.cntDelta);
    putVarbitInt(w, stale ? 0 : zCntDelta - this.zCntDelta);
    this.sum.put(w, 0, h.sum);
    this.cnt = h.count;
    this.zCnt = h.zeroCount;
    this.cntDelta = cntDelta;
    this.zCntDelta = zCntDelta;
    if (stale) return;
    const d = this.deltas(h);
    for (let i = 0; i < d.length; i++) {
      const delta = d[i]! - this.bd[i]!;
      putVarbitInt(w, delta - this.bdd[i]!);
      this.bdd[i] = delta;
      this.bd[i] = d[i]!;
    }
    const np = this.pIdx.length;
    for (let i = 0; i < np; i++) this.abs[i] = h.positiveBuckets[i] ?? 0;
    for (let i = 0; i < this.nIdx.length; i++) this.abs[np + i] = h.negativeBuckets[i] ?? 0;
  }

  iterator(): HistogramIterator {
    return new HistogramIterator(this.bytes().slice());
  }
}

export class HistogramIterator extends HistogramIteratorBase {
  private cnt = 0;
  private zCnt = 0;
  private cntDelta = 0;
  private zCntDelta = 0;
  private bd: number[] = [];
  private bdd: number[] = [];
  private sum = new XorFields(1);

  protected get stale(): boolean {
    return this.sum.isStale(0);
  }

  protected readFirst(): void {
    const r = this.r;
    this.cnt = readVarbitUint(r);
    this.zCnt = readVarbitUint(r);
    this.sum.readRaw(r, 0);
    const n = this.np + this.nn;
    this.bd = new Array<number>(n);
    this.bdd = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) this.bd[i] = readVarbitInt(r);
  }

  protected readNext(): void {
    const r = this.r;
    this.cntDelta += readVarbitInt(r);
    this.cnt += this.cntDelta;
    this.zCntDelta += readVarbitInt(r);
    this.zCnt += this.zCntDelta;
    this.sum.read(r, 0);
    if (this.sum.isStale(0)) return;
    const bd = this.bd;
    const bdd = this.bdd;
    for (let i = 0; i < bd.length; i++) {
      bdd[i] = bdd[i]! + readVarbitInt(r);
      bd[i] = bd[i]! + bdd[i]!;
    }
    if (!Number.isSafeInteger(this.cnt) || !Number.isSafeInteger(this.zCnt)) throw new ChunkCorruptError(`histogram count out of range at sample ${this.length}`);
  }

  protected fill(h: FloatHistogram): void {
    h.sum = this.sum.value(0);
    if (this.sum.isStale(0)) return;
    h.count = this.cnt;
    h.zeroCount = this.zCnt;
    let c = 0;
    for (let i = 0; i < this.np; i++) h.positiveBuckets.push((c += this.bd[i]!));
    c = 0;
    for (let i = this.np; i < this.bd.length; i++) h.negativeBuckets.push((c += this.bd[i]!));
  }
}

/** Every histogram of a chunk, with the hints storage reads back. */
export function decodeIntegerHistograms(bytes: Uint8Array): { ts: Float64Array; hs: FloatHistogram[] } {
  return decodeHistogramsOf(new HistogramIterator(bytes));
}
