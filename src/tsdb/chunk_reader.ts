import { decodeXor } from "../chunkenc/iterator.js";
import type { ChunkData } from "./rpc.js";

export interface SampleArrays {
  ts: Float64Array;
  vs: Float64Array;
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
    const d = clip(decodeXor(c.data), mint, maxt);
    if (d.ts.length === 0) continue;
    (c.ooo ? ooo : inOrder).push(d);
    total += d.ts.length;
  }
  const base = concat(inOrder, ooo.length === 0 ? total : undefined);
  if (ooo.length === 0) return base;
  return ooo.reduce(mergeSorted, base);
}

function clip(d: SampleArrays, mint: number, maxt: number): SampleArrays {
  const n = d.ts.length;
  if (n === 0 || (d.ts[0]! >= mint && d.ts[n - 1]! <= maxt)) return d;
  let lo = 0;
  while (lo < n && d.ts[lo]! < mint) lo++;
  let hi = n;
  while (hi > lo && d.ts[hi - 1]! > maxt) hi--;
  return { ts: d.ts.subarray(lo, hi), vs: d.vs.subarray(lo, hi) };
}

function concat(parts: SampleArrays[], total?: number): SampleArrays {
  if (parts.length === 1) return parts[0]!;
  const n = total ?? parts.reduce((a, p) => a + p.ts.length, 0);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    ts.set(p.ts, o);
    vs.set(p.vs, o);
    o += p.ts.length;
  }
  return { ts, vs };
}

function mergeSorted(a: SampleArrays, b: SampleArrays): SampleArrays {
  const ts = new Float64Array(a.ts.length + b.ts.length);
  const vs = new Float64Array(ts.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.ts.length || j < b.ts.length) {
    const ta = i < a.ts.length ? a.ts[i]! : Infinity;
    const tb = j < b.ts.length ? b.ts[j]! : Infinity;
    if (ta <= tb) {
      ts[o] = ta;
      vs[o++] = a.vs[i++]!;
      if (ta === tb) j++;
    } else {
      ts[o] = tb;
      vs[o++] = b.vs[j++]!;
    }
  }
  return { ts: ts.subarray(0, o), vs: vs.subarray(0, o) };
}
