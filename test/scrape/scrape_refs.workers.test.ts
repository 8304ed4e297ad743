import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ChunkEncoding } from "../../src/chunkenc/histogram_chunk_base.js";
import { labelsFromRecord, labelsToRecord } from "../../src/model/labels.js";
import { newTargetState, scrapeOnce, type ScrapeTarget, type TargetState } from "../../src/scrape/scrape_loop.js";
import { ScrapeCache } from "../../src/scrape/scrape_cache.js";
import { ShardedStorage, type ShardClient } from "../../src/storage/sharded_storage.js";
import { newDtoMetric } from "../../src/textparse/dto.js";
import { DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { OPENMETRICS_CONTENT_TYPE } from "../../src/textparse/index.js";
import type { AppendBatch, HistogramBatch } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore } from "../tsdb/store_helpers.js";
import { scrapeTarget } from "./scrape_target.js";

// A scrape target keeps series references between scrapes (ScrapeCache.refs), so
// its floats cross RPC as (ref, t, v) columns; its native histograms and exemplars
// take their own calls. Here both kinds of page are scraped into a real SeriesStore
// across a restart of the object, and read back from what SQLite kept.

const STEP = 15_000;
const T0 = Math.floor((Date.now() - 3600_000) / STEP) * STEP;

function target(url: string, over: Partial<ScrapeTarget> = {}): ScrapeTarget {
  return scrapeTarget(url, { pool: "refs", labels: labelsFromRecord({ job: "refs", instance: "t:1" }), timeoutMs: 5_000, ...over });
}

/** The k-th scrape's protobuf page: a counter, and a histogram with integer native
 * buckets, classic buckets and an exemplar, all growing with k. */
function protoPage(k: number): Uint8Array {
  const c = newDtoMetric([], "counter");
  c.value = 10 * k;
  const h = newDtoMetric([{ name: "path", value: "/a" }], "histogram");
  h.sampleCount = 3 * k;
  h.sampleSum = 1.5 * k;
  h.buckets = [{ upperBound: 1, cumulativeCount: 2 * k }];
  h.native = {
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount: 0,
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveCounts: [2 * k, k],
    negativeSpans: [],
    negativeCounts: [],
    integer: true,
    exemplars: [{ labels: [{ name: "trace_id", value: `p${k}` }], value: 0.75, timestampMs: T0 + k * STEP - 500 }],
  };
  return encodeDelimitedFamilies([
    { name: "reqs_total", help: "", type: "COUNTER", metrics: [c] },
    { name: "lat", help: "", type: "HISTOGRAM", metrics: [h] },
  ]);
}

/** The k-th scrape's OpenMetrics page, its counter carrying an exemplar. */
function omPage(k: number): string {
  return `# TYPE jobs counter\njobs_total{q="a"} ${k} # {trace_id="o${k}"} 1 ${(T0 + k * STEP - 250) / 1000}\njobs_total{q="b"} ${2 * k}\n# EOF\n`;
}

const fetchPage = async (url: string): Promise<Response> => {
  const k = Number(new URL(url).searchParams.get("k"));
  if (url.includes("/proto")) return new Response(protoPage(k), { headers: { "content-type": DELIMITED_PROTOBUF_TYPE } });
  return new Response(omPage(k), { headers: { "content-type": OPENMETRICS_CONTENT_TYPE } });
};

/** A shard whose append calls are kept, to see what crossed RPC. */
function recorded(shard: SeriesStore) {
  const floats: AppendBatch[] = [];
  const histograms: HistogramBatch[] = [];
  const client = new Proxy(shard, {
    get(target, prop) {
      const f = (target as unknown as Record<string | symbol, unknown>)[prop];
      if (prop === "append") return (b: AppendBatch) => (floats.push(b), target.append(b));
      if (prop === "appendHistograms") return (b: HistogramBatch) => (histograms.push(b), target.appendHistograms(b));
      return typeof f === "function" ? f.bind(target) : f;
    },
  }) as unknown as ShardClient;
  return { client, floats, histograms };
}

interface Scraped {
  name: string;
  ts: number[];
  vs: number[];
  hs: (string | undefined)[];
}

async function readAll(storage: ShardedStorage): Promise<Map<string, Scraped>> {
  const out = new Map<string, Scraped>();
  for await (const s of storage.querier().select([{ type: "=", name: "job", value: "refs" }], { start: -Infinity, end: Infinity })) {
    const { __name__, instance, le, path, q } = labelsToRecord(s.labels);
    const name = [__name__, instance, le, path, q].filter((x) => x !== undefined).join(" ");
    out.set(name, { name, ts: [...s.ts], vs: [...s.vs], hs: Array.from({ length: s.ts.length }, (_, i) => s.hs?.[i]?.toString()) });
  }
  return out;
}

describe("scraping with series references", () => {
  it("stores native histograms in integer chunks and keeps exemplars, before and after the shard restarts", async () => {
    const stub = freshStore();
    await runInDurableObject(stub, async (_instance, state) => {
      const proto = target("http://t/proto", { nativeHistograms: true, classicHistograms: true });
      const om = target("http://t/om", { labels: labelsFromRecord({ job: "refs", instance: "t:2" }) });
      const caches = [new ScrapeCache(), new ScrapeCache()];
      const states: TargetState[] = [newTargetState(), newTargetState()];
      const scrape = async (storage: ShardedStorage, k: number) => {
        const t = T0 + k * STEP;
        for (const [i, tg] of [proto, om].entries()) {
          states[i] = await scrapeOnce({ ...tg, url: `${tg.url}?k=${k}` }, storage, states[i]!, fetchPage, t, caches[i]);
          expect([k, i, states[i]!.health, states[i]!.lastError]).toEqual([k, i, "up", ""]);
        }
      };

      const first = recorded(new SeriesStore(state, env));
      const storage = new ShardedStorage([first.client]);
      for (let k = 1; k <= 3; k++) await scrape(storage, k);
      // After the first scrape of each target its floats go by reference only; the
      // histogram goes by labels in its own call, every scrape.
      expect(first.floats.map((b) => [b.keys.length > 0, (b.refs?.length ?? 0) > 0])).toEqual([
        [true, false],
        [true, false],
        [false, true],
        [false, true],
        [false, true],
        [false, true],
      ]);
      expect(first.histograms.map((b) => b.keys.length)).toEqual([1, 1, 1]);
      const exemplars = await storage.querier().selectExemplars!([[{ type: "=~", name: "__name__", value: "lat|jobs_total" }]], T0, T0 + 10 * STEP);
      expect(exemplars.flatMap((e) => e.exemplars.map((x) => [labelsToRecord(e.seriesLabels).__name__, labelsToRecord(x.labels).trace_id, x.t]))).toEqual([
        ["jobs_total", "o1", T0 + STEP - 250],
        ["jobs_total", "o2", T0 + 2 * STEP - 250],
        ["jobs_total", "o3", T0 + 3 * STEP - 250],
        ["lat", "p1", T0 + STEP - 500],
        ["lat", "p2", T0 + 2 * STEP - 500],
        ["lat", "p3", T0 + 3 * STEP - 500],
      ]);

      // The object restarts: the targets' references are refused once, sent again by
      // labels, and the restarted object replays the WAL, histograms included.
      const second = recorded(new SeriesStore(state, env));
      await scrape(new ShardedStorage([second.client]), 4);
      expect(second.floats.map((b) => [b.keys.length > 0, (b.refs?.length ?? 0) > 0])).toEqual([
        [false, true],
        [true, false],
        [false, true],
        [true, false],
      ]);

      const reborn = new SeriesStore(state, env);
      const got = await readAll(new ShardedStorage([reborn]));
      const ts = [1, 2, 3, 4].map((k) => T0 + k * STEP);
      expect(got.get("reqs_total t:1")).toMatchObject({ ts, vs: [10, 20, 30, 40] });
      expect(got.get("lat_bucket t:1 1.0 /a")).toMatchObject({ ts, vs: [2, 4, 6, 8] });
      expect(got.get("jobs_total t:2 a")).toMatchObject({ ts, vs: [1, 2, 3, 4] });
      expect(got.get("jobs_total t:2 b")).toMatchObject({ ts, vs: [2, 4, 6, 8] });
      for (const i of ["t:1", "t:2"]) expect(got.get(`up ${i}`)).toMatchObject({ ts, vs: [1, 1, 1, 1] });
      expect(got.get("lat t:1 /a")!.hs).toEqual([1, 2, 3, 4].map((k) => `{count:${3 * k}, sum:${1.5 * k}, (0.5,1]:${2 * k}, (1,2]:${k}}`));
      const page = reborn.select([{ type: "=", name: "__name__", value: "lat" }], -Infinity, Infinity);
      expect(page.series[0]!.chunks.map((c) => c.enc)).toEqual([ChunkEncoding.Histogram]);
    });
  });
});
