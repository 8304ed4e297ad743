/**
 * PromQL latency side by side: the same data remote-written into a region (under
 * workerd) and into Prometheus 2.42 (Debian's package, --web.enable-remote-write-receiver),
 * the same queries against both, median latency of each and the ratio.
 * Our side is timed twice: through Miniflare's URL (Miniflare's entry worker in front,
 * 0.6-1.2 ms a request on this machine, and gzipping every JSON answer as Cloudflare's
 * edge would) and through the region Worker's own socket (as `npm start` serves it and
 * as a request reaches a Worker on Cloudflare), so that our Worker's latency and the
 * local plumbing's show side by side. The Worker leaves compression to the platform, so
 * its own socket answers uncompressed; Prometheus is timed twice too, asked for gzip
 * (as fetch asks by default) and for identity, and the direct figure is compared with
 * the identity one, like for like.
 * Run alone with `npx tsx bench/query.ts [--quick] [--runs N]`.
 */
import { postRemoteWrite, median } from "./process_stats.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { isMainModule, rng, type BenchResult } from "./chunkenc.js";
import { queryCost, readUsage, usageDelta, type ObjectUsage } from "./cost.js";
import { startBenchRegion } from "./region.js";
import { startPrometheus } from "../test/e2e/support/peers.js";
import { printResults } from "./print_results.js";

export interface QueryBenchOptions {
  series: number;
  samplesPerSeries: number;
  runs: number;
  log?: (s: string) => void;
}

export const STEP = 15_000;
const SHARDS = 2;

function withoutStatsRead(u: ObjectUsage, shards: number): ObjectUsage {
  return { ...u, requests: u.requests - shards };
}

/** `series` series: a counter, with 1/10 of them also as classic histogram buckets. */
export function* batches(opts: Pick<QueryBenchOptions, "series" | "samplesPerSeries">, t0: number): Generator<WriteRequestInput> {
  const r = rng(5);
  const perBatch = Math.max(1, Math.floor(20_000 / opts.samplesPerSeries));
  for (let s0 = 0; s0 < opts.series; s0 += perBatch) {
    const timeseries: WriteRequestInput["timeseries"][number][] = [];
    for (let s = s0; s < Math.min(opts.series, s0 + perBatch); s++) {
      const rate = 1 + r() * 100;
      let v = Math.floor(r() * 1e6);
      const samples = [];
      for (let i = 0; i < opts.samplesPerSeries; i++) {
        v += Math.floor(rate * 15 * (0.5 + r()));
        samples.push({ t: t0 + i * STEP, v });
      }
      const labels = [
        { name: "__name__", value: "bench_requests_total" },
        { name: "instance", value: `host-${Math.floor(s / 50)}:9100` },
        { name: "job", value: `job-${s % 10}` },
        { name: "path", value: `/p/${s % 50}` },
      ];
      timeseries.push({ labels, samples });
      if (s % 10 === 0) {
        let c = 0;
        for (const le of ["0.1", "0.5", "1", "5", "+Inf"]) {
          c += 1 + Math.floor(r() * 5);
          const base = c;
          timeseries.push({
            labels: [
              { name: "__name__", value: "bench_latency_seconds_bucket" },
              { name: "instance", value: `host-${Math.floor(s / 50)}:9100` },
              { name: "job", value: `job-${s % 10}` },
              { name: "le", value: le },
              { name: "path", value: `/p/${s % 50}` },
            ],
            samples: samples.map((x, i) => ({ t: x.t, v: base * (i + 1) })),
          });
        }
      }
    }
    yield { timeseries };
  }
}

/** The bench's queries (name, API path after /api/v1/) at `end` (ms). */
export function benchQueries(end: number): [string, string][] {
  const at = end / 1000;
  const rangeStart = (end - 3600_000) / 1000;
  return [
    ["selector, all series", `query?query=${encodeURIComponent("bench_requests_total")}&time=${at}`],
    ["rate 1h range at 15s step, one job", `query_range?query=${encodeURIComponent('rate(bench_requests_total{job="job-1"}[5m])')}&start=${rangeStart}&end=${at}&step=15`],
    ["sum by (job) of rate", `query?query=${encodeURIComponent("sum by (job) (rate(bench_requests_total[5m]))")}&time=${at}`],
    ["topk(5) of rate", `query?query=${encodeURIComponent("topk(5, rate(bench_requests_total[5m]))")}&time=${at}`],
    ["histogram_quantile", `query?query=${encodeURIComponent("histogram_quantile(0.9, sum by (le, job) (rate(bench_latency_seconds_bucket[5m])))")}&time=${at}`],
    ["subquery max_over_time(rate[1m])[30m:1m]", `query?query=${encodeURIComponent('max_over_time(rate(bench_requests_total{job="job-2"}[1m])[30m:1m])')}&time=${at}`],
  ];
}

async function timeQuery(url: string, runs: number, headers: Record<string, string> = {}): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { status: string; error?: string };
    if (body.status !== "success") throw new Error(`${url}: ${body.error}`);
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

export async function benchQuery(opts: QueryBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-query-"));
  const prom = await startPrometheus("global: {}\n", ["--web.enable-remote-write-receiver"], join(dir, "prom"));
  const region = await startBenchRegion(dir, SHARDS);
  try {
    const ours = region.url;
    const theirs = prom.url;
    const end = Math.floor(Date.now() / STEP) * STEP - STEP;
    const t0 = end - (opts.samplesPerSeries - 1) * STEP;
    let sent = 0;
    for (const b of batches(opts, t0)) {
      const body = encodeRemoteWriteBody(b);
      await Promise.all([postRemoteWrite(`${ours}/api/v1/write`, body), postRemoteWrite(`${theirs}/api/v1/write`, body)]);
      sent += b.timeseries.length;
      if (sent % 2000 < b.timeseries.length) log(`  query: loaded ${sent} series into both`);
    }
    const queries = benchQueries(end);
    const out: BenchResult[] = [];
    for (const [name, path] of queries) {
      const u0 = await readUsage(ours);
      const a = await timeQuery(`${ours}/api/v1/${path}`, opts.runs);
      const u1 = await readUsage(ours);
      const d = await timeQuery(`${region.directUrl}/api/v1/${path}`, opts.runs);
      const b = await timeQuery(`${theirs}/api/v1/${path}`, opts.runs);
      const p = await timeQuery(`${theirs}/api/v1/${path}`, opts.runs, { "accept-encoding": "identity" });
      log(
        `  query: ${name}: edgeprom ${a.toFixed(2)} ms (${(a / b).toFixed(2)}x) through Miniflare, ${d.toFixed(2)} ms (${(d / p).toFixed(2)}x) direct; prometheus ${b.toFixed(2)} ms gzip, ${p.toFixed(2)} ms identity`,
      );
      out.push(
        { name: `query.${name}.edgeprom`, value: a, unit: "ms (median, through Miniflare's entry worker)" },
        { name: `query.${name}.edgeprom.direct`, value: d, unit: "ms (median, the Worker's own socket)" },
        { name: `query.${name}.prometheus`, value: b, unit: "ms (median, gzip)" },
        { name: `query.${name}.prometheus.identity`, value: p, unit: "ms (median, uncompressed)" },
        { name: `query.${name}.ratio`, value: a / b, unit: "x (edgeprom through Miniflare / prometheus, both gzipped)" },
        { name: `query.${name}.ratio.direct`, value: d / p, unit: "x (edgeprom direct / prometheus, both uncompressed)" },
        // timeQuery runs it runs + 1 times; the second usage read's getStats (one
        // request per shard) is no part of the query.
        ...queryCost(`query.${name}.cost`, withoutStatsRead(usageDelta(u0, u1, ["SeriesStore"]), SHARDS), opts.runs + 1),
      );
    }
    return out;
  } finally {
    await region.stop();
    await prom.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  // --runs N: more timed runs per query, for steadier medians on a busy machine.
  const ri = process.argv.indexOf("--runs");
  const runs = ri >= 0 ? Number(process.argv[ri + 1]) : quick ? 3 : 7;
  void benchQuery({ series: quick ? 1000 : 10_000, samplesPerSeries: 240, runs, log: console.log }).then((rs) => {
    printResults(rs, 60, 10);
  });
}
