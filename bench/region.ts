import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { workerBundles } from "../scripts/start/bundles.js";
import type { StorageLayout } from "../src/tsdb/rpc.js";

export interface BenchRegion {
  /** Through Miniflare's entry worker (which gzips JSON answers, as Cloudflare's edge does). */
  url: string;
  /** Straight to the region Worker's own socket: no Miniflare entry worker in between
   * (about 0.6-1.2 ms a request locally), as `npm start` serves a tier and as requests
   * reach a Worker on Cloudflare. */
  directUrl: string;
  stop(): Promise<void>;
  /** RPC stubs of the tier's SeriesStore shards, for figures the HTTP API does not show. */
  shards(): Promise<BenchShard[]>;
}

export interface BenchShard {
  checkpoint(): Promise<void>;
  storageLayout(): Promise<StorageLayout>;
}

/** One region Worker under workerd, bundled as `wrangler deploy` would, with its
 * Durable Object state under `dir`; request logs are discarded. */
export async function startBenchRegion(
  dir: string,
  shards: number,
  config?: string,
  /** More CONFIG keys (rule files, file_sd files), written with the configuration. */
  files: Record<string, string> = {},
  /** Opens workerd's V8 inspector on this port (bench/query_profile.ts, bench/scrape.ts --profile). */
  inspectorPort?: number,
  /** Keeps every Durable Object in memory while the region runs (see bench/rules.ts). */
  preventEviction = false,
): Promise<BenchRegion> {
  const scriptPath = (await workerBundles()).scripts.region;
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    modulesRules: [{ type: "Text", include: ["**/*.sql"] }],
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    // The benches reload rules through /-/reload, which is off unless enabled.
    bindings: { TIER: "bench", SHARDS: String(shards), ENABLE_LIFECYCLE: "true" },
    durableObjects: Object.fromEntries(
      Object.entries({ SERIES: "SeriesStore", SCHEDULER: "ScrapeScheduler", REMOTE_WRITE: "RemoteWriteQueue", PUSHGATEWAY: "PushGateway", RULES: "RuleEvaluator" }).map(
        ([binding, className]) => [binding, { className, useSQLite: true, unsafePreventEviction: preventEviction }],
      ),
    ),
    kvNamespaces: { CONFIG: "CONFIG" },
    durableObjectsPersist: join(dir, "do"),
    ...(inspectorPort === undefined ? {} : { inspectorPort }),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.resume();
      stderr.resume();
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const directUrl = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, "");
  if (config !== undefined) {
    const kv = await mf.getKVNamespace("CONFIG");
    for (const [key, text] of Object.entries(files)) await kv.put(key, text);
    await kv.put("regions/bench/prometheus.yml", config);
    const ns = await mf.getDurableObjectNamespace("SCHEDULER");
    await (ns.get(ns.idFromName("bench/scheduler")) as unknown as { arm(): Promise<void> }).arm();
  }
  const shardStubs = async () => {
    const ns = await mf.getDurableObjectNamespace("SERIES");
    return Array.from({ length: shards }, (_, i) => ns.get(ns.idFromName(`bench/shard-${i}`)) as unknown as BenchShard);
  };
  return { url, directUrl, stop: () => mf.dispose(), shards: shardStubs };
}
