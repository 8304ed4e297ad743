/**
 * Native histogram chunks with float counts, laid out bit for bit like Prometheus'
 * FloatHistogramChunk (tsdb/chunkenc/float_histogram.go); the header, layout, time
 * encoding and append rules are histogram_chunk_base.ts'. Per sample:
 *
 *   sample 0   count, zero count, sum and every positive then negative bucket as raw
 *              64-bit floats
 *   sample n   count, zero count and sum XOR-encoded against the previous sample as
 *              in XOR chunks, then each bucket XOR-encoded against the same bucket of
 *              the previous sample
 */

import type { FloatHistogram } from "../model/histogram.js";
import {
  ChunkEncoding,
  CounterResetHeader,
  HistogramChunkBase,
  type HistogramEncoding,
  HistogramIteratorBase,
  XorFields,
  chunkHeader,
  decodeHistogramsOf,
} from "./histogram_chunk_base.js";

export { CounterResetHeader, HISTOGRAM_HEADER_BYTES, chunkHeader, headerOfHint, isStaleHistogram } from "./histogram_chunk_base.js";
export type { CutReason } from "./histogram_chunk_base.js";

export class FloatHistogramChunk extends HistogramChunkBase {
  readonly encoding: HistogramEncoding = ChunkEncoding.FloatHistogram;
  // XOR state per field: 0 count, 1 zero count, 2 sum, then positive and negative buckets.
  private v = new XorFields(3);

  /** A new empty chunk whose counter reset header is `header`. */
  constructor(header = CounterResetHeader.Unknown) {
    super(header);
  }

  /** Reopens an encoded chunk to append to it; appending continues the bytes exactly
   * as if every sample had been appended to this object. */
  static open(bytes: Uint8Array): FloatHistogramChunk {
    return new FloatHistogramChunk(chunkHeader(bytes)).appendAll(new FloatHistogramIterator(bytes));
  }

  lastIsStale(): boolean {
    return this.num > 0 && this.v.isStale(2);
  }

  protected lastCount(): number {
    return this.v.value(0);
  }

  protected lastZeroCount(): number {
    return this.v.value(1);
  }

  protected lastBucket(k: number): number {
    return this.v.value(3 + k);
  }

  protected check(): void {}

  protected empty(header: CounterResetHeader): this {
    return new FloatHistogramChunk(header) as this;
  }

  protected writeFirst(h: FloatHistogram): void {
    const np = this.pIdx.length;
    const v = (this.v = new XorFields(3 + np + this.nIdx.length));
    v.putRaw(this.w, 0, h.count);
    v.putRaw(this.w, 1, h.zeroCount);
    v.putRaw(this.w, 2, h.sum);
    for (let i = 0; i < np; i++) v.putRaw(this.w, 3 + i, h.positiveBuckets[i] ?? 0);
    for (let i = 0; i < this.nIdx.length; i++) v.putRaw(this.w, 3 + np + i, h.negativeBuckets[i] ?? 0);
  }

  protected writeNext(h: FloatHistogram): void {
    const v = this.v;
    v.put(this.w, 0, h.count);
    v.put(this.w, 1, h.zeroCount);
    v.put(this.w, 2, h.sum);
    if (v.isStale(2)) return;
    const np = this.pIdx.length;
    for (let i = 0; i < np; i++) v.put(this.w, 3 + i, h.positiveBuckets[i] ?? 0);
    for (let i = 0; i < this.nIdx.length; i++) v.put(this.w, 3 + np + i, h.negativeBuckets[i] ?? 0);
  }

  iterator(): FloatHistogramIterator {
    return new FloatHistogramIterator(this.bytes().slice());
  }
}

export class FloatHistogramIterator extends HistogramIteratorBase {
  private v = new XorFields(3);

  protected get stale(): boolean {
    return this.v.isStale(2);
  }

  protected readFirst(): void {
    const fields = 3 + this.np + this.nn;
    this.v = new XorFields(fields);
    for (let i = 0; i < fields; i++) this.v.readRaw(this.r, i);
  }

  protected readNext(): void {
    const v = this.v;
    v.read(this.r, 0);
    v.read(this.r, 1);
    v.read(this.r, 2);
    if (!v.isStale(2)) for (let i = 3; i < v.length; i++) v.read(this.r, i);
  }

  protected fill(h: FloatHistogram): void {
    const v = this.v;
    h.sum = v.value(2);
    if (v.isStale(2)) return;
    h.count = v.value(0);
    h.zeroCount = v.value(1);
    for (let i = 3; i < 3 + this.np; i++) h.positiveBuckets.push(v.value(i));
    for (let i = 3 + this.np; i < v.length; i++) h.negativeBuckets.push(v.value(i));
  }
}

/** Every histogram of a chunk, with the hints storage reads back. */
export function decodeFloatHistograms(bytes: Uint8Array): { ts: Float64Array; hs: FloatHistogram[] } {
  return decodeHistogramsOf(new FloatHistogramIterator(bytes));
}
