/**
 * The scheduler side of a scrape in Node, without workerd or a shard: scrapeOnce over
 * the node_exporter-shaped page of bench/scrape.ts (plain values moving every scrape),
 * its scrape cache warm, appending through ShardedStorage into a stand-in shard that
 * answers references and stores nothing. What it times is fetching the body from an
 * in-memory Response, parsing, the cache, relabelling, the appender and the batch
 * built for the shard. A quick inner loop for that code:
 * `npx tsx bench/scrape_loop.ts [rounds of 100 scrapes]`; bench/scrape.ts measures the
 * whole path against Prometheus.
 */
import { labelsFromRecord } from "../src/model/labels.js";
import { ScrapeCache } from "../src/scrape/scrape_cache.js";
import { newTargetState, scrapeOnce, type TargetState } from "../src/scrape/scrape_loop.js";
import { ShardedStorage, type ShardClient } from "../src/storage/sharded_storage.js";
import type { AppendAnswer, AppendBatch } from "../src/tsdb/rpc.js";
import { scrapeTarget } from "../test/scrape/scrape_target.js";
import { isMainModule, type BenchResult } from "./chunkenc.js";
import { movedValues } from "./scrape.js";
import { nodeExporterPage } from "./textparse.js";
import { printResults } from "./print_results.js";

/** Answers like a shard: a reference per series sent by labels, one epoch. */
function standInShard(): ShardClient {
  const refs = new Map<string, number>();
  return {
    append(b: AppendBatch): AppendAnswer {
      const out = new Uint32Array(b.keys.length);
      b.keys.forEach((k, i) => {
        let r = refs.get(k);
        if (r === undefined) refs.set(k, (r = refs.size + 1));
        out[i] = r;
      });
      return { appended: b.vs.length, outOfOrderAccepted: 0, rejected: 0, rejections: [], epoch: 1, refs: out };
    },
  } as unknown as ShardClient;
}

export async function benchScrapeLoop(rounds: number): Promise<BenchResult[]> {
  const base = nodeExporterPage("text");
  const bodies = Array.from({ length: 16 }, (_, n) => movedValues(base, n));
  const storage = new ShardedStorage([standInShard()]);
  const target = scrapeTarget("http://127.0.0.1:9100/metrics", { pool: "t0", labels: labelsFromRecord({ instance: "127.0.0.1:9100", job: "t0" }), intervalMs: 1000, timeoutMs: 900 });
  let served = 0;
  const fetchFn = async () => {
    const body = bodies[served++ % bodies.length]!;
    return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4", "content-length": String(Buffer.byteLength(body)) } });
  };
  const cache = new ScrapeCache();
  let state: TargetState = newTargetState();
  let now = 1_700_000_000_000;
  const perScrape: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now();
    for (let j = 0; j < 100; j++) {
      state = await scrapeOnce(target, storage, state, fetchFn, (now += 1000), cache);
      if (state.lastError !== "") throw new Error(state.lastError);
    }
    perScrape.push((performance.now() - t0) / 100);
  }
  // The first third warms the JIT and the cache up.
  const warm = perScrape.slice(Math.floor(rounds / 3)).sort((a, b) => a - b);
  return [
    { name: "scrape_loop.ms_per_scrape.min", value: warm[0]!, unit: `ms per ${state.series.length}-series scrape (Node, warm)` },
    { name: "scrape_loop.ms_per_scrape.median", value: warm[warm.length >> 1]!, unit: `ms per ${state.series.length}-series scrape (Node, warm)` },
  ];
}

if (isMainModule(import.meta.url)) {
  void benchScrapeLoop(Number(process.argv[2] ?? 30)).then((rs) => {
    printResults(rs, 36, 10);
  });
}
