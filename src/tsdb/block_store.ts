import type { SqlExec } from "./usage_meter.js";
import { ChunkEncoding } from "../chunkenc/histogram_chunk_base.js";
import { type HistogramEncoding, dropHistograms } from "../chunkenc/histogram_chunks.js";
import { XorChunk } from "../chunkenc/xor.js";
import { blockChunk, decodeBlockIndex, encodeBlock, indexMemory, packBlocks, seriesRange, type BlockChunk, type BlockIndex, type EncodedBlock } from "./block.js";
import type { ChunkData } from "./rpc.js";

interface BlockMeta {
  id: number;
  partition: number;
  minT: number;
  maxT: number;
  chunks: number;
  samples: number;
  bytes: number;
}

export interface Removed {
  chunks: number;
  bytes: number;
  samples: number;
}

/** Decoded indexes and data kept between reads; blocks never change in place (a
 * rewrite gets a new id), so cached entries never go stale. */
const INDEX_CACHE_BYTES = 16 << 20;
const DATA_CACHE_BYTES = 24 << 20;

class Lru<V> {
  private readonly map = new Map<number, { v: V; size: number }>();
  private bytes = 0;
  constructor(private readonly budget: number) {}

  get(k: number): V | undefined {
    const e = this.map.get(k);
    if (e === undefined) return undefined;
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }

  set(k: number, v: V, size: number): void {
    this.delete(k);
    this.map.set(k, { v, size });
    this.bytes += size;
    for (const [key, e] of this.map) {
      if (this.bytes <= this.budget || this.map.size <= 1) break;
      this.map.delete(key);
      this.bytes -= e.size;
    }
  }

  delete(k: number): void {
    const e = this.map.get(k);
    if (e === undefined) return;
    this.map.delete(k);
    this.bytes -= e.size;
  }
}

function toBlob(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
    ? (b.buffer as ArrayBuffer)
    : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
}

/**
 * The sealed chunks of one shard, packed into block rows (see block.ts). Block
 * metadata lives in memory; indexes and data are read on demand and cached.
 * Every method runs inside the caller's transaction.
 */
export class BlockStore {
  private metas: BlockMeta[] = [];
  private readonly indexes = new Lru<BlockIndex>(INDEX_CACHE_BYTES);
  private readonly datas = new Lru<Uint8Array>(DATA_CACHE_BYTES);
  chunks = 0;
  bytes = 0;
  samples = 0;

  constructor(private readonly sql: SqlExec) {}

  load(): void {
    this.metas = [];
    this.chunks = this.bytes = this.samples = 0;
    for (const r of this.sql.exec<{ id: number; partition: number; min_time: number; max_time: number; num_chunks: number; num_samples: number; bytes: number }>(
      "SELECT id, partition, min_time, max_time, num_chunks, num_samples, LENGTH(data) AS bytes FROM blocks ORDER BY id",
    )) {
      this.addMeta({ id: r.id, partition: r.partition, minT: r.min_time, maxT: r.max_time, chunks: r.num_chunks, samples: r.num_samples, bytes: r.bytes });
    }
  }

  get count(): number {
    return this.metas.length;
  }

  /** Writes chunks as new block rows; returns how many rows. */
  write(chunks: readonly BlockChunk[]): number {
    if (chunks.length === 0) return 0;
    const blocks = packBlocks(chunks);
    for (const b of blocks) this.insert(b);
    return blocks.length;
  }

  /** Calls fn for every chunk entry of every block (recovery, and after deletions). */
  scan(fn: (id: number, minT: number, maxT: number, ooo: boolean) => void): void {
    for (const m of this.metas) {
      const idx = this.index(m.id);
      for (let i = 0; i < idx.n; i++) fn(idx.ids[i]!, idx.minT[i]!, idx.maxT[i]!, idx.ooo[i] === 1);
    }
  }

  /** Appends series `id`'s chunks overlapping [mint, maxt] to `out`. */
  read(id: number, mint: number, maxt: number, out: ChunkData[]): void {
    for (const m of this.metas) {
      if (m.maxT < mint || m.minT > maxt) continue;
      const idx = this.index(m.id);
      const [lo, hi] = seriesRange(idx, id);
      if (lo === hi) continue;
      let data: Uint8Array | null = null;
      for (let i = lo; i < hi; i++) {
        if (idx.maxT[i]! < mint || idx.minT[i]! > maxt) continue;
        data ??= this.data(m.id);
        const c: ChunkData = { minT: idx.minT[i]!, maxT: idx.maxT[i]!, ooo: idx.ooo[i] === 1, data: data.subarray(idx.offsets[i]!, idx.offsets[i + 1]!) };
        if (idx.enc[i] !== ChunkEncoding.XOR) c.enc = idx.enc[i] as HistogramEncoding;
        out.push(c);
      }
    }
  }

  /** Drops whole blocks whose every chunk ended before `cutoff`, as Prometheus drops
   * blocks past the retention; returns what went and the series it touched. */
  deleteBefore(cutoff: number, touched: Set<number>): Removed {
    const gone: Removed = { chunks: 0, bytes: 0, samples: 0 };
    for (const m of [...this.metas]) {
      if (m.maxT >= cutoff) continue;
      const idx = this.index(m.id);
      for (let i = 0; i < idx.n; i++) touched.add(idx.ids[i]!);
      this.remove(m, gone);
    }
    return gone;
  }

  /**
   * Deletes the chunks that ended first (by end time) until `excess` bytes are gone,
   * for the size limit: blocks wholly chosen are dropped, the one at the edge is
   * rewritten without the chosen chunks. Returns what went and the newest end time
   * deleted.
   */
  deleteOldest(excess: number, touched: Set<number>): Removed & { cutoff: number } {
    type Entry = { meta: BlockMeta; i: number; maxT: number; size: number };
    const entries: Entry[] = [];
    for (const meta of this.metas) {
      const idx = this.index(meta.id);
      for (let i = 0; i < idx.n; i++) entries.push({ meta, i, maxT: idx.maxT[i]!, size: idx.offsets[i + 1]! - idx.offsets[i]! });
    }
    entries.sort((a, b) => a.maxT - b.maxT || a.meta.id - b.meta.id || a.i - b.i);
    const chosen = new Map<BlockMeta, Set<number>>();
    let cutoff = -Infinity;
    for (const e of entries) {
      if (excess <= 0) break;
      let set = chosen.get(e.meta);
      if (set === undefined) chosen.set(e.meta, (set = new Set()));
      set.add(e.i);
      excess -= e.size;
      cutoff = e.maxT;
    }
    const gone: Removed = { chunks: 0, bytes: 0, samples: 0 };
    for (const [meta, set] of chosen) {
      const idx = this.index(meta.id);
      for (const i of set) touched.add(idx.ids[i]!);
      if (set.size === idx.n) {
        this.remove(meta, gone);
        continue;
      }
      const data = this.data(meta.id);
      const kept: BlockChunk[] = [];
      for (let i = 0; i < idx.n; i++) if (!set.has(i)) kept.push(blockChunk(idx, data, i));
      const before = { chunks: this.chunks, bytes: this.bytes, samples: this.samples };
      this.remove(meta, { chunks: 0, bytes: 0, samples: 0 });
      this.insert(encodeBlock(meta.partition, kept));
      gone.chunks += before.chunks - this.chunks;
      gone.bytes += before.bytes - this.bytes;
      gone.samples += before.samples - this.samples;
    }
    return { ...gone, cutoff };
  }

  /**
   * Removes the samples of series `ids` within [mint, maxt]: blocks holding any are
   * rewritten, chunks across the range's edge re-encoded without those samples.
   * Returns the samples removed per series.
   */
  deleteRange(ids: ReadonlySet<number>, mint: number, maxt: number): Map<number, number> {
    const removed = new Map<number, number>();
    for (const meta of [...this.metas]) {
      if (meta.maxT < mint || meta.minT > maxt) continue;
      const idx = this.index(meta.id);
      let hit = false;
      for (let i = 0; i < idx.n && !hit; i++) hit = ids.has(idx.ids[i]!) && idx.maxT[i]! >= mint && idx.minT[i]! <= maxt;
      if (!hit) continue;
      const data = this.data(meta.id);
      const kept: BlockChunk[] = [];
      for (let i = 0; i < idx.n; i++) {
        const c = blockChunk(idx, data, i);
        if (!ids.has(c.seriesId) || c.maxT < mint || c.minT > maxt) {
          kept.push(c);
          continue;
        }
        const cut = cutChunk(c, mint, maxt);
        removed.set(c.seriesId, (removed.get(c.seriesId) ?? 0) + cut.removed);
        if (cut.chunk !== null) kept.push(cut.chunk);
      }
      this.remove(meta, { chunks: 0, bytes: 0, samples: 0 });
      if (kept.length > 0) for (const b of packBlocks(kept)) this.insert(b);
    }
    return removed;
  }

  /**
   * Merges the block rows of each partition that ended before `closedBefore` (no
   * more in-order chunks can arrive there) into as few rows as fit, as Prometheus
   * compacts its head into one block per range. Returns the rows written.
   */
  compact(closedBefore: number): number {
    const byPartition = new Map<number, BlockMeta[]>();
    for (const m of this.metas) {
      if (m.partition >= closedBefore) continue;
      let list = byPartition.get(m.partition);
      if (list === undefined) byPartition.set(m.partition, (list = []));
      list.push(m);
    }
    let rows = 0;
    for (const list of byPartition.values()) {
      if (list.length < 2) continue;
      const total = list.reduce((a, m) => a + m.bytes, 0);
      // Only when merging saves rows: full rows are left alone.
      const small = list.filter((m) => m.bytes < (1 << 20) / 2);
      if (small.length < 2 || Math.ceil(total / (1 << 20)) >= list.length) continue;
      const chunks: BlockChunk[] = [];
      for (const m of small) {
        const idx = this.index(m.id);
        const data = this.data(m.id).slice();
        for (let i = 0; i < idx.n; i++) chunks.push(blockChunk(idx, data, i));
      }
      for (const m of small) this.remove(m, { chunks: 0, bytes: 0, samples: 0 });
      rows += this.write(chunks);
    }
    return rows;
  }

  private insert(b: EncodedBlock): void {
    const row = this.sql
      .exec<{ id: number }>(
        "INSERT INTO blocks (partition, min_time, max_time, num_chunks, num_samples, idx, data) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        b.partition,
        b.minT,
        b.maxT,
        b.chunks,
        b.samples,
        toBlob(b.idx),
        toBlob(b.data),
      )
      .one();
    this.addMeta({ id: row.id, partition: b.partition, minT: b.minT, maxT: b.maxT, chunks: b.chunks, samples: b.samples, bytes: b.data.byteLength });
    const idx = decodeBlockIndex(b.idx);
    this.indexes.set(row.id, idx, indexMemory(idx));
  }

  private addMeta(m: BlockMeta): void {
    this.metas.push(m);
    this.chunks += m.chunks;
    this.bytes += m.bytes;
    this.samples += m.samples;
  }

  private remove(m: BlockMeta, gone: Removed): void {
    this.sql.exec("DELETE FROM blocks WHERE id = ?", m.id);
    this.metas.splice(this.metas.indexOf(m), 1);
    this.indexes.delete(m.id);
    this.datas.delete(m.id);
    this.chunks -= m.chunks;
    this.bytes -= m.bytes;
    this.samples -= m.samples;
    gone.chunks += m.chunks;
    gone.bytes += m.bytes;
    gone.samples += m.samples;
  }

  private index(id: number): BlockIndex {
    let idx = this.indexes.get(id);
    if (idx === undefined) {
      const row = this.sql.exec<{ idx: ArrayBuffer }>("SELECT idx FROM blocks WHERE id = ?", id).one();
      idx = decodeBlockIndex(new Uint8Array(row.idx));
      this.indexes.set(id, idx, indexMemory(idx));
    }
    return idx;
  }

  private data(id: number): Uint8Array {
    let d = this.datas.get(id);
    if (d === undefined) {
      d = new Uint8Array(this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM blocks WHERE id = ?", id).one().data);
      this.datas.set(id, d, d.byteLength);
    }
    return d;
  }
}

/** A chunk without its samples in [mint, maxt]: null when none are left. */
export function cutChunk(c: BlockChunk, mint: number, maxt: number): { chunk: BlockChunk | null; removed: number } {
  if (c.enc !== undefined) return cutHistogramChunk(c, c.enc, mint, maxt);
  const kept = new XorChunk();
  let removed = 0;
  let first = Infinity;
  let last = -Infinity;
  const it = XorChunk.open(c.data).iterator();
  while (it.next()) {
    if (it.t >= mint && it.t <= maxt) {
      removed++;
      continue;
    }
    kept.append(it.t, it.v);
    if (it.t < first) first = it.t;
    last = it.t;
  }
  if (kept.numSamples() === 0) return { chunk: null, removed };
  return { chunk: { seriesId: c.seriesId, minT: first, maxT: last, count: kept.numSamples(), ooo: c.ooo, data: kept.bytes() }, removed };
}

function cutHistogramChunk(c: BlockChunk, enc: HistogramEncoding, mint: number, maxt: number): { chunk: BlockChunk | null; removed: number } {
  const { chunk: kept, removed } = dropHistograms(enc, c.data, mint, maxt);
  if (kept === null) return { chunk: null, removed };
  const chunk: BlockChunk = { seriesId: c.seriesId, minT: kept.minTime(), maxT: kept.maxTime(), count: kept.numSamples(), ooo: c.ooo, enc, data: kept.bytes().slice() };
  return { chunk, removed };
}
