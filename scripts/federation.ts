import { join, resolve } from "node:path";
import type { Readable } from "node:stream";
import type { WorkerOptions } from "miniflare";
import { workerBundles } from "./start/bundles.js";
import { workerModules } from "./start/worker_modules.js";

/** The local federation: the global tier and two regions, each a Worker under one
 * Miniflare (workerd) process, with Durable Object and KV state persisted on disk. */
export interface FederationOptions {
  dataDir: string;
  host?: string;
  ports: { global: number; "local-a": number; "local-b": number };
  /** Extra vars for every tier (WRITE_TOKEN, STORAGE_RETENTION, ...). */
  vars?: Record<string, string>;
  /** The Workers' own output. */
  log?: (line: string) => void;
  /** The launcher's steps, as they happen. */
  progress?: (line: string) => void;
  /** Called when workerd's output ends without stop(): the runtime died. */
  onRuntimeExit?: () => void;
}

export interface Federation {
  urls: Record<"global" | "local-a" | "local-b", string>;
  /** Writes a key of the CONFIG namespace, as `npx edgeprom config push --local` does. */
  putConfig(key: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

export const TIERS = ["global", "local-a", "local-b"] as const;

/** Hosts the seeded global configuration federates, served by service bindings. */
const REGION_SERVICES = { "local-a.edgeprom.internal": "REGION_LOCAL_A", "local-b.edgeprom.internal": "REGION_LOCAL_B" };
type Tier = (typeof TIERS)[number];

const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`;

export async function startFederation(opts: FederationOptions): Promise<Federation> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const progress = opts.progress ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  // Miniflare takes a second or more to load: load it while the bundles are checked,
  // and without parsing its source map (tsx turns Node's source maps on; Miniflare's
  // map alone cost 0.9 s of CPU per start).
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ?? false;
  process.setSourceMapsEnabled(false);
  const miniflare = import("miniflare").finally(() => process.setSourceMapsEnabled(sourceMaps));
  miniflare.catch(() => {});
  let t = Date.now();
  progress("[1/3] Worker bundles (what wrangler deploy uploads)");
  const bundles = await workerBundles((line) => progress(`[1/3] ${line}`));
  const modules = { region: await workerModules(bundles.dirs.region, bundles.scripts.region), global: await workerModules(bundles.dirs.global, bundles.scripts.global) };
  progress(`[1/3] bundles ready in ${since(t)}`);
  const workers: WorkerOptions[] = [];
  for (const tier of TIERS) {
    const bundle = tier === "global" ? "global" : "region";
    workers.push({
      name: `edgeprom-${tier}`,
      modules: modules[bundle],
      modulesRoot: bundles.dirs[bundle],
      compatibilityDate: "2026-04-01",
      compatibilityFlags: ["nodejs_compat"],
      // The local federation is a developer's own: its admin and lifecycle APIs are on,
      // as with --web.enable-admin-api --web.enable-lifecycle.
      bindings: { TIER: tier, SHARDS: "2", ENABLE_ADMIN_API: "true", ENABLE_LIFECYCLE: "true", EXTERNAL_URL: `http://${host}:${opts.ports[tier]}`, ...(tier === "global" ? { SERVICE_TARGETS: JSON.stringify(REGION_SERVICES) } : {}), ...opts.vars },
      // The global tier reaches the regions through service bindings, not the network.
      ...(tier === "global" ? { serviceBindings: { REGION_LOCAL_A: "edgeprom-local-a", REGION_LOCAL_B: "edgeprom-local-b" } } : {}),
      durableObjects: {
        SERIES: { className: "SeriesStore", useSQLite: true },
        SCHEDULER: { className: "ScrapeScheduler", useSQLite: true },
        REMOTE_WRITE: { className: "RemoteWriteQueue", useSQLite: true },
        PUSHGATEWAY: { className: "PushGateway", useSQLite: true },
        RULES: { className: "RuleEvaluator", useSQLite: true },
        ALERTMANAGER: { className: "Alertmanager", useSQLite: true },
      },
      // The same namespace id the CLI (`npx edgeprom config push --local`) writes to.
      kvNamespaces: { CONFIG: "CONFIG" },
      unsafeDirectSockets: [{ host, port: opts.ports[tier] }],
    });
  }
  t = Date.now();
  progress(`[2/3] starting workerd: ${TIERS.map((tier) => `${tier} :${opts.ports[tier]}`).join(", ")}`);
  let stopped = false;
  const { Miniflare } = await miniflare;
  const mf = new Miniflare({
    workers,
    host,
    port: 0,
    durableObjectsPersist: join(dataDir, "do"),
    kvPersist: join(dataDir, "kv"),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on("data", (b: Buffer) => log(b.toString().trimEnd()));
      stderr.on("data", (b: Buffer) => log(b.toString().trimEnd()));
      stdout.on("end", () => {
        if (!stopped) opts.onRuntimeExit?.();
      });
    },
  });
  await mf.ready;
  progress(`[2/3] workerd up in ${since(t)}`);
  t = Date.now();
  progress("[3/3] seeding the configuration (first start only) and arming scrapes and rules");
  const urls = Object.fromEntries(TIERS.map((t) => [t, `http://${host}:${opts.ports[t]}`])) as Federation["urls"];
  const kv = await mf.getKVNamespace("CONFIG", "edgeprom-global");
  await seedConfig(kv, urls, log);
  // Cron triggers do not fire under plain Miniflare: run each tier's scheduled handler
  // once, as the first cron would; it arms the scheduler's and rule evaluator's alarms.
  await Promise.all(
    TIERS.map(async (tier) => {
      const worker = await mf.getWorker(`edgeprom-${tier}`);
      const result = await worker.scheduled({ cron: "* * * * *" });
      if (result.outcome !== "ok") throw new Error(`the scheduled handler of ${tier} failed (${result.outcome})`);
    }),
  );
  progress(`[3/3] done in ${since(t)}`);
  return {
    urls,
    putConfig: (key, text) => kv.put(key, text),
    stop: () => {
      stopped = true;
      return mf.dispose();
    },
  };
}

/** The first start stores a configuration for every tier: each region scrapes its
 * own /metrics and labels everything with its region; the global tier federates both
 * regions. Later starts keep whatever was pushed since (`npx edgeprom config push`). */
async function seedConfig(kv: { get(k: string): Promise<string | null>; put(k: string, v: string): Promise<void> }, urls: Federation["urls"], log: (l: string) => void): Promise<void> {
  const hostOf = (u: string) => u.replace(/^http:\/\//, "");
  const files: Record<string, string> = {};
  for (const region of ["local-a", "local-b"] as const) {
    files[`regions/${region}/prometheus.yml`] = [
      "global:",
      "  scrape_interval: 15s",
      "  external_labels:",
      `    region: ${region}`,
      "scrape_configs:",
      "  - job_name: edgeprom",
      "    static_configs:",
      `      - targets: ["${hostOf(urls[region])}"]`,
      "  - job_name: demo",
      "    metrics_path: /demo/metrics",
      "    static_configs:",
      `      - targets: ["${hostOf(urls[region])}"]`,
      "",
    ].join("\n");
  }
  files["regions/global/prometheus.yml"] = [
    "global:",
    "  scrape_interval: 15s",
    "scrape_configs:",
    "  - job_name: federate",
    "    honor_labels: true",
    "    metrics_path: /federate",
    "    params:",
    "      'match[]':",
    "        - '{job=~\".+\"}'",
    "    static_configs:",
    // One group per region, labelled with the address of the region's own UI so the
    // global tier's federation page can link to it (service hosts are not browsable).
    ...(["local-a", "local-b"] as const).flatMap((region) => [
      `      - targets: ["${region}.edgeprom.internal"]`,
      `        labels: {__ui_url__: "${urls[region]}/"}`,
    ]),
    "",
  ].join("\n");
  for (const [key, text] of Object.entries(files)) {
    if ((await kv.get(key)) !== null) continue;
    await kv.put(key, text);
    log(`seeded ${key}`);
  }
}
