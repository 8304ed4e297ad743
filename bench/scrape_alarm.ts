/**
 * What a region's scheduler alarm costs apart from the samples: workerd's CPU per
 * second of a region whose one alarm a second scrapes a chosen set of targets, so
 * that the fixed part of bench/scrape.ts's cost per scrape can be told from the part
 * that grows with the samples. Scenarios (the implicit Pushgateway job is kept at 1h
 * except in `pushgateway`, so the others make no call to it):
 *   idle          no alarm inside the window (the floor: workerd doing nothing)
 *   pushgateway   only the implicit Pushgateway job, at 1s
 *   refused       one target at 1s whose connection is refused (alarm, failed fetch,
 *                 the report series appended)
 *   small N       N targets at 1s serving a one-series page
 *   full N        N targets at 1s serving bench/scrape.ts's node_exporter page
 * `npx tsx bench/scrape_alarm.ts SCENARIO [N] [--seconds S]`. /proc counts CPU in
 * 10 ms ticks, so a window of S seconds resolves 10/S ms per second.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainModule, type BenchResult } from "./chunkenc.js";
import { cpuSeconds, workerdPids } from "./process_stats.js";
import { startBenchRegion } from "./region.js";
import { startMovingExporter } from "./scrape.js";
import { nodeExporterPage } from "./textparse.js";
import { PUSHGATEWAY_HOST, PUSHGATEWAY_JOB } from "../src/scrape/pushgateway_job.js";
import { printResults } from "./print_results.js";

const SCENARIOS = ["idle", "pushgateway", "refused", "small", "full"] as const;
export type AlarmScenario = (typeof SCENARIOS)[number];

/** The Pushgateway job under its own name, at an interval no window reaches. */
const QUIET_PUSHGATEWAY = `  - {job_name: ${PUSHGATEWAY_JOB}, scrape_interval: 1h, honor_labels: true, metrics_path: /pushgateway/metrics, static_configs: [{targets: [${PUSHGATEWAY_HOST}]}]}`;

function configFor(scenario: AlarmScenario, targets: number, target: string): string {
  const jobs =
    scenario === "idle"
      ? []
      : scenario === "pushgateway"
        ? null
        : scenario === "refused"
          ? [`  - {job_name: r, static_configs: [{targets: ["127.0.0.1:1"]}]}`]
          : Array.from({ length: targets }, (_, i) => `  - {job_name: t${i}, static_configs: [{targets: ["${target}"]}]}`);
  return ["global: {scrape_interval: 1s, scrape_timeout: 900ms}", jobs === null ? "scrape_configs: []" : "scrape_configs:", ...(jobs === null ? [] : [QUIET_PUSHGATEWAY, ...jobs]), ""].join("\n");
}

export async function benchScrapeAlarm(scenario: AlarmScenario, targets: number, seconds: number): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-alarm-"));
  const page = scenario === "full" ? nodeExporterPage("text") : "# TYPE x gauge\nx 1\n";
  const exporter = await startMovingExporter(page);
  const before = new Set(workerdPids());
  const region = await startBenchRegion(dir, 1, configFor(scenario, targets, exporter.target));
  const ours = workerdPids().filter((p) => !before.has(p));
  const cpu = () => ours.reduce((a, p) => a + cpuSeconds(p), 0);
  try {
    // Past the first scrapes, which create every series.
    await new Promise((r) => setTimeout(r, 12_000));
    const c0 = cpu();
    const n0 = exporter.served();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const label = scenario === "small" || scenario === "full" ? `${scenario} ${targets}` : scenario;
    const key = label.replace(" ", "_");
    return [
      { name: `scrape_alarm.cpu_ms_per_second.${key}`, value: ((cpu() - c0) * 1000) / seconds, unit: `workerd CPU ms per second (${label}, ±${(10 / seconds).toFixed(2)})` },
      { name: `scrape_alarm.exporter_scrapes_per_second.${key}`, value: (exporter.served() - n0) / seconds, unit: "scrapes / s" },
    ];
  } finally {
    await region.stop();
    exporter.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const scenario = process.argv[2] ?? "refused";
  const targets = Number(process.argv[3] && !process.argv[3].startsWith("--") ? process.argv[3] : 1);
  const at = process.argv.indexOf("--seconds");
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 30;
  // A mistyped scenario would otherwise run as "small" and print figures under its name.
  if (!(SCENARIOS as readonly string[]).includes(scenario) || !(Number.isInteger(targets) && targets > 0) || !(seconds > 0)) {
    console.error(`usage: npx tsx bench/scrape_alarm.ts ${SCENARIOS.join("|")} [N targets > 0] [--seconds S > 0]`);
    process.exit(2);
  }
  void benchScrapeAlarm(scenario as AlarmScenario, targets, seconds).then((rs) => {
    printResults(rs, 48, 10);
  });
}
