/**
 * Rule evaluation side by side: the same series remote-written into a region (under
 * workerd) and into Prometheus 2.42, the same group of recording rules in both, and
 * the time each takes to evaluate the whole group (its `evaluationTime` in
 * /api/v1/rules, median over several intervals) with the ratio.
 * Run alone with `npx tsx bench/rules.ts [--quick] [--evaluations N]`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { isMainModule, rng, type BenchResult } from "./chunkenc.js";
import { median, postRemoteWrite } from "./process_stats.js";
import { startBenchRegion } from "./region.js";
import { startPrometheus } from "../test/e2e/support/peers.js";

export interface RulesBenchOptions {
  series: number;
  rules: number;
  /** Evaluations measured after the data is in. */
  evaluations: number;
  intervalSeconds: number;
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

/** Evaluation times of the next `n` evaluations that start after `after`. */
async function evaluationTimes(base: string, after: number, n: number, intervalSeconds: number, name: string, log: (s: string) => void): Promise<number[]> {
  const seen = new Map<string, number>();
  const deadline = Date.now() + (n + 3) * intervalSeconds * 1000 + 120_000;
  while (seen.size < n) {
    if (Date.now() > deadline) throw new Error(`${name}: only ${seen.size} of ${n} evaluations seen`);
    const g = await group(base, log);
    if (g !== undefined && Date.parse(g.lastEvaluation) > after && !seen.has(g.lastEvaluation)) {
      const bad = g.rules.find((r) => r.health !== "ok");
      if (bad !== undefined) throw new Error(`${name}: a rule is unhealthy: ${bad.lastError ?? bad.health}`);
      seen.set(g.lastEvaluation, g.evaluationTime);
      log(`  rules: ${name} evaluated ${g.rules.length} rules in ${(g.evaluationTime * 1000).toFixed(0)} ms`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return [...seen.values()];
}

export async function benchRules(opts: RulesBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-rules-"));
  const rules = rulesFile(opts.rules, opts.intervalSeconds);
  const rulesPath = join(dir, "rules.yml");
  await writeFile(rulesPath, rules);
  const config = `global:\n  evaluation_interval: ${opts.intervalSeconds}s\nrule_files: ["${rulesPath}"]\n`;
  const prom = await startPrometheus(config, ["--web.enable-remote-write-receiver"], join(dir, "prom"));
  const region = await startBenchRegion(dir, 2, config, { [rulesPath]: rules });
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
    const [a, b] = await Promise.all([
      evaluationTimes(ours, loaded, opts.evaluations, opts.intervalSeconds, "edgeprom", log),
      evaluationTimes(theirs, loaded, opts.evaluations, opts.intervalSeconds, "prometheus", log),
    ]);
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
  void benchRules({ series: quick ? 1000 : 10_000, rules: quick ? 200 : 1000, evaluations, intervalSeconds: quick ? 15 : 30, log: console.log }).then((rs) => {
    for (const r of rs) console.log(`${r.name.padEnd(70)} ${r.value.toPrecision(4).padStart(10)} ${r.unit}`);
  });
}
