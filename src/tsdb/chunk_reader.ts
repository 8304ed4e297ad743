import { decodeXor } from "../chunkenc/iterator.js";
import { type HistogramEncoding, decodeHistograms } from "../chunkenc/histogram_chunks.js";
import type { FloatHistogram } from "../model/histogram.js";
import type { ChunkData } from "./rpc.js";

export interface SampleArrays {
  ts: Float64Array;
  vs: Float64Array;
  /** Native histograms by position when any chunk held them (vs is 0 there). */
  hs?: (FloatHistogram | undefined)[];
}

/** Decodes a series' chunks into one time-sorted run restricted to [mint, maxt].
 * In-order chunks never overlap and arrive sorted, so they are concatenated;
 * out-of-order chunks overlap anything and force a merge that keeps the first value
 * seen for a timestamp (in-order data wins, as in Prometheus' head). */
export function readChunks(chunks: readonly ChunkData[], mint: number, maxt: number): SampleArrays {
  const inOrder: SampleArrays[] = [];
  const ooo: SampleArrays[] = [];
  let total = 0;
  for (const c of chunks) {
    const d = clip(c.enc !== undefined ? histogramArrays(c.enc, c.data) : decodeXor(c.data), mint, maxt);
    if (d.ts.length === 0) continue;
    (c.ooo ? ooo : inOrder).push(d);
    total += d.ts.length;
  }
  const base = concat(inOrder, ooo.length === 0 ? total : undefined);
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
  let lo = 0;
  while (lo < n && d.ts[lo]! < mint) lo++;
  let hi = n;
  while (hi > lo && d.ts[hi - 1]! > maxt) hi--;
  const out: SampleArrays = { ts: d.ts.subarray(lo, hi), vs: d.vs.subarray(lo, hi) };
  if (d.hs !== undefined) out.hs = d.hs.slice(lo, hi);
  return out;
}

function concat(parts: SampleArrays[], total?: number): SampleArrays {
  if (parts.length === 1) return parts[0]!;
  const n = total ?? parts.reduce((a, p) => a + p.ts.length, 0);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  const withHs = parts.some((p) => p.hs !== undefined);
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
