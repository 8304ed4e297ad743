/**
 * Ingest cost side by side: a region (under workerd) and Prometheus 2.42 scrape the
 * same node_exporter-shaped targets (about 1,600 series each, values changing every
 * scrape) at a 1s interval; both processes' CPU time is read from /proc over the same
 * window and divided by the samples each appended. The full run's window is long enough
 * for every series to cut a chunk (120 samples), so the rows written include sealing;
 * five targets, so that a region on a busy 2-core machine keeps up with the 1s interval.
 * Run alone with `npx tsx bench/scrape.ts [--quick]`, or `npx tsx --experimental-websocket
 * bench/scrape.ts --quick --profile out.cpuprofile` for a CPU profile (Node 20).
 */
import { cpuSeconds, workerdPids } from "./process_stats.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, startProcess, waitForHttp } from "../test/e2e/support/processes.js";
import { isMainModule, type BenchResult } from "./chunkenc.js";
import { ingestCost, readUsage, usageDelta } from "./cost.js";
import { startBenchRegion } from "./region.js";
import { nodeExporterPage } from "./textparse.js";
import { startCpuProfile } from "./cpu_profile.js";
import { printResults } from "./print_results.js";

export interface ScrapeBenchOptions {
  targets: number;
  seconds: number;
  log?: (s: string) => void;
  /** Writes a CPU profile of the region over the measured window to this file. */
  profile?: string;
}




/** The page a live exporter would serve at its n-th request: every plain value moved
 * by n, as counters move between scrapes. */
export function movedValues(page: string, n: number): string {
  return page.replace(/ (\d+(?:\.\d+)?)(\n)/g, (_m, v: string, nl: string) => ` ${Number(v) + n}${nl}`);
}

/** An exporter on a free local port serving `page` with its values moved at every
 * request, as a live exporter's counters move. */
export async function startMovingExporter(page: string): Promise<{ target: string; served(): number; close(): void }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end(movedValues(page, n));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { target: `127.0.0.1:${(server.address() as AddressInfo).port}`, served: () => n, close: () => server.close() };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split("\n")) if (line.startsWith(name + "{") || line.startsWith(name + " ")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  return sum;
}

export async function benchScrape(opts: ScrapeBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-scrape-"));
  const exporter = await startMovingExporter(nodeExporterPage("text"));
  const target = exporter.target;
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 900ms",
    "scrape_configs:",
    ...Array.from({ length: opts.targets }, (_, i) => [`  - job_name: t${i}`, `    static_configs: [{targets: ["${target}"]}]`]).flat(),
    "",
  ].join("\n");
  await writeFile(join(dir, "prometheus.yml"), config);
  const before = new Set(workerdPids());
  const inspector = opts.profile === undefined ? undefined : await freePort();
  const region = await startBenchRegion(dir, 1, config, {}, inspector);
  const ours = workerdPids().filter((p) => !before.has(p));
  const promPort = await freePort();
  const prom = startProcess(requireBinary("/usr/bin/prometheus", "prometheus"), [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "prom")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  const promUrl = `http://127.0.0.1:${promPort}`;
  try {
    await waitForHttp(`${promUrl}/-/ready`, 60_000);
    log(`  scrape: warming up (${opts.targets} targets at 1s)`);
    await new Promise((r) => setTimeout(r, 5000));
    // Creating a series writes its row and postings once; the figures are for the
    // steady state, so measuring starts once every target's series exist.
    for (let last = -1, now = 0; now !== last || now === 0; await new Promise((r) => setTimeout(r, 3000))) {
      last = now;
      now = await metric(`${region.url}/metrics`, "edgeprom_tsdb_head_series");
    }
    const s0 = { ours: await metric(`${region.url}/metrics`, "edgeprom_tsdb_samples_appended_total"), prom: await metric(`${promUrl}/metrics`, "prometheus_tsdb_head_samples_appended_total") };
    const c0 = { ours: ours.reduce((a, p) => a + cpuSeconds(p), 0), prom: cpuSeconds(prom.proc.pid!) };
    const scrapes0 = exporter.served();
    const u0 = await readUsage(region.url);
    const stopProfile = inspector === undefined ? undefined : await startCpuProfile(inspector);
    log(`  scrape: measuring for ${opts.seconds}s`);
    await new Promise((r) => setTimeout(r, opts.seconds * 1000));
    if (stopProfile !== undefined) log((await stopProfile(opts.profile!)).join("\n"));
    const c1 = { ours: ours.reduce((a, p) => a + cpuSeconds(p), 0), prom: cpuSeconds(prom.proc.pid!) };
    const u1 = await readUsage(region.url);
    const s1 = { ours: await metric(`${region.url}/metrics`, "edgeprom_tsdb_samples_appended_total"), prom: await metric(`${promUrl}/metrics`, "prometheus_tsdb_head_samples_appended_total") };
    const samples = { ours: s1.ours - s0.ours, prom: s1.prom - s0.prom };
    const cpu = { ours: c1.ours - c0.ours, prom: c1.prom - c0.prom };
    const perMillion = { ours: (cpu.ours / samples.ours) * 1e6, prom: (cpu.prom / samples.prom) * 1e6 };
    // Each scrape served went to one of the two; half of them were ours.
    const ourScrapes = (exporter.served() - scrapes0) / 2;
    const perScrapeMs = (cpu.ours / ourScrapes) * 1000;
    return [
      { name: "scrape.cpu_seconds_per_million_samples.edgeprom", value: perMillion.ours, unit: "CPU s / 1M samples" },
      { name: "scrape.cpu_seconds_per_million_samples.prometheus", value: perMillion.prom, unit: "CPU s / 1M samples" },
      { name: "scrape.cpu_seconds_per_million_samples.ratio", value: perMillion.ours / perMillion.prom, unit: "x (edgeprom / prometheus)" },
      { name: "scrape.cpu_per_scrape.edgeprom", value: perScrapeMs, unit: `ms per ${Math.round(samples.ours / Math.max(1, ourScrapes))}-sample scrape (parse, relabel, durable append)` },
      { name: "scrape.targets_per_region_at_15s", value: 15_000 / perScrapeMs, unit: "targets (one scheduler, CPU-bound estimate)" },
      { name: "scrape.samples_appended.edgeprom", value: samples.ours, unit: "samples" },
      { name: "scrape.samples_appended.prometheus", value: samples.prom, unit: "samples" },
      // The scheduler (alarms, fetch and parse, target state) and the shards (appends).
      ...ingestCost("scrape.cost", usageDelta(u0, u1), samples.ours),
      { name: "scrape.cost.rows_written_per_million_samples.series_store", value: (usageDelta(u0, u1, ["SeriesStore"]).rowsWritten * 1e6) / samples.ours, unit: "SQLite rows written / 1M samples (SeriesStore only)" },
    ];
  } finally {
    await prom.stop();
    await region.stop();
    exporter.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const at = process.argv.indexOf("--profile");
  const profile = at > 0 ? (process.argv[at + 1] ?? "scrape.cpuprofile") : undefined;
  void benchScrape({ targets: 5, seconds: quick ? 10 : 150, log: console.log, profile }).then((rs) => {
    printResults(rs, 52, 10);
  });
}
