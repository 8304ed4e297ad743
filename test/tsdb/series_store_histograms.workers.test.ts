import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CounterResetHint, FloatHistogram } from "../../src/model/histogram.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { HistogramChunkState } from "../../src/chunkenc/histogram_chunk_state.js";
import { ChunkEncoding } from "../../src/chunkenc/histogram_chunk_base.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import type { Series } from "../../src/storage/storage.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore, series } from "./store_helpers.js";

const NOW = Date.now();
const T0 = Math.floor((NOW - 3 * 3600_000) / 7_200_000) * 7_200_000 + 60_000;
const STEP = 15_000;

/** A counter histogram that grows, gains a bucket now and then, and resets at 300. */
function counterHistogram(i: number): FloatHistogram {
  const k = i % 300;
  const buckets = [k + 1, 2 * k, k >= 50 ? k - 50 : 0, k >= 120 ? 3 : 0].filter((_, b) => b < 2 || k >= [0, 0, 50, 120][b]!);
  const h = FloatHistogram.from({ schema: 3, zeroThreshold: 2 ** -128, zeroCount: k, sum: k * 1.5 });
  h.positiveSpans = [{ offset: -1, length: buckets.length }];
  h.positiveBuckets = buckets;
  h.count = k + buckets.reduce((a, b) => a + b, 0);
  return h;
}

function gaugeHistogram(i: number): FloatHistogram {
  const h = FloatHistogram.from({ schema: 0, zeroCount: 0, counterResetHint: CounterResetHint.Gauge, sum: -i });
  h.positiveSpans = [{ offset: i % 3, length: 1 }];
  h.positiveBuckets = [(i * 7) % 11];
  h.count = h.positiveBuckets[0]!;
  return h;
}

async function readAll(storage: ShardedStorage, name: string, start = -Infinity, end = Infinity): Promise<Series[]> {
  const out: Series[] = [];
  for await (const s of storage.querier().select([{ type: "=", name: "__name__", value: name }], { start, end })) out.push(s);
  return out;
}

/** What the in-memory storage reads back (the promqltest reference): hints from
 * the same chunk cuts, and the same buckets whatever empty ones a chunk added. */
function expected(samples: { t: number; h: FloatHistogram }[]): FloatHistogram[] {
  const model = new HistogramChunkState();
  return samples.map(({ t, h }) => {
    model.append(t, h);
    return model.readBack(h);
  });
}

function expectSame(got: Series, want: { t: number; h: FloatHistogram }[]): void {
  expect([...got.ts]).toEqual(want.map((s) => s.t));
  const hints = expected(want);
  want.forEach(({ h }, i) => {
    const g = got.hs![i]!;
    if (isStaleNaN(h.sum)) {
      expect(isStaleNaN(g.sum)).toBe(true);
      return;
    }
    expect(g.copy().compact().equals(h.copy().compact())).toBe(true);
    expect(`${i} ${g.counterResetHint}`).toBe(`${i} ${hints[i]!.counterResetHint}`);
  });
}

describe("SeriesStore native histograms", () => {
  it("stores histograms across sealed chunks, checkpoints and restarts, with Prometheus' counter reset hints", async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const samples = Array.from({ length: 400 }, (_, i) => ({ t: T0 + i * STEP, h: counterHistogram(i) }));
    samples.push({ t: T0 + 400 * STEP, h: FloatHistogram.from({ sum: STALE_NAN }) });
    const gauges = Array.from({ length: 50 }, (_, i) => ({ t: T0 + i * STEP, h: gaugeHistogram(i) }));
    const labels = labelsFromRecord({ __name__: "h" });
    const glabels = labelsFromRecord({ __name__: "g" });
    for (let part = 0; part < 4; part++) {
      const app = storage.appender();
      for (const s of samples.slice(part * 101, (part + 1) * 101)) app.appendHistogram!(labels, s.t, s.h);
      if (part === 0) for (const s of gauges) app.appendHistogram!(glabels, s.t, s.h);
      const res = await app.commit();
      expect(res.rejected).toBe(0);
      if (part === 1) await stub.checkpoint();
    }
    expect.assertions(2 * (1 + 400 * 2 + 1 + 1 + 50 * 2 + 1) + 4 + 2 + 2);
    const check = async (s: ShardedStorage) => {
      const [got] = await readAll(s, "h");
      expectSame(got!, samples);
      const [g] = await readAll(s, "g");
      expectSame(g!, gauges);
      // A range inside the series reads the same histograms.
      const [mid] = await readAll(s, "h", T0 + 250 * STEP, T0 + 260 * STEP);
      expect(mid!.ts.length).toBe(11);
    };
    await check(storage);
    const stats = await stub.getStats();
    expect(stats.chunks).toBeGreaterThanOrEqual(2);
    expect(stats.chunkSamples + stats.headSamples).toBe(451);
    await runInDurableObject(stub, async (_instance, state) => {
      const reborn = new SeriesStore(state, env);
      await check(new ShardedStorage([reborn]));
      // Duplicates and out-of-order histograms are refused as for floats; the same
      // histogram again is not an error.
      const last = samples[399]!;
      const again = new ShardedStorage([reborn]).appender();
      again.appendHistogram!(labels, last.t - STEP, last.h);
      again.appendHistogram!(labels, T0 + 400 * STEP, FloatHistogram.from({ sum: STALE_NAN }));
      again.appendHistogram!(labels, T0 + 401 * STEP, counterHistogram(1));
      again.appendHistogram!(labels, T0 + 401 * STEP, counterHistogram(2));
      const res = await again.commit();
      expect(res.appended).toBe(1);
      expect(res.rejections.map((r) => r.reason)).toEqual(["out_of_order", "duplicate"]);
    });
  });

  it("keeps floats and histograms of one series in order, through pushdown and deletes", async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const labels = labelsFromRecord({ __name__: "m" });
    const app = storage.appender();
    for (let i = 0; i < 10; i++) app.append(labels, T0 + i * STEP, i);
    await app.commit();
    for (let i = 10; i < 20; i++) app.appendHistogram!(labels, T0 + i * STEP, counterHistogram(i));
    await app.commit();
    await stub.append([series({ __name__: "m" }, [[T0 + 20 * STEP, 20]])]);
    const [got] = await readAll(storage, "m");
    expect([...got!.ts]).toEqual(Array.from({ length: 21 }, (_, i) => T0 + i * STEP));
    expect(Array.from(got!.hs!, (h) => h !== undefined)).toEqual(Array.from({ length: 21 }, (_, i) => i >= 10 && i < 20));
    expect([...got!.vs.subarray(0, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got!.vs[20]).toBe(20);
    const part = await stub.selectAggregate([{ type: "=", name: "__name__", value: "m" }], { op: "sum", grouping: [], without: false, fn: "", range: 300_000, start: T0, interval: STEP, n: 21, offset: 0 }, -Infinity, Infinity);
    expect(part.declined).toBe(true);
    const del = await stub.deleteRange([{ type: "=", name: "__name__", value: "m" }], T0 + 12 * STEP, T0 + 14 * STEP);
    expect(del.samples).toBe(3);
    await runInDurableObject(stub, async (_instance, state) => {
      const [after] = await readAll(new ShardedStorage([new SeriesStore(state, env)]), "m");
      expect(after!.ts.length).toBe(18);
      expect(after!.hs!.filter((h) => h !== undefined).length).toBe(7);
    });
  });

  it("keeps integer histograms in integer chunks and float ones in float chunks, through checkpoints and restarts", async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const integer = (h: FloatHistogram) => Object.assign(h, { integer: true });
    // Scraped (integer) and recorded (float) histograms of the same counts; a third
    // series switches from integer to float counts (a cut) and back.
    const ints = Array.from({ length: 400 }, (_, i) => ({ t: T0 + i * STEP, h: integer(counterHistogram(i)) }));
    const floats = Array.from({ length: 400 }, (_, i) => ({ t: T0 + i * STEP, h: counterHistogram(i) }));
    const mixed = Array.from({ length: 200 }, (_, i) => {
      const h = counterHistogram(i);
      if (i >= 80 && i < 120) return { t: T0 + i * STEP, h: h.mul(0.5) };
      return { t: T0 + i * STEP, h: integer(h) };
    });
    ints.push({ t: T0 + 400 * STEP, h: FloatHistogram.from({ sum: STALE_NAN }) });
    const sets = { hi: ints, hf: floats, hm: mixed };
    for (let part = 0; part < 4; part++) {
      const app = storage.appender();
      for (const [name, samples] of Object.entries(sets)) {
        for (const s of samples.slice(part * 101, (part + 1) * 101)) app.appendHistogram!(labelsFromRecord({ __name__: name }), s.t, s.h);
      }
      expect((await app.commit()).rejected).toBe(0);
      if (part === 1) await stub.checkpoint();
    }
    const check = async (s: ShardedStorage) => {
      for (const [name, samples] of Object.entries(sets)) {
        const [got] = await readAll(s, name);
        expectSame(got!, samples);
      }
    };
    expect.hasAssertions();
    await check(storage);
    const encodings = async (name: string) => {
      const page = await stub.select([{ type: "=", name: "__name__", value: name }], -Infinity, Infinity);
      return page.series[0]!.chunks.map((c) => ({ enc: c.enc, bytes: c.data.byteLength, n: c.maxT - c.minT }));
    };
    const hi = await encodings("hi");
    const hf = await encodings("hf");
    expect(new Set(hi.map((c) => c.enc))).toEqual(new Set([ChunkEncoding.Histogram]));
    expect(new Set(hf.map((c) => c.enc))).toEqual(new Set([ChunkEncoding.FloatHistogram]));
    const bytes = (cs: { bytes: number }[]) => cs.reduce((a, c) => a + c.bytes, 0);
    expect(bytes(hi)).toBeLessThan(bytes(hf) / 2);
    expect((await encodings("hm")).map((c) => c.enc)).toEqual([ChunkEncoding.Histogram, ChunkEncoding.FloatHistogram, ChunkEncoding.Histogram]);
    await runInDurableObject(stub, async (_instance, state) => {
      const reborn = new SeriesStore(state, env);
      await check(new ShardedStorage([reborn]));
      // Appending after a restart continues the reopened integer chunk.
      const app = new ShardedStorage([reborn]).appender();
      app.appendHistogram!(labelsFromRecord({ __name__: "hm" }), T0 + 200 * STEP, integer(counterHistogram(200)));
      expect((await app.commit()).appended).toBe(1);
      const page = reborn.select([{ type: "=", name: "__name__", value: "hm" }], -Infinity, Infinity);
      expect(page.series[0]!.chunks.map((c) => c.enc)).toEqual([ChunkEncoding.Histogram, ChunkEncoding.FloatHistogram, ChunkEncoding.Histogram]);
      // Deleting a range rewrites integer chunks in blocks and in the head as integer chunks.
      const hiMatch = [{ type: "=" as const, name: "__name__", value: "hi" }];
      const del = reborn.deleteRange(hiMatch, T0 + 150 * STEP, T0 + 390 * STEP);
      expect(del.samples).toBe(241);
      const [left] = await readAll(new ShardedStorage([reborn]), "hi");
      const kept = ints.filter((x) => x.t < T0 + 150 * STEP || x.t > T0 + 390 * STEP);
      expect([...left!.ts]).toEqual(kept.map((x) => x.t));
      kept.forEach((x, i) => {
        if (!isStaleNaN(x.h.sum)) expect(left!.hs![i]!.copy().compact().equals(x.h.copy().compact())).toBe(true);
      });
      expect(new Set(reborn.select(hiMatch, -Infinity, Infinity).series[0]!.chunks.map((c) => c.enc))).toEqual(new Set([ChunkEncoding.Histogram]));
    });
  });
});
