import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { Miniflare, type WorkerOptions } from "miniflare";

const run = promisify(execFile);

/** The local federation: the global tier and two regions, each a Worker under one
 * Miniflare (workerd) process, with Durable Object and KV state persisted on disk. */
export interface FederationOptions {
  dataDir: string;
  host?: string;
  ports: { global: number; "local-a": number; "local-b": number };
  /** Extra vars for every tier (WRITE_TOKEN, STORAGE_RETENTION, ...). */
  vars?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Federation {
  urls: Record<"global" | "local-a" | "local-b", string>;
  stop(): Promise<void>;
}

export const TIERS = ["global", "local-a", "local-b"] as const;
type Tier = (typeof TIERS)[number];

const ROOT = resolve(import.meta.dirname, "..");

/** Bundles one wrangler environment exactly as `wrangler deploy` would. */
export async function bundle(env: Tier, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await run("npx", ["wrangler", "deploy", "--dry-run", "--env", env, "--outdir", outDir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const main = (await readdir(outDir)).find((f) => f.endsWith(".js"));
  if (main === undefined) throw new Error(`wrangler produced no bundle for ${env} in ${outDir}`);
  return join(outDir, main);
}

export async function startFederation(opts: FederationOptions): Promise<Federation> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const workers: WorkerOptions[] = [];
  for (const tier of TIERS) {
    log(`bundling ${tier}`);
    const scriptPath = await bundle(tier, join(dataDir, "build", tier));
    workers.push({
      name: `edgeprom-${tier}`,
      modules: true,
      scriptPath,
      modulesRoot: dirname(scriptPath),
      modulesRules: [{ type: "Text", include: ["**/*.sql"] }],
      compatibilityDate: "2026-04-01",
      compatibilityFlags: ["nodejs_compat"],
      bindings: { TIER: tier, SHARDS: "2", ...opts.vars },
      durableObjects: { SERIES: { className: "SeriesStore", useSQLite: true } },
      unsafeDirectSockets: [{ host, port: opts.ports[tier] }],
    });
  }
  const mf = new Miniflare({
    workers,
    host,
    port: 0,
    durableObjectsPersist: join(dataDir, "do"),
    kvPersist: join(dataDir, "kv"),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on("data", (b: Buffer) => log(b.toString().trimEnd()));
      stderr.on("data", (b: Buffer) => log(b.toString().trimEnd()));
    },
  });
  await mf.ready;
  const urls = Object.fromEntries(TIERS.map((t) => [t, `http://${host}:${opts.ports[t]}`])) as Federation["urls"];
  return { urls, stop: () => mf.dispose() };
}
