import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeXor } from "../../src/chunkenc/iterator.js";
import { FloatHistogram } from "../../src/model/histogram.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { readChunks, type SampleArrays } from "../../src/tsdb/chunk_reader.js";
import { DecodedHeads } from "../../src/tsdb/decoded_heads.js";
import { MemSeries, type SealedChunk } from "../../src/tsdb/mem_series.js";
import type { ChunkData } from "../../src/tsdb/rpc.js";

/** Bits of each value, so NaN payloads (stale markers) compare exactly. */
function bits(vs: Float64Array): string[] {
  return [...new BigUint64Array(vs.buffer, vs.byteOffset, vs.length)].map(String);
}

/** What a read must see: the head chunk decoded from its bytes. */
function expectMatchesChunk(s: MemSeries, got: { ts: Float64Array; vs: Float64Array } | null): void {
  const bytes = s.headBytes();
  if (bytes === null) return expect(got).toBeNull();
  const want = decodeXor(bytes);
  expect(got).not.toBeNull();
  expect([...got!.ts]).toEqual([...want.ts]);
  expect(bits(got!.vs)).toEqual(bits(want.vs));
}

/** Every chunk of s, as SeriesStore reads them; its XOR head left out when `decoded`. */
function chunksOf(s: MemSeries, sealed: readonly SealedChunk[], decoded: boolean): ChunkData[] {
  const out: ChunkData[] = sealed.map(({ minT, maxT, ooo, enc, data }) => (enc !== undefined ? { minT, maxT, ooo, enc, data } : { minT, maxT, ooo, data }));
  const head = decoded ? null : s.headBytes();
  if (head !== null) out.push({ minT: s.headMinT, maxT: s.maxT, ooo: false, data: head });
  const hist = s.histHeadBytes();
  if (hist !== null) out.push({ minT: s.histHeadMinT, maxT: s.maxT, ooo: false, enc: s.histHeadEncoding()!, data: hist.slice() });
  const ooo = s.oooBytes();
  if (ooo !== null) out.push({ minT: s.oooMinT(), maxT: s.oooMaxT(), ooo: true, data: ooo });
  return out;
}

function comparable(d: SampleArrays): unknown {
  return { ts: [...d.ts], vs: bits(d.vs), hs: d.hs?.map((h) => (h === undefined ? null : { integer: h.integer, count: h.count, sum: h.sum, hint: h.counterResetHint })) };
}

/** Integer histograms (as scraped) or float ones (as recorded) of a growing count. */
function histogram(n: number, integer: boolean): FloatHistogram {
  const c = integer ? n : n + 0.5;
  return Object.assign(FloatHistogram.from({ count: c, sum: c * 1.5, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [c] }), { integer });
}

const op = fc.oneof(
  fc.record({ kind: fc.constant("append" as const), dt: fc.integer({ min: -20_000, max: 120_000 }), v: fc.oneof(fc.double(), fc.constant(STALE_NAN)) }),
  fc.record({ kind: fc.constant("histogram" as const), dt: fc.integer({ min: 1, max: 120_000 }), n: fc.nat(1000), integer: fc.boolean() }),
  fc.record({ kind: fc.constant("read" as const), series: fc.nat(3) }),
  fc.record({ kind: fc.constant("delete" as const), from: fc.integer({ min: 0, max: 50 }), len: fc.integer({ min: 0, max: 2_000_000 }) }),
);

describe("decoded heads", () => {
  it("always read what decoding the head chunk gives, through appends, seals, deletes and eviction", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), op), { maxLength: 600 }), fc.integer({ min: 1, max: 3 }), (ops, limit) => {
        const series = [0, 1, 2, 3].map((i) => new MemSeries(i + 1, [], `s${i}`));
        const heads = new DecodedHeads(limit);
        const clock = [0, 0, 0, 0];
        const sealed: SealedChunk[][] = series.map(() => []);
        for (const [i, o] of ops) {
          const s = series[i]!;
          if (o.kind === "append") {
            clock[i]! += o.dt;
            s.append(1_700_000_000_000 + clock[i]!, o.v, 600_000, sealed[i]!);
          } else if (o.kind === "histogram") {
            clock[i]! += o.dt;
            s.appendHistogram(1_700_000_000_000 + clock[i]!, histogram(o.n, o.integer), sealed[i]!);
          } else if (o.kind === "read") {
            const r = series[o.series]!;
            expectMatchesChunk(r, heads.read(r));
          } else {
            const from = 1_700_000_000_000 + o.from * 15_000;
            s.deleteHeadRange(from, from + o.len);
          }
        }
        for (const s of series) expectMatchesChunk(s, heads.read(s));
        // A read with the decoded head sees what decoding every chunk gives, whether
        // the open head is XOR, an integer or a float histogram chunk.
        series.forEach((s, i) => {
          const head = heads.read(s);
          const want = readChunks(chunksOf(s, sealed[i]!, false), -Infinity, Infinity);
          const got = head === null ? readChunks(chunksOf(s, sealed[i]!, false), -Infinity, Infinity) : readChunks(chunksOf(s, sealed[i]!, true), -Infinity, Infinity, head);
          expect(comparable(got)).toEqual(comparable(want));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("keeps at most `limit` heads decoded, the least recently read dropped first", () => {
    const series = [1, 2, 3].map((id) => new MemSeries(id, [], `s${id}`));
    for (const s of series) s.append(1000, 1, 0, []);
    const heads = new DecodedHeads(2);
    heads.read(series[0]!);
    heads.read(series[1]!);
    heads.read(series[0]!);
    heads.read(series[2]!);
    expect(series.map((s) => s.hasDecodedHead())).toEqual([true, false, true]);
    heads.forget(series[0]!);
    expect(series[0]!.hasDecodedHead()).toBe(false);
  });
});
