import { ChunkEncoding } from "../chunkenc/histogram_chunk_base.js";
import type { HistogramEncoding } from "../chunkenc/histogram_chunks.js";
import { ByteReader, ByteWriter } from "./byte_io.js";
import { CHUNK_RANGE_MS } from "./options.js";

/**
 * Packed blocks: many sealed chunks of many series in one SQLite row, the way a
 * Prometheus block holds a time range's chunks behind an index. A block row has two
 * blobs: `idx`, the offset index (one entry per chunk, sorted by series id then start
 * time), and `data`, the chunks' Gorilla bytes back to back. A query reads the index
 * (small, cached) to find a series' byte ranges, then the data.
 */

export interface BlockChunk {
  seriesId: number;
  minT: number;
  maxT: number;
  count: number;
  ooo: boolean;
  /** A native histogram chunk's encoding (else XOR). */
  enc?: HistogramEncoding;
  data: Uint8Array;
}

/** A decoded offset index; entry i's bytes are data[offsets[i], offsets[i + 1]). */
export interface BlockIndex {
  n: number;
  ids: Float64Array;
  minT: Float64Array;
  maxT: Float64Array;
  counts: Uint32Array;
  ooo: Uint8Array;
  /** ChunkEncoding of each chunk. */
  enc: Uint8Array;
  offsets: Uint32Array;
}

export interface EncodedBlock {
  partition: number;
  minT: number;
  maxT: number;
  chunks: number;
  samples: number;
  idx: Uint8Array;
  data: Uint8Array;
}

/** Per chunk, count * 8 + (encoding - 1) * 2 + out-of-order. Version 2 (a float
 * histogram flag, count * 4 + hist * 2 + ooo) and version 1 (count * 2 + ooo, XOR
 * only) rows are still read. */
const VERSION = 3;
/** Data bytes per block row: SQLite in a Durable Object refuses values over 2 MB. */
export const BLOCK_ROW_BYTES = 1 << 20;

/** The 2h range a chunk belongs to, by its start (in-order chunks never cross one). */
export function partitionOf(t: number): number {
  return Math.floor(t / CHUNK_RANGE_MS);
}

export function compareChunks(a: BlockChunk, b: BlockChunk): number {
  return a.seriesId - b.seriesId || a.minT - b.minT || Number(a.ooo) - Number(b.ooo);
}

/** Packs chunks into block rows: one run per partition, each cut at BLOCK_ROW_BYTES. */
export function packBlocks(chunks: readonly BlockChunk[], rowBytes = BLOCK_ROW_BYTES): EncodedBlock[] {
  const byPartition = new Map<number, BlockChunk[]>();
  for (const c of chunks) {
    const p = partitionOf(c.minT);
    let list = byPartition.get(p);
    if (list === undefined) byPartition.set(p, (list = []));
    list.push(c);
  }
  const out: EncodedBlock[] = [];
  for (const [p, list] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    list.sort(compareChunks);
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < list.length; i++) {
      const size = list[i]!.data.byteLength;
      if (i > start && bytes + size > rowBytes) {
        out.push(encodeBlock(p, list.slice(start, i)));
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (start < list.length) out.push(encodeBlock(p, list.slice(start)));
  }
  return out;
}

/** Encodes chunks already sorted by compareChunks. */
export function encodeBlock(partition: number, chunks: readonly BlockChunk[]): EncodedBlock {
  let minT = Infinity;
  let maxT = -Infinity;
  let samples = 0;
  let dataLen = 0;
  for (const c of chunks) {
    if (c.minT < minT) minT = c.minT;
    if (c.maxT > maxT) maxT = c.maxT;
    samples += c.count;
    dataLen += c.data.byteLength;
  }
  const w = new ByteWriter(16 + chunks.length * 10);
  w.uvarint(VERSION);
  w.uvarint(chunks.length);
  w.svarint(minT);
  const data = new Uint8Array(dataLen);
  let prevId = 0;
  let o = 0;
  for (const c of chunks) {
    w.uvarint(c.seriesId - prevId);
    prevId = c.seriesId;
    w.uvarint(c.minT - minT);
    w.uvarint(c.maxT - c.minT);
    w.uvarint(c.count * 8 + ((c.enc ?? ChunkEncoding.XOR) - 1) * 2 + (c.ooo ? 1 : 0));
    w.uvarint(c.data.byteLength);
    data.set(c.data, o);
    o += c.data.byteLength;
  }
  return { partition, minT, maxT, chunks: chunks.length, samples, idx: w.finish(), data };
}

export function decodeBlockIndex(bytes: Uint8Array): BlockIndex {
  const r = new ByteReader(bytes);
  const version = r.uvarint();
  if (version < 1 || version > VERSION) throw new Error(`unknown block index version ${version}`);
  const flagBits = version === 1 ? 2 : version === 2 ? 4 : 8;
  const n = r.uvarint();
  const base = r.svarint();
  const idx: BlockIndex = {
    n,
    ids: new Float64Array(n),
    minT: new Float64Array(n),
    maxT: new Float64Array(n),
    counts: new Uint32Array(n),
    ooo: new Uint8Array(n),
    enc: new Uint8Array(n),
    offsets: new Uint32Array(n + 1),
  };
  let id = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    id += r.uvarint();
    idx.ids[i] = id;
    const mint = base + r.uvarint();
    idx.minT[i] = mint;
    idx.maxT[i] = mint + r.uvarint();
    const c = r.uvarint();
    idx.counts[i] = Math.floor(c / flagBits);
    idx.ooo[i] = c % 2;
    const kind = (c % flagBits) >>> 1;
    // Version 2's histogram chunks were all float ones.
    idx.enc[i] = version === 3 ? kind + 1 : kind === 1 ? ChunkEncoding.FloatHistogram : ChunkEncoding.XOR;
    if (idx.enc[i]! > ChunkEncoding.FloatHistogram) throw new Error(`unknown chunk encoding ${idx.enc[i]} in block index`);
    idx.offsets[i] = o;
    o += r.uvarint();
  }
  idx.offsets[n] = o;
  return idx;
}

/** Entries [lo, hi) of series `id`. */
export function seriesRange(idx: BlockIndex, id: number): [number, number] {
  let lo = 0;
  let hi = idx.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (idx.ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < idx.n && idx.ids[end] === id) end++;
  return [lo, end];
}

/** Entry i of a decoded block as a chunk (its bytes a view into `data`). */
export function blockChunk(idx: BlockIndex, data: Uint8Array, i: number): BlockChunk {
  return {
    seriesId: idx.ids[i]!,
    minT: idx.minT[i]!,
    maxT: idx.maxT[i]!,
    count: idx.counts[i]!,
    ooo: idx.ooo[i] === 1,
    ...(idx.enc[i] !== ChunkEncoding.XOR ? { enc: idx.enc[i] as HistogramEncoding } : {}),
    data: data.subarray(idx.offsets[i]!, idx.offsets[i + 1]!),
  };
}

/** Bytes an index holds in memory, for the cache's budget. */
export function indexMemory(idx: BlockIndex): number {
  return idx.n * 38 + 64;
}
