import { sameFloatBits } from "../chunkenc/floatbits.js";
import { XorChunk } from "../chunkenc/xor.js";
import { decodeXorInto, xorNumSamples } from "../chunkenc/iterator.js";
import { SampleBuffer } from "../model/sample_buffer.js";
import { ChunkEncoding, type HistogramChunkBase, type HistogramEncoding, isStaleHistogram } from "../chunkenc/histogram_chunk_base.js";
import { HistogramChunkState } from "../chunkenc/histogram_chunk_state.js";
import { dropHistograms } from "../chunkenc/histogram_chunks.js";
import type { FloatHistogram } from "../model/histogram.js";
import type { Labels } from "../model/labels.js";
import { isStaleNaN, STALE_NAN } from "../model/sample.js";
import { CHUNK_RANGE_MS, OOO_CAPACITY, SAMPLES_PER_CHUNK } from "./options.js";

const EMPTY = new Float64Array(0);

export type AppendOutcome = "ok" | "ooo" | "same" | "duplicate" | "out_of_order";

export interface SealedChunk {
  minT: number;
  maxT: number;
  count: number;
  ooo: boolean;
  /** A native histogram chunk's encoding (else XOR). */
  enc?: HistogramEncoding;
  data: Uint8Array;
}

function sealedHistogramChunk(c: HistogramChunkBase): SealedChunk {
  return { minT: c.minTime(), maxT: c.maxTime(), count: c.numSamples(), ooo: false, enc: c.encoding, data: c.bytes().slice() };
}


/** A series in the head: its open in-order chunk and its small sorted buffer of
 * out-of-order samples. Full chunks are handed back to the caller to persist. */
export class MemSeries {
  head: XorChunk | null = null;
  headMinT = 0;
  /** Newest in-order timestamp ever appended (also after its chunk was sealed). */
  maxT = -Infinity;
  lastV = 0;
  /** Oldest sample time the series still has; for label queries over a time range. */
  minT = Infinity;
  /** Sorted out-of-order samples; typed arrays keep NaN payloads exact. Allocated on
   * the first one: most series never get any, and a shard holds hundreds of thousands. */
  oooTs = EMPTY;
  oooVs = EMPTY;
  oooLen = 0;
  /** The series' reference in its shard's current epoch: its index in a dense array,
   * so that ids left behind by churned series leave no holes (see SeriesStore.byRef). */
  ref = 0;
  /** WAL sequence up to which the stored head_chunks row reflects this series. */
  rowSeq = 0;
  /** The WAL row of the append transaction that last kept sealed chunks of this
   * series (see SeriesStore.appendTx), 0 when none. */
  sealedAt = 0;
  dirty = false;
  /** Whether sealed out-of-order chunks exist, which may overlap any time range. */
  hasOOOChunks = false;
  /** The open native histogram chunk; a series has at most one of `head` and
   * `histHead` open (a sample of the other kind seals it, as in Prometheus). */
  readonly hist = new HistogramChunkState();
  /** The newest sample when it is a histogram, for duplicate checks. */
  lastH: FloatHistogram | null = null;
  /** The open XOR head's samples, decoded (see decodedHeadBuffer); appends keep them
   * current, anything else that changes the head drops them. */
  private decoded: SampleBuffer | null = null;
  /** When the decoded head was last read, on DecodedHeads' clock. */
  headReadAt = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    readonly key: string,
  ) {}

  /** Appends one sample. `sealed` receives any chunk that became full. */
  append(t: number, v: number, oooWindowMs: number, sealed: SealedChunk[]): AppendOutcome {
    if (v !== v && isStaleNaN(v)) v = STALE_NAN;
    if (t > this.maxT) {
      if (this.histHead !== null) sealed.push(this.sealHistHead());
      this.lastH = null;
      if (this.head !== null && (this.head.numSamples() >= SAMPLES_PER_CHUNK || crossesRange(this.headMinT, t))) {
        sealed.push(this.sealHead());
      }
      if (this.head === null) {
        this.head = new XorChunk();
        this.headMinT = t;
      }
      this.head.append(t, v);
      if (this.decoded !== null) this.decoded.push(t, v);
      this.maxT = t;
      this.lastV = v;
      if (t < this.minT) this.minT = t;
      this.dirty = true;
      return "ok";
    }
    if (t === this.maxT) return this.lastH === null && sameFloatBits(v, this.lastV) ? "same" : "duplicate";
    if (this.maxT - t > oooWindowMs) return "out_of_order";
    return this.appendOOO(t, v, sealed);
  }

  /**
   * Appends a native histogram: it continues the open histogram chunk or cuts a new
   * one (Prometheus' rules: counter reset, layout change, gauge/counter switch, size,
   * 2h range). Out-of-order histograms are refused, as Prometheus does without its
   * out-of-order native histogram support.
   */
  appendHistogram(t: number, h: FloatHistogram, sealed: SealedChunk[]): AppendOutcome {
    if (t > this.maxT) {
      if (this.head !== null) sealed.push(this.sealHead());
      const closed = this.hist.append(t, h);
      if (closed !== null) sealed.push(sealedHistogramChunk(closed));
      this.maxT = t;
      this.lastH = h;
      if (t < this.minT) this.minT = t;
      this.dirty = true;
      return "ok";
    }
    if (t === this.maxT) return this.lastH !== null && sameHistogram(this.lastH, h) ? "same" : "duplicate";
    return "out_of_order";
  }

  get histHead(): HistogramChunkBase | null {
    return this.hist.chunk;
  }

  get histHeadMinT(): number {
    return this.hist.minT;
  }

  sealHistHead(): SealedChunk {
    return sealedHistogramChunk(this.hist.float()!);
  }

  histHeadBytes(): Uint8Array | null {
    return this.hist.chunk === null ? null : this.hist.chunk.bytes();
  }

  /** The open histogram chunk's encoding (meaningful when there is one). */
  histHeadEncoding(): HistogramEncoding | undefined {
    return this.hist.chunk?.encoding;
  }

  /** Start of whichever head chunk is open, or Infinity. */
  openHeadMinT(): number {
    return this.head !== null ? this.headMinT : this.histHead !== null ? this.histHeadMinT : Infinity;
  }

  private appendOOO(t: number, v: number, sealed: SealedChunk[]): AppendOutcome {
    this.allocOOO();
    const ts = this.oooTs;
    const vs = this.oooVs;
    const n = this.oooLen;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && ts[lo] === t) return sameFloatBits(vs[lo]!, v) ? "same" : "duplicate";
    ts.copyWithin(lo + 1, lo, n);
    vs.copyWithin(lo + 1, lo, n);
    ts[lo] = t;
    vs[lo] = v;
    this.oooLen = n + 1;
    if (t < this.minT) this.minT = t;
    this.dirty = true;
    if (this.oooLen >= OOO_CAPACITY) sealed.push(this.sealOOO());
    return "ooo";
  }

  private allocOOO(): void {
    if (this.oooTs !== EMPTY) return;
    this.oooTs = new Float64Array(OOO_CAPACITY);
    this.oooVs = new Float64Array(OOO_CAPACITY);
  }

  sealHead(): SealedChunk {
    const head = this.head!;
    this.head = null;
    this.decoded = null;
    return { minT: this.headMinT, maxT: this.maxT, count: head.numSamples(), ooo: false, data: head.bytes() };
  }

  sealOOO(): SealedChunk {
    const n = this.oooLen;
    const out = { minT: this.oooTs[0]!, maxT: this.oooTs[n - 1]!, count: n, ooo: true, data: this.encodeOOO() };
    this.oooLen = 0;
    return out;
  }

  /** Newest out-of-order sample time, or -Infinity. */
  oooMaxT(): number {
    return this.oooLen === 0 ? -Infinity : this.oooTs[this.oooLen - 1]!;
  }

  oooMinT(): number {
    return this.oooLen === 0 ? Infinity : this.oooTs[0]!;
  }

  headSamples(): number {
    return (this.head?.numSamples() ?? 0) + (this.histHead?.numSamples() ?? 0) + this.oooLen;
  }

  headBytes(): Uint8Array | null {
    return this.head === null ? null : this.head.bytes();
  }

  /** The open XOR head's samples, ts/vs[0, n) of the buffer (valid until the next
   * change to the head), decoded on the first call. Reads near "now" land in the head,
   * and queries and rule evaluations read the same heads again and again between
   * appends; readers take an index range, so no views are made here. */
  decodedHeadBuffer(): SampleBuffer | null {
    if (this.head === null) return null;
    return (this.decoded ??= decodeHead(this.head.bytes()));
  }

  /** Whether decodedHeadBuffer would answer without decoding. */
  hasDecodedHead(): boolean {
    return this.decoded !== null;
  }

  /** Forgets the decoded head (the shard's memory budget for them is spent). */
  dropDecodedHead(): void {
    this.decoded = null;
  }

  oooBytes(): Uint8Array | null {
    return this.oooLen === 0 ? null : this.encodeOOO();
  }

  private encodeOOO(): Uint8Array {
    const c = new XorChunk();
    for (let i = 0; i < this.oooLen; i++) c.append(this.oooTs[i]!, this.oooVs[i]!);
    return c.bytes();
  }

  /** Drops head and out-of-order samples within [mint, maxt]; returns how many. The
   * newest timestamp is kept, so appends stay in order as before the deletion. */
  deleteHeadRange(mint: number, maxt: number): number {
    let removed = 0;
    this.decoded = null;
    if (this.head !== null && this.maxT >= mint && this.headMinT <= maxt) {
      const kept = new XorChunk();
      let first = Infinity;
      const it = this.head.iterator();
      while (it.next()) {
        if (it.t >= mint && it.t <= maxt) {
          removed++;
          continue;
        }
        if (first === Infinity) first = it.t;
        kept.append(it.t, it.v);
      }
      this.head = kept.numSamples() === 0 ? null : kept;
      if (this.head !== null) this.headMinT = first;
    }
    const histHead = this.histHead;
    if (histHead !== null && this.maxT >= mint && this.histHeadMinT <= maxt) {
      const left = dropHistograms(histHead.encoding, histHead.bytes().slice(), mint, maxt);
      removed += left.removed;
      this.hist.float();
      if (left.chunk !== null) this.hist.open(left.chunk.bytes().slice(), histHead.encoding);
    }
    let n = 0;
    for (let i = 0; i < this.oooLen; i++) {
      const t = this.oooTs[i]!;
      if (t >= mint && t <= maxt) {
        removed++;
        continue;
      }
      this.oooTs[n] = t;
      this.oooVs[n++] = this.oooVs[i]!;
    }
    this.oooLen = n;
    if (removed > 0) this.dirty = true;
    return removed;
  }

  /** Restores the head from a head_chunks row or snapshot entry. */
  restore(head: Uint8Array | null, ooo: Uint8Array | null, hist: Uint8Array | null = null, histEnc: HistogramEncoding = ChunkEncoding.FloatHistogram): void {
    this.decoded = null;
    if (hist != null && hist.byteLength > 0) {
      this.hist.open(hist, histEnc);
      const it = this.hist.chunk!.iterator();
      while (it.next()) {
        if (it.t > this.maxT) {
          this.maxT = it.t;
          this.lastH = it.rawHistogram();
        }
      }
      if (this.histHeadMinT < this.minT) this.minT = this.histHeadMinT;
    }
    if (head !== null && head.byteLength > 0) {
      this.head = XorChunk.open(head);
      const it = this.head.iterator();
      let first = true;
      while (it.next()) {
        const t = it.t;
        if (first) this.headMinT = t;
        first = false;
        if (t > this.maxT) {
          this.maxT = t;
          this.lastV = it.v;
        }
        if (t < this.minT) this.minT = t;
      }
    }
    if (ooo !== null && ooo.byteLength > 0) {
      this.allocOOO();
      const it = XorChunk.open(ooo).iterator();
      while (it.next() && this.oooLen < OOO_CAPACITY) {
        this.oooTs[this.oooLen] = it.t;
        this.oooVs[this.oooLen++] = it.v;
        if (it.t < this.minT) this.minT = it.t;
      }
    }
  }
}

/** A head chunk's samples decoded into a buffer that appends can extend. */
function decodeHead(bytes: Uint8Array): SampleBuffer {
  const n = xorNumSamples(bytes);
  const buf = new SampleBuffer(Math.max(n, Math.min(SAMPLES_PER_CHUNK, n * 2), 16));
  buf.n = decodeXorInto(bytes, buf.ts, buf.vs, 0);
  return buf;
}

/** Same counts in the same buckets, whatever the span layout (a histogram read back
 * from a chunk may carry the chunk's empty buckets). */
function sameHistogram(a: FloatHistogram, b: FloatHistogram): boolean {
  if (isStaleHistogram(a) || isStaleHistogram(b)) return isStaleHistogram(a) && isStaleHistogram(b);
  return a.copy().compact().equals(b.copy().compact());
}

function crossesRange(minT: number, t: number): boolean {
  return Math.floor(minT / CHUNK_RANGE_MS) !== Math.floor(t / CHUNK_RANGE_MS);
}
