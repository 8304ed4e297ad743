/**
 * Benchmark of the XOR chunk encoding on node_exporter-shaped data: bytes per sample,
 * encode and decode throughput. Run alone with `npx tsx bench/chunkenc.ts`.
 */

import { pathToFileURL } from "node:url";
import { XorChunk, XorIterator, decodeXorInto } from "../src/chunkenc/index.js";
import { HistogramChunkState } from "../src/chunkenc/histogram_chunk_state.js";
import { ChunkEncoding } from "../src/chunkenc/histogram_chunk_base.js";
import { histogramIterator } from "../src/chunkenc/histogram_chunks.js";
import { FloatHistogram } from "../src/model/histogram.js";
import { printResults } from "./print_results.js";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** Deterministic PRNG (mulberry32) so runs are comparable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SeriesKind =
  | "constant" // info metrics, *_size_bytes, MemTotal, error counters that stay 0
  | "cpu_counter" // node_cpu_seconds_total: 1/100 s resolution, irregular increments
  | "byte_counter" // network/disk bytes: integers, bursty rates
  | "slow_counter" // ops/packets/interrupt counters that often do not move
  | "mem_gauge" // memory/filesystem bytes: multiples of 1024/4096, drift
  | "load_gauge" // node_load1: two decimals
  | "noisy_float"; // durations, node_time_seconds, GC quantiles: full-entropy floats

/**
 * Rough mix of a node_exporter scrape of a small VM (a few cores, disks, interfaces and
 * filesystems; ~700 series): most series are constant (info metrics, sizes, error and
 * drop counters that stay 0, idle devices), then quiet counters and memory gauges; a
 * minority are busy counters and full-entropy floats (collector durations, GC
 * quantiles, node_time_seconds).
 */
export const NODE_EXPORTER_MIX: ReadonlyArray<readonly [SeriesKind, number]> = [
  ["constant", 0.45],
  ["slow_counter", 0.18],
  ["mem_gauge", 0.1],
  ["byte_counter", 0.08],
  ["cpu_counter", 0.07],
  ["load_gauge", 0.04],
  ["noisy_float", 0.08],
];

export function kindFor(i: number, n: number): SeriesKind {
  let acc = 0;
  const x = (i + 0.5) / n;
  for (const [k, share] of NODE_EXPORTER_MIX) {
    acc += share;
    if (x < acc) return k;
  }
  return "constant";
}

/** A value generator for one series of the given kind. */
export function valueGen(kind: SeriesKind, r: () => number): () => number {
  switch (kind) {
    case "constant": {
      const v = [0, 1, 4, 8_201_654_272, 499_963_174_912][Math.floor(r() * 5)]!;
      return () => v;
    }
    case "cpu_counter": {
      let cs = Math.floor(r() * 1e8); // centiseconds
      const busy = r() < 0.15 ? 1400 : r() * 100;
      return () => {
        cs += Math.floor(busy * (0.7 + 0.6 * r()));
        return cs / 100;
      };
    }
    case "byte_counter": {
      let v = Math.floor(r() * 1e12);
      const rate = 10 ** (2 + r() * 5);
      return () => {
        if (r() < 0.1) return v;
        v += Math.floor(rate * 15 * (0.2 + 1.6 * r()));
        return v;
      };
    }
    case "slow_counter": {
      let v = Math.floor(r() * 1e6);
      const p = r() * 0.6;
      return () => {
        if (r() < p) v += 1 + Math.floor(r() * 20);
        return v;
      };
    }
    case "mem_gauge": {
      const unit = r() < 0.5 ? 1024 : 4096;
      let v = Math.floor(r() * 4e6) * unit;
      const p = r();
      return () => {
        if (r() < p) v += Math.floor((r() - 0.5) * 200) * unit;
        return v;
      };
    }
    case "load_gauge": {
      let v = Math.floor(r() * 400);
      return () => {
        v = Math.max(0, v + Math.floor((r() - 0.5) * 20));
        return v / 100;
      };
    }
    case "noisy_float":
      return () => r() * 0.05;
  }
}

export interface ChunkData {
  ts: Float64Array;
  vs: Float64Array;
}

/**
 * `numSeries` series of `samplesPerSeries` samples from 15 s scrapes of 10 targets.
 * With `jitterMs` > 0 each scrape's timestamp wanders by up to that many ms around its
 * schedule (all series of a target share a scrape timestamp, as in Prometheus).
 */
export function nodeExporterChunks(numSeries: number, samplesPerSeries: number, jitterMs: number, seed = 1): ChunkData[] {
  const r = rng(seed);
  const targets = 10;
  const start = 1_700_000_000_000;
  const tsByTarget: Float64Array[] = [];
  for (let k = 0; k < targets; k++) {
    const ts = new Float64Array(samplesPerSeries);
    const offset = Math.floor(r() * 15_000);
    for (let i = 0; i < samplesPerSeries; i++) {
      const j = jitterMs > 0 ? Math.round((r() * 2 - 1) * jitterMs) : 0;
      ts[i] = start + offset + i * 15_000 + j;
    }
    tsByTarget.push(ts);
  }
  const out: ChunkData[] = [];
  for (let s = 0; s < numSeries; s++) {
    const gen = valueGen(kindFor(s, numSeries), r);
    const vs = new Float64Array(samplesPerSeries);
    for (let i = 0; i < samplesPerSeries; i++) vs[i] = gen();
    out.push({ ts: tsByTarget[s % targets]!, vs });
  }
  return out;
}

function encodeAll(data: readonly ChunkData[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const d of data) {
    const c = new XorChunk();
    const n = d.ts.length;
    for (let i = 0; i < n; i++) c.append(d.ts[i]!, d.vs[i]!);
    out.push(c.bytes());
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeIt(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function benchChunkenc(): Promise<BenchResult[]> {
  const SERIES = 1000;
  const PER = 120;
  const total = SERIES * PER;
  const jittered = nodeExporterChunks(SERIES, PER, 3, 1);
  const aligned = nodeExporterChunks(SERIES, PER, 0, 1);

  const bytesOf = (cs: Uint8Array[]) => cs.reduce((a, c) => a + c.length, 0);
  const jChunks = encodeAll(jittered);
  const aChunks = encodeAll(aligned);

  // Warm up the JIT before timing.
  for (let i = 0; i < 3; i++) encodeAll(jittered);
  const encMs = timeIt(9, () => encodeAll(jittered));

  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  const bulk = () => {
    let off = 0;
    for (const c of jChunks) off += decodeXorInto(c, ts, vs, off);
    if (off !== total) throw new Error("decoded sample count mismatch");
  };
  let sink = 0;
  const iter = () => {
    let n = 0;
    for (const c of jChunks) {
      const it = new XorIterator(c);
      while (it.next()) {
        sink += it.v;
        n++;
      }
    }
    if (n !== total) throw new Error("decoded sample count mismatch");
  };
  for (let i = 0; i < 3; i++) {
    bulk();
    iter();
  }
  const bulkMs = timeIt(9, bulk);
  const iterMs = timeIt(9, iter);
  if (sink === 0.5) console.log(""); // keep the loop observable

  // Where the bytes go: per series kind, with aligned timestamps (values only, plus
  // one bit per sample for the timestamp).
  const perKind = new Map<string, [number, number]>();
  aChunks.forEach((c, i) => {
    const k = kindFor(i, SERIES);
    const e = perKind.get(k) ?? [0, 0];
    e[0] += c.length;
    e[1] += PER;
    perKind.set(k, e);
  });

  const hist: HistogramChunkBytes = { float: [], int: [] };
  const histSizes = histogramSizes(3, "chunkenc.histogram", hist);

  return [
    ...histSizes,
    ...histogramSizes(1, "chunkenc.histogram.schema1"),
    ...[...perKind].map(([k, [b, n]]) => ({ name: `chunkenc.bytes_per_sample_aligned_ts.${k}`, value: b / n, unit: "B/sample" })),
    { name: "chunkenc.bytes_per_sample", value: bytesOf(jChunks) / total, unit: "B/sample" },
    { name: "chunkenc.bytes_per_sample_aligned_ts", value: bytesOf(aChunks) / total, unit: "B/sample" },
    { name: "chunkenc.encode", value: total / (encMs / 1000), unit: "samples/s" },
    { name: "chunkenc.decode_bulk", value: total / (bulkMs / 1000), unit: "samples/s" },
    { name: "chunkenc.decode_iterator", value: total / (iterMs / 1000), unit: "samples/s" },
    { name: "chunkenc.histogram.decode_float", value: histogramDecodeRate(ChunkEncoding.FloatHistogram, hist.float), unit: "samples/s" },
    { name: "chunkenc.histogram.decode_int", value: histogramDecodeRate(ChunkEncoding.Histogram, hist.int), unit: "samples/s" },
  ];
}

/** Encoded histogram chunks as the head cuts them, float and integer. */
interface HistogramChunkBytes {
  float: Uint8Array[];
  int: Uint8Array[];
}

/** Histograms per second the iterator decodes (every field, without building
 * FloatHistogram objects, which would dominate the figure). */
function histogramDecodeRate(enc: ChunkEncoding.Histogram | ChunkEncoding.FloatHistogram, chunks: readonly Uint8Array[]): number {
  const total = chunks.reduce((a, c) => a + ((c[0]! << 8) | c[1]!), 0);
  const run = () => {
    let n = 0;
    for (const c of chunks) {
      const it = histogramIterator(enc, c);
      while (it.next()) n++;
    }
    if (n !== total) throw new Error("decoded histogram count mismatch");
  };
  for (let i = 0; i < 3; i++) run();
  return total / (timeIt(9, run) / 1000);
}

/**
 * Native histograms of request latencies (schema 3, or 1 for about 20 buckets; lognormal around 50 ms, about 100
 * requests per 15 s scrape, so buckets fill in and new ones appear over time), cut
 * into chunks as the head cuts them (1 KiB, 2h). Stored as scraped (integer counts,
 * integer histogram chunks) and as float histograms (float histogram chunks, what a
 * recording rule writes); both are Prometheus' layouts bit for bit, so the sizes per
 * sample are Prometheus' for the same data. The comparison is with the same buckets
 * stored as a classic histogram (one XOR series per bucket, plus _count and _sum).
 */
function histogramSizes(schema: number, prefix: string, keep?: HistogramChunkBytes): BenchResult[] {
  const r = rng(7);
  const SERIES = 50;
  const PER = 480; // 2 h at 15 s
  let histBytes = 0;
  let intBytes = 0;
  let classicBytes = 0;
  let buckets = 0;
  for (let s = 0; s < SERIES; s++) {
    const counts = new Map<number, number>();
    let count = 0;
    let sum = 0;
    const state = new HistogramChunkState();
    const intState = new HistogramChunkState();
    const samples: FloatHistogram[] = [];
    const t0 = 1_700_000_000_000 + s * 100;
    for (let i = 0; i < PER; i++) {
      const n = Math.floor(60 + r() * 80);
      for (let k = 0; k < n; k++) {
        // Box-Muller lognormal latency in seconds.
        const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
        const v = 0.05 * Math.exp(0.8 * z);
        const idx = Math.ceil(Math.log2(v) * 2 ** schema);
        counts.set(idx, (counts.get(idx) ?? 0) + 1);
        count++;
        sum += v;
      }
      const idx = [...counts.keys()].sort((a, b) => a - b);
      const h = FloatHistogram.from({ schema, zeroThreshold: 2 ** -128, count, sum });
      let last = 0;
      for (const x of idx) {
        if (h.positiveSpans.length > 0 && x === last + 1) h.positiveSpans[h.positiveSpans.length - 1]!.length++;
        else h.positiveSpans.push({ offset: h.positiveSpans.length === 0 ? x : x - last - 1, length: 1 });
        h.positiveBuckets.push(counts.get(x)!);
        last = x;
      }
      const sealed = state.append(t0 + i * 15_000, h);
      if (sealed !== null) {
        histBytes += sealed.size();
        keep?.float.push(sealed.bytes().slice());
      }
      const scraped = Object.assign(h.copy(), { integer: true });
      const sealedInt = intState.append(t0 + i * 15_000, scraped);
      if (sealedInt !== null) {
        intBytes += sealedInt.size();
        keep?.int.push(sealedInt.bytes().slice());
      }
      samples.push(h);
    }
    histBytes += state.chunk!.size();
    intBytes += intState.chunk!.size();
    keep?.float.push(state.chunk!.bytes().slice());
    keep?.int.push(intState.chunk!.bytes().slice());
    // The classic equivalent: cumulative counts per final bucket bound, _count, _sum.
    const bounds = [...counts.keys()].sort((a, b) => a - b);
    buckets += bounds.length;
    for (let b = 0; b <= bounds.length + 1; b++) {
      let c = new XorChunk();
      for (let i = 0; i < PER; i++) {
        if (c.numSamples() >= 120) {
          classicBytes += c.size();
          c = new XorChunk();
        }
        const h = samples[i]!;
        let v: number;
        if (b === bounds.length) v = h.count;
        else if (b === bounds.length + 1) v = h.sum;
        else {
          v = 0;
          let at = 0;
          h.positiveSpans.forEach((sp, k) => {
            at += sp.offset;
            let base = h.positiveSpans.slice(0, k).reduce((a, x) => a + x.length, 0);
            for (let j = 0; j < sp.length; j++, at++, base++) if (at <= bounds[b]!) v += h.positiveBuckets[base]!;
          });
        }
        c.append(t0 + i * 15_000, v);
      }
      classicBytes += c.size();
    }
  }
  const n = SERIES * PER;
  return [
    { name: `${prefix}.bytes_per_sample`, value: histBytes / n, unit: "B/sample" },
    { name: `${prefix}.int_bytes_per_sample`, value: intBytes / n, unit: "B/sample" },
    { name: `${prefix}.int_vs_float`, value: intBytes / histBytes, unit: "x" },
    { name: `${prefix}.buckets_per_sample`, value: buckets / SERIES, unit: "buckets" },
    { name: `${prefix}.classic_bytes_per_sample`, value: classicBytes / n, unit: "B/sample" },
    { name: `${prefix}.native_vs_classic`, value: histBytes / classicBytes, unit: "x" },
    { name: `${prefix}.int_native_vs_classic`, value: intBytes / classicBytes, unit: "x" },
  ];
}

if (isMainModule(import.meta.url)) {
  void benchChunkenc().then((rs) => {
    printResults(rs, 40, 12);
  });
}

/** True when the module at `url` is the script node was started with. */
export function isMainModule(url: string): boolean {
  const arg = typeof process !== "undefined" ? process.argv[1] : undefined;
  return arg !== undefined && url === pathToFileURL(arg).href;
}
