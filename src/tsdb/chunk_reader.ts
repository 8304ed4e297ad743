import { decodeXor } from "../chunkenc/iterator.js";
import { type HistogramEncoding, decodeHistograms } from "../chunkenc/histogram_chunks.js";
import type { FloatHistogram } from "../model/histogram.js";
import type { ChunkData } from "./rpc.js";
import type { DecodedChunks } from "./decoded_chunks.js";

export interface SampleArrays {
  ts: Float64Array;
  vs: Float64Array;
  /** Native histograms by position when any chunk held them (vs is 0 there). */
  hs?: (FloatHistogram | undefined)[];
}

/** Decodes a series' chunks into one time-sorted run restricted to [mint, maxt].
 * In-order chunks never overlap and arrive sorted, so they are concatenated;
 * out-of-order chunks overlap anything and force a merge that keeps the first value
 * seen for a timestamp (in-order data wins, as in Prometheus' head). `head` is the
 * series' open head chunk's samples when the caller holds them decoded; `sealed`, when
 * every in-order XOR chunk given is sealed (no open head among them), keeps them decoded;
 * `into`, when the caller is done with the run before its next read, holds the run
 * when chunks have to be joined (a window across a sealed chunk and the head). */
export function readChunks(
  chunks: readonly ChunkData[],
  mint: number,
  maxt: number,
  head?: SampleArrays,
  sealed?: DecodedChunks,
  into?: SampleBuffer,
): SampleArrays {
  const inOrder: SampleArrays[] = [];
  const ooo: SampleArrays[] = [];
  for (const c of chunks) {
    const d = clip(c.enc !== undefined ? histogramArrays(c.enc, c.data) : sealed !== undefined && !c.ooo ? sealed.decode(c.data) : decodeXor(c.data), mint, maxt);
    if (d.ts.length > 0) (c.ooo ? ooo : inOrder).push(d);
  }
  // An open head already decoded: newer than every in-order chunk given.
  if (head !== undefined) {
    const d = clip(head, mint, maxt);
    if (d.ts.length > 0) inOrder.push(d);
  }
  let total = 0;
  for (const d of inOrder) total += d.ts.length;
  const base = concat(inOrder, total, ooo.length === 0 ? into : undefined);
  if (ooo.length === 0) return base;
  return ooo.reduce(mergeSorted, base);
}

function histogramArrays(enc: HistogramEncoding, data: Uint8Array): SampleArrays {
  const { ts, hs } = decodeHistograms(enc, data);
  return { ts, vs: new Float64Array(ts.length), hs };
}

function clip(d: SampleArrays, mint: number, maxt: number): SampleArrays {
  const n = d.ts.length;
  if (n === 0 || (d.ts[0]! >= mint && d.ts[n - 1]! <= maxt)) return d;
  const lo = searchTime(d.ts, mint, 0, false);
  const hi = searchTime(d.ts, maxt, lo, true);
  const out: SampleArrays = { ts: d.ts.subarray(lo, hi), vs: d.vs.subarray(lo, hi) };
  if (d.hs !== undefined) out.hs = d.hs.slice(lo, hi);
  return out;
}

/** The first index in [from, to) whose time is >= t (> t when `after`), else `to`. */
export function searchTime(ts: Float64Array, t: number, from: number, after: boolean, to = ts.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t || (after && ts[mid] === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Arrays one reader fills again and again: a shard evaluating a pushed-down read joins
 * a sealed chunk with the head for every series whose window spans both, and
 * allocating two typed arrays per series was a third of that read's time. What
 * readChunks returns through it stays valid only until the buffer's next use.
 */
export class SampleBuffer {
  private ts = new Float64Array(0);
  private vs = new Float64Array(0);

  take(n: number): SampleArrays {
    if (this.ts.length < n) {
      const size = Math.max(n, 2 * this.ts.length, 256);
      this.ts = new Float64Array(size);
      this.vs = new Float64Array(size);
    }
    return { ts: this.ts.subarray(0, n), vs: this.vs.subarray(0, n) };
  }
}

function concat(parts: SampleArrays[], n: number, into?: SampleBuffer): SampleArrays {
  if (parts.length === 1) return parts[0]!;
  const withHs = parts.some((p) => p.hs !== undefined);
  const { ts, vs } = into !== undefined && !withHs ? into.take(n) : { ts: new Float64Array(n), vs: new Float64Array(n) };
  const hs: (FloatHistogram | undefined)[] | undefined = withHs ? new Array(n) : undefined;
  let o = 0;
  for (const p of parts) {
    ts.set(p.ts, o);
    vs.set(p.vs, o);
    if (hs !== undefined && p.hs !== undefined) for (let i = 0; i < p.hs.length; i++) hs[o + i] = p.hs[i];
    o += p.ts.length;
  }
  return hs === undefined ? { ts, vs } : { ts, vs, hs };
}

function mergeSorted(a: SampleArrays, b: SampleArrays): SampleArrays {
  const ts = new Float64Array(a.ts.length + b.ts.length);
  const vs = new Float64Array(ts.length);
  const hs: (FloatHistogram | undefined)[] | undefined = a.hs !== undefined || b.hs !== undefined ? new Array(ts.length) : undefined;
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.ts.length || j < b.ts.length) {
    const ta = i < a.ts.length ? a.ts[i]! : Infinity;
    const tb = j < b.ts.length ? b.ts[j]! : Infinity;
    if (ta <= tb) {
      ts[o] = ta;
      if (hs !== undefined) hs[o] = a.hs?.[i];
      vs[o++] = a.vs[i++]!;
      if (ta === tb) j++;
    } else {
      ts[o] = tb;
      if (hs !== undefined) hs[o] = b.hs?.[j];
      vs[o++] = b.vs[j++]!;
    }
  }
  const out: SampleArrays = { ts: ts.subarray(0, o), vs: vs.subarray(0, o) };
  if (hs !== undefined) out.hs = hs.slice(0, o);
  return out;
}
