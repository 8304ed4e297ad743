import { describe, expect, it } from "vitest";
import { XorChunk } from "../../src/chunkenc/xor.js";
import { blockChunk, decodeBlockIndex, packBlocks, partitionOf, seriesRange, type BlockChunk } from "../../src/tsdb/block.js";
import { decodeSegment, encodeSegment } from "../../src/tsdb/series_catalog.js";
import { decodeSnapshotPart, encodeSnapshot, type Snapshot } from "../../src/tsdb/head_snapshot.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { ChunkEncoding } from "../../src/chunkenc/histogram_chunk_base.js";
import { HistogramChunk } from "../../src/chunkenc/histogram_chunk.js";
import { FloatHistogramChunk } from "../../src/chunkenc/float_histogram_chunk.js";
import { FloatHistogram } from "../../src/model/histogram.js";
import { ByteWriter } from "../../src/tsdb/byte_io.js";

const H2 = 7_200_000;

function chunk(seriesId: number, t0: number, n: number, ooo = false): BlockChunk {
  const c = new XorChunk();
  for (let i = 0; i < n; i++) c.append(t0 + i * 15_000, i === 3 ? STALE_NAN : seriesId * 1000 + i * 0.5);
  return { seriesId, minT: t0, maxT: t0 + (n - 1) * 15_000, count: n, ooo, data: c.bytes().slice() };
}

describe("packed blocks", () => {
  it("round-trips many series' chunks through one row and finds each series' byte ranges", () => {
    const base = 1_700_000_000_000 - (1_700_000_000_000 % H2);
    const chunks: BlockChunk[] = [];
    for (let id = 500; id >= 1; id--) chunks.push(chunk(id, base + 1000, 120), chunk(id, base + 1000 + 120 * 15_000, 60));
    chunks.push(chunk(7, base + 500, 10, true));
    const [b, ...rest] = packBlocks(chunks);
    expect(rest).toHaveLength(0);
    expect(b!.chunks).toBe(1001);
    expect(b!.partition).toBe(partitionOf(base));
    expect(b!.samples).toBe(500 * 180 + 10);
    const idx = decodeBlockIndex(b!.idx);
    const [lo, hi] = seriesRange(idx, 7);
    expect(hi - lo).toBe(3);
    const got = [lo, lo + 1, lo + 2].map((i) => blockChunk(idx, b!.data, i));
    // Sorted by start time within the series, the out-of-order chunk first.
    expect(got.map((c) => [c.minT, c.ooo])).toEqual([[base + 500, true], [base + 1000, false], [base + 1000 + 1800_000, false]]);
    const want = chunks.find((c) => c.seriesId === 7 && !c.ooo && c.minT === base + 1000)!;
    expect(got[1]!.data).toEqual(want.data);
    const it2 = XorChunk.open(got[1]!.data).iterator();
    let n = 0;
    while (it2.next()) {
      if (n === 3) expect(isStaleNaN(it2.v)).toBe(true);
      n++;
    }
    expect(n).toBe(120);
    expect(seriesRange(idx, 501)).toEqual([idx.n, idx.n]);
  });

  it("cuts rows at the byte limit and never mixes 2h partitions in a row", () => {
    const base = 1_700_000_000_000 - (1_700_000_000_000 % H2);
    const chunks: BlockChunk[] = [];
    for (let id = 1; id <= 300; id++) chunks.push(chunk(id, base, 120), chunk(id, base + H2, 120));
    const blocks = packBlocks(chunks, 20_000);
    expect(blocks.length).toBeGreaterThan(2);
    for (const b of blocks) {
      expect(b.data.byteLength <= 20_000 || b.chunks === 1).toBe(true);
      expect(partitionOf(b.minT)).toBe(b.partition);
      expect(partitionOf(b.maxT)).toBe(b.partition);
    }
    expect(blocks.reduce((a, b) => a + b.chunks, 0)).toBe(600);
  });

  it("stores series labels once per segment symbol and reads them back", () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      labels: [
        { name: "__name__", value: "node_cpu_seconds_total" },
        { name: "cpu", value: String(i % 8) },
        { name: "instance", value: `host-${i}:9100` },
        { name: "ünï", value: "ç\u{1F600}" },
      ],
    }));
    const data = encodeSegment(list);
    expect(decodeSegment(data)).toEqual(list);
    // Repeated names and values cost a varint each, not their text.
    expect(data.byteLength).toBeLessThan(1000 * 30);
  });

  it("snapshots heads with the next series id", () => {
    const h = chunk(1, 0, 5).data;
    const parts = encodeSnapshot(42, [{ id: 3, head: h, ooo: null }, { id: 9, head: null, ooo: h }, { id: 10, head: null, ooo: null }]);
    const snap: Snapshot = { seq: 0, nextSeriesId: 0, entries: [] };
    for (const p of parts) decodeSnapshotPart(p, snap);
    expect(snap.nextSeriesId).toBe(42);
    expect(snap.entries).toEqual([{ id: 3, head: h, ooo: null }, { id: 9, head: null, ooo: h }]);
  });

  it("keeps each chunk's encoding, and reads version 2 histogram chunks as float ones", () => {
    const h = FloatHistogram.from({ count: 3, sum: 1.5, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [3] });
    const ic = new HistogramChunk();
    const fc = new FloatHistogramChunk();
    ic.append(1000, h);
    fc.append(1000, h);
    const chunks: BlockChunk[] = [
      chunk(1, 0, 5),
      { seriesId: 2, minT: 1000, maxT: 1000, count: 1, ooo: false, enc: ChunkEncoding.Histogram, data: ic.bytes().slice() },
      { seriesId: 3, minT: 1000, maxT: 1000, count: 1, ooo: true, enc: ChunkEncoding.FloatHistogram, data: fc.bytes().slice() },
    ];
    const [b] = packBlocks(chunks);
    const idx = decodeBlockIndex(b!.idx);
    expect([0, 1, 2].map((i) => blockChunk(idx, b!.data, i))).toEqual(chunks);
    // Version 2: count * 4 + float histogram * 2 + out-of-order.
    const w = new ByteWriter();
    w.uvarint(2);
    w.uvarint(2);
    w.svarint(0);
    for (const [id, flags, len] of [[1, 5 * 4, chunks[0]!.data.length], [1, 1 * 4 + 2 + 1, fc.bytes().length]] as const) {
      w.uvarint(id);
      w.uvarint(0);
      w.uvarint(0);
      w.uvarint(flags);
      w.uvarint(len);
    }
    const old = decodeBlockIndex(w.finish());
    expect([...old.enc]).toEqual([ChunkEncoding.XOR, ChunkEncoding.FloatHistogram]);
    expect([...old.counts]).toEqual([5, 1]);
    expect([...old.ooo]).toEqual([0, 1]);
  });

  it("snapshots open histogram chunks with their encoding; version 2 ones are float chunks", () => {
    const hist = new Uint8Array([0, 1, 0, 9]);
    const parts = encodeSnapshot(7, [{ id: 1, head: null, ooo: null, hist, histEnc: ChunkEncoding.Histogram }, { id: 2, head: null, ooo: null, hist, histEnc: ChunkEncoding.FloatHistogram }]);
    const snap: Snapshot = { seq: 0, nextSeriesId: 0, entries: [] };
    for (const p of parts) decodeSnapshotPart(p, snap);
    expect(snap.entries.map((e) => e.histEnc)).toEqual([ChunkEncoding.Histogram, ChunkEncoding.FloatHistogram]);
    const w = new ByteWriter();
    w.uvarint(2);
    w.uvarint(7);
    w.uvarint(1);
    for (const b of [new Uint8Array(0), new Uint8Array(0), hist]) w.blob(b);
    const old: Snapshot = { seq: 0, nextSeriesId: 0, entries: [] };
    decodeSnapshotPart(w.finish(), old);
    expect(old.entries).toEqual([{ id: 1, head: null, ooo: null, hist, histEnc: ChunkEncoding.FloatHistogram }]);
  });
});
