import { afterAll, describe, expect, it } from "vitest";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { HistogramChunk, HistogramIterator } from "../../src/chunkenc/histogram_chunk.js";
import { ChunkEncoding, CounterResetHeader } from "../../src/chunkenc/histogram_chunk_base.js";
import { FloatHistogram } from "../../src/model/histogram.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { bucketMap, hist } from "../chunkenc/histogram_chunk_support.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";
import { readHeadChunks, serveNativeHistograms, type Exposition, type HeadChunk, type ServedHistogram } from "./support/native_histogram_exposition.js";

/** A histogram from index -> count maps, its count their total. */
function fromMaps(fields: Partial<FloatHistogram>, pos: Map<number, number>, neg: Map<number, number> = new Map()): FloatHistogram {
  const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return hist({ ...fields, count: (fields.zeroCount ?? 0) + total(pos) + total(neg) }, [...pos], [...neg]);
}

/**
 * Two scraped native histograms over time, with what makes Prometheus recode and cut
 * chunks: new buckets, counter resets, a schema change, a scrape without the series
 * (a stale marker), small and very large counts. The sum encodes the scrape number,
 * so each stored sample can be traced to what was served.
 */
function makeSequence(): (k: number) => ServedHistogram[] {
  const a = new Map<number, number>([[0, 1], [1, 3], [4, 2]]);
  let aSchema = 3;
  const bPos = new Map<number, number>([[2, 1_000_000], [3, 5], [9, 70_000]]);
  const bNeg = new Map<number, number>([[-1, 12], [1, 400]]);
  let bZero = 3;
  const cache: ServedHistogram[][] = [];
  return (k) => {
    while (cache.length <= k) {
      const n = cache.length;
      if (n === 30 || n === 55) {
        a.clear();
        a.set(1, 1);
      } else {
        for (const [i, v] of a) a.set(i, v + (Math.abs(i * n) % 4));
        if (n % 7 === 3) a.set(10 + n, (a.get(10 + n) ?? 0) + 1);
        if (n % 11 === 5) a.set(-3 - n, 2);
      }
      if (n === 45) aSchema = 2;
      if (n === 40 || n === 170) {
        bPos.clear();
        bPos.set(2, 1);
        bNeg.clear();
        bZero = 0;
      } else {
        let j = 0;
        for (const [i, v] of bPos) bPos.set(i, v + 1000 * (n % 5) + 37 * j++ + (n % 13 === 0 ? 2 ** 30 : 0));
        for (const [i, v] of bNeg) bNeg.set(i, v + (n % 3));
        bZero += n % 2;
        if (n % 9 === 4) bNeg.set(-5 - n, 1);
      }
      const list: ServedHistogram[] = [];
      if (n !== 20) {
        list.push({
          name: "hc_latency_seconds",
          labels: { series: "a" },
          h: fromMaps({ schema: aSchema, zeroThreshold: 2 ** -128, sum: n * 1000 + 0.125 }, a),
        });
      }
      list.push({
        name: "hc_sizes_bytes",
        labels: { series: "b" },
        h: fromMaps({ schema: 0, zeroThreshold: 0.001, zeroCount: bZero, sum: -(n * 1000) - 0.5 }, bPos, bNeg),
      });
      cache.push(list);
    }
    return cache[k]!;
  };
}

/** Prometheus 2.42 scrapes native histograms and cuts, recodes and mmaps their
 * integer histogram chunks itself; our codec must read its bytes back to what was
 * served and write the very same bytes from the same histograms. */
describe("integer histogram chunks written by Prometheus 2.42", () => {
  let exposition: Exposition | undefined;
  let prom: Peer | undefined;

  afterAll(async () => {
    await prom?.stop();
    await exposition?.stop();
  });

  it("decode to what was scraped and re-encode byte for byte", async () => {
    const sequence = makeSequence();
    exposition = await serveNativeHistograms(sequence);
    prom = await startPrometheus(
      `
global:
  scrape_interval: 200ms
  scrape_timeout: 190ms
scrape_configs:
  - job_name: hc
    static_configs:
      - targets: ["${exposition.url}"]
`,
      ["--enable-feature=native-histograms"],
    );
    await waitFor("185 scrapes", async () => (exposition!.scrapes() >= 185 ? true : undefined), 150_000);
    const dataDir = /--storage.tsdb.path=(\S+)/.exec(prom.proc.spawnargs.join(" "))![1]!;
    // A clean shutdown flushes the head chunks Prometheus cut to chunks_head/.
    await prom.stop();
    expect(prom.proc.exitCode ?? 0).toBe(0);
    prom = undefined;

    const served = new Map<string, FloatHistogram>();
    for (let k = 0; k < exposition.scrapes(); k++) for (const s of sequence(k)) served.set(String(s.h.sum), s.h);

    const chunks: HeadChunk[] = [];
    const dir = join(dataDir, "chunks_head");
    for (const f of (await readdir(dir)).sort()) chunks.push(...readHeadChunks(new Uint8Array(await readFile(join(dir, f)))));
    const hist = chunks.filter((c) => c.encoding === ChunkEncoding.Histogram);
    expect(hist.length).toBeGreaterThanOrEqual(5);
    hist.sort((x, y) => (x.seriesRef < y.seriesRef ? -1 : x.seriesRef > y.seriesRef ? 1 : x.minT - y.minT));

    const headers = new Set<CounterResetHeader>();
    let samples = 0;
    let stale = 0;
    let prev: { ref: bigint; ours: HistogramChunk } | null = null;
    for (const c of hist) {
      const it = new HistogramIterator(c.data);
      const originals: FloatHistogram[] = [];
      const decoded: { t: number; h: FloatHistogram }[] = [];
      while (it.next()) {
        const h = it.rawHistogram();
        decoded.push({ t: it.t, h });
        if (isStaleNaN(h.sum)) {
          stale++;
          originals.push(h);
          continue;
        }
        const want = served.get(String(h.sum));
        expect(want, `sample with sum ${h.sum}`).toBeDefined();
        expect(h.count).toBe(want!.count);
        expect(h.zeroCount).toBe(want!.zeroCount);
        expect(h.schema).toBe(want!.schema);
        expect(h.zeroThreshold).toBe(want!.zeroThreshold);
        expect(bucketMap(h.positiveSpans, h.positiveBuckets)).toEqual(bucketMap(want!.positiveSpans, want!.positiveBuckets));
        expect(bucketMap(h.negativeSpans, h.negativeBuckets)).toEqual(bucketMap(want!.negativeSpans, want!.negativeBuckets));
        originals.push(want!);
      }
      expect(decoded.length).toBe(it.length);
      expect(decoded[0]!.t).toBe(c.minT);
      expect(decoded[decoded.length - 1]!.t).toBe(c.maxT);
      samples += decoded.length;
      headers.add(it.header);

      // The chunk before says why Prometheus cut this one.
      if (prev !== null && prev.ref === c.seriesRef) {
        const why = prev.ours.appendableCheck(originals[0]!);
        if (it.header === CounterResetHeader.CounterReset) expect(why).toBe("counter_reset");
        else if (it.header === CounterResetHeader.NotCounterReset) expect(why).toBeNull();
        else expect(why).toBe("layout");
      }

      // What was served, appended (new buckets recode the chunk as Prometheus did).
      const ours = new HistogramChunk(it.header);
      decoded.forEach(({ t }, i) => expect(ours.append(t, originals[i]!)).toBeNull());
      expect(Buffer.from(ours.bytes()).toString("hex")).toBe(Buffer.from(c.data).toString("hex"));
      // What was read back, appended again.
      const again = new HistogramChunk(it.header);
      for (const { t, h } of decoded) expect(again.append(t, h)).toBeNull();
      expect(Buffer.from(again.bytes()).toString("hex")).toBe(Buffer.from(c.data).toString("hex"));
      // Reopened from Prometheus' bytes, a chunk continues where it was.
      expect(Buffer.from(HistogramChunk.open(c.data).bytes()).toString("hex")).toBe(Buffer.from(c.data).toString("hex"));
      prev = { ref: c.seriesRef, ours };
    }
    expect(samples).toBeGreaterThan(30);
    expect(stale).toBeGreaterThanOrEqual(1);
    expect(headers.has(CounterResetHeader.CounterReset)).toBe(true);
    expect(headers.has(CounterResetHeader.Unknown)).toBe(true);
    // A chunk cut for its size (about 120 samples) continues the one before.
    expect(headers.has(CounterResetHeader.NotCounterReset)).toBe(true);
  });
});
