/**
 * Rule evaluation side by side: the same series remote-written into a region (under
 * workerd) and into Prometheus 2.42, the same group of recording rules in both, and
 * the time each takes to evaluate the whole group (its `evaluationTime` in
 * /api/v1/rules, median over several intervals) with the ratio.
 *
 * The region's Durable Objects stay in memory while the bench runs. Nothing but the
 * rules touches the shards here, and workerd evicts an object after a few idle
 * seconds, less than the 15 s interval: each evaluation would then first reload both
 * shards from SQLite, which Prometheus' head never does and which an object that gets
 * a request every 15 s on Cloudflare does not either. `--evictable` measures that
 * case instead. The first two evaluations on each side are a warm-up, not measured.
 *
 * Run alone with `npx tsx bench/rules.ts [--quick] [--evaluations N] [--evictable]`; `npx tsx
 * --experimental-websocket bench/rules.ts --quick --profile out.cpuprofile` (the flag
 * only on Node 20) also profiles the region's Worker over the measured evaluations.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { isMainModule, rng, type BenchResult } from "./chunkenc.js";
import { median, postRemoteWrite } from "./process_stats.js";
import { startBenchRegion } from "./region.js";
import { startPrometheus } from "../test/e2e/support/peers.js";
import { freePort } from "../test/e2e/support/processes.js";
import { startCpuProfile } from "./cpu_profile.js";
import { printResults } from "./print_results.js";

export interface RulesBenchOptions {
  series: number;
  rules: number;
  /** Evaluations measured after the data is in. */
  evaluations: number;
  /** Evaluations before those, not measured on either side: the first ones create the
   * recorded series and run the Worker's code before V8 has optimised it. */
  warmup?: number;
  intervalSeconds: number;
  /** Writes a CPU profile of the region over the measured evaluations to this file. */
  profile?: string;
  /** Lets workerd evict idle Durable Objects (see above). */
  evictable?: boolean;
  log?: (s: string) => void;
}

const STEP = 15_000;
/** Ten minutes of samples: enough for every rate(...[5m]) while the bench runs. */
const SAMPLES = 40;
const PATHS = 50;

/** Counters shaped like the query bench's: job, instance and path labels. */
function* batches(series: number, t0: number): Generator<WriteRequestInput> {
  const r = rng(7);
  for (let s0 = 0; s0 < series; s0 += 500) {
    const timeseries: WriteRequestInput["timeseries"][number][] = [];
    for (let s = s0; s < Math.min(series, s0 + 500); s++) {
      const rate = 1 + r() * 100;
      let v = Math.floor(r() * 1e6);
      const samples = [];
      for (let i = 0; i < SAMPLES; i++) {
        v += Math.floor(rate * 15 * (0.5 + r()));
        samples.push({ t: t0 + i * STEP, v });
      }
      timeseries.push({
        labels: [
          { name: "__name__", value: "bench_requests_total" },
          { name: "instance", value: `host-${Math.floor(s / 50)}:9100` },
          { name: "job", value: `job-${s % 10}` },
          { name: "path", value: `/p/${s % PATHS}` },
        ],
        samples,
      });
    }
    yield { timeseries };
  }
}

/** One group of recording rules, each aggregating the rate of one path's series
 * (series / 50 of them) by job, the everyday shape of a recording rule. */
function rulesFile(rules: number, intervalSeconds: number): string {
  const lines = ["groups:", "  - name: bench", `    interval: ${intervalSeconds}s`, "    rules:"];
  for (let i = 0; i < rules; i++) {
    lines.push(`      - record: path:bench_requests:rate5m_${i}`);
    lines.push(`        expr: sum by (job) (rate(bench_requests_total{path="/p/${i % PATHS}"}[5m]))`);
  }
  return lines.join("\n") + "\n";
}

interface GroupStatus {
  lastEvaluation: string;
  evaluationTime: number;
  rules: { health: string; lastError?: string }[];
}

async function group(base: string, log: (s: string) => void): Promise<GroupStatus | undefined> {
  try {
    const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: GroupStatus[] } };
    return body.data.groups[0];
  } catch (e) {
    // A busy server may drop a status request; the next poll asks again.
    log(`  rules: ${base}/api/v1/rules: ${(e as Error).message}`);
    return undefined;
  }
}

/** Evaluation times of the next `n` evaluations that start after `after`, the first
 * `skip` of them left out. */
async function evaluationTimes(base: string, after: number, n: number, skip: number, intervalSeconds: number, name: string, log: (s: string) => void): Promise<number[]> {
  n += skip;
  const seen = new Map<string, number>();
  const deadline = Date.now() + (n + 3) * intervalSeconds * 1000 + 120_000;
  while (seen.size < n) {
    if (Date.now() > deadline) throw new Error(`${name}: only ${seen.size} of ${n} evaluations seen`);
    const g = await group(base, log);
    if (g !== undefined && Date.parse(g.lastEvaluation) > after && !seen.has(g.lastEvaluation)) {
      const bad = g.rules.find((r) => r.health !== "ok");
      if (bad !== undefined) throw new Error(`${name}: a rule is unhealthy: ${bad.lastError ?? bad.health}`);
      seen.set(g.lastEvaluation, g.evaluationTime);
      log(`  rules: ${name} evaluated ${g.rules.length} rules in ${(g.evaluationTime * 1000).toFixed(0)} ms${seen.size <= skip ? " (warm-up)" : ""}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return [...seen.values()].slice(skip);
}

export async function benchRules(opts: RulesBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-rules-"));
  const rules = rulesFile(opts.rules, opts.intervalSeconds);
  const rulesPath = join(dir, "rules.yml");
  await writeFile(rulesPath, rules);
  const config = `global:\n  evaluation_interval: ${opts.intervalSeconds}s\nrule_files: ["${rulesPath}"]\n`;
  const prom = await startPrometheus(config, ["--web.enable-remote-write-receiver"], join(dir, "prom"));
  const inspector = opts.profile === undefined ? undefined : await freePort();
  const region = await startBenchRegion(dir, 2, config, { [rulesPath]: rules }, inspector, opts.evictable !== true);
  try {
    const ours = region.url;
    const theirs = prom.url;
    const end = Math.floor(Date.now() / STEP) * STEP;
    const t0 = end - (SAMPLES - 1) * STEP;
    let sent = 0;
    for (const b of batches(opts.series, t0)) {
      const body = encodeRemoteWriteBody(b);
      await Promise.all([postRemoteWrite(`${ours}/api/v1/write`, body), postRemoteWrite(`${theirs}/api/v1/write`, body)]);
      sent += b.timeseries.length;
      if (sent % 2000 < b.timeseries.length) log(`  rules: loaded ${sent} series into both`);
    }
    const loaded = Date.now();
    const reload = await fetch(`${ours}/-/reload`, { method: "POST" });
    if (!reload.ok) throw new Error(`reload: ${await reload.text()}`);
    const stopProfile = inspector === undefined ? undefined : await startCpuProfile(inspector);
    const [a, b] = await Promise.all([
      evaluationTimes(ours, loaded, opts.evaluations, opts.warmup ?? 2, opts.intervalSeconds, "edgeprom", log),
      evaluationTimes(theirs, loaded, opts.evaluations, opts.warmup ?? 2, opts.intervalSeconds, "prometheus", log),
    ]);
    if (stopProfile !== undefined) log((await stopProfile(opts.profile!, 50)).join("\n"));
    const ms = (xs: number[]) => median(xs) * 1000;
    const name = `rules.${opts.rules} recording rules over ${opts.series} series`;
    return [
      { name: `${name}.edgeprom`, value: ms(a), unit: "ms per evaluation (median)" },
      { name: `${name}.prometheus`, value: ms(b), unit: "ms per evaluation (median)" },
      { name: `${name}.ratio`, value: ms(a) / ms(b), unit: "x (edgeprom / prometheus)" },
    ];
  } finally {
    await region.stop();
    await prom.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  // --evaluations N: more evaluations measured, for a steadier median on a busy machine.
  const ei = process.argv.indexOf("--evaluations");
  const evaluations = ei >= 0 ? Number(process.argv[ei + 1]) : quick ? 2 : 3;
  const pi = process.argv.indexOf("--profile");
  const profile = pi > 0 ? (process.argv[pi + 1] ?? "rules.cpuprofile") : undefined;
  void benchRules({ series: quick ? 1000 : 10_000, rules: quick ? 200 : 1000, evaluations, intervalSeconds: quick ? 15 : 30, profile, evictable: process.argv.includes("--evictable"), log: console.log }).then((rs) => {
    printResults(rs, 70, 10);
  });
}
