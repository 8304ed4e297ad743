/**
 * Federation side by side: the same series remote-written into a region (under
 * workerd) and into Prometheus 2.42 (Debian's package, --web.enable-remote-write-receiver),
 * then GET /federate?match[]={__name__=~"fed_bench.*"} against both: median wall time to
 * read the whole body, its size, the series it holds (both must equal `series`), and the
 * CPU time each server process spent serving the timed requests (from /proc).
 * Run alone with `npx tsx bench/federate.ts [--quick]`.
 */
import { cpuSeconds, workerdPids, postRemoteWrite, median } from "./process_stats.js";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { isMainModule, rng, type BenchResult } from "./chunkenc.js";
import { startBenchRegion } from "./region.js";
import { startPrometheus } from "../test/e2e/support/peers.js";
import { printResults } from "./print_results.js";

export interface FederateBenchOptions {
  series: number;
  runs: number;
  log?: (s: string) => void;
}

const STEP = 15_000;
const SAMPLES_PER_SERIES = 3;
const SAMPLES_PER_BATCH = 20_000;
/** Series are spread over this many metric names (families) fed_bench_0 .. fed_bench_9. */
const FAMILIES = 10;
const MATCH = '{__name__=~"fed_bench.*"}';

/** `series` gauges, SAMPLES_PER_SERIES samples each ending at the moment the batch is
 * built (so every series' newest sample is inside the 5m lookback when queried). */
function* batches(series: number): Generator<WriteRequestInput> {
  const r = rng(7);
  const perBatch = Math.max(1, Math.floor(SAMPLES_PER_BATCH / SAMPLES_PER_SERIES));
  for (let s0 = 0; s0 < series; s0 += perBatch) {
    const end = Date.now();
    const timeseries: WriteRequestInput["timeseries"][number][] = [];
    for (let s = s0; s < Math.min(series, s0 + perBatch); s++) {
      let v = Math.floor(r() * 1e6);
      const samples = [];
      for (let i = SAMPLES_PER_SERIES - 1; i >= 0; i--) {
        v += Math.floor(r() * 1000);
        samples.push({ t: end - i * STEP, v });
      }
      timeseries.push({
        labels: [
          { name: "__name__", value: `fed_bench_${s % FAMILIES}` },
          { name: "instance", value: `host-${Math.floor(s / 100)}:9100` },
          { name: "job", value: `job-${s % 7}` },
          { name: "series", value: String(s) },
        ],
        samples,
      });
    }
    yield { timeseries };
  }
}




/** Peak resident set (VmHWM) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}


interface Fetched {
  body: Uint8Array;
  ms: number;
  bytes: number;
  series: number;
}

/** One GET, the whole body read; series are the non-empty lines not starting with '#'. */
async function federateOnce(url: string): Promise<Fetched> {
  const t0 = performance.now();
  const res = await fetch(url);
  const buf = new Uint8Array(await res.arrayBuffer());
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}: ${new TextDecoder().decode(buf.subarray(0, 500))}`);
  let series = 0;
  let lineStart = true;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (lineStart && c !== 0x23 /* # */ && c !== 0x0a) series++;
    lineStart = c === 0x0a;
  }
  return { body: buf, ms, bytes: buf.length, series };
}

/** runs + 1 requests (the first a warm-up, untimed); CPU measured over the timed ones. */
async function measure(url: string, runs: number, cpu: () => number): Promise<{ body: Uint8Array; ms: number; bytes: number; series: number; cpuPerRequest: number }> {
  const first = await federateOnce(url);
  const times: number[] = [];
  let last = first;
  const c0 = cpu();
  for (let i = 0; i < runs; i++) {
    last = await federateOnce(url);
    times.push(last.ms);
    if (last.series !== first.series || last.bytes !== first.bytes) {
      throw new Error(`${url}: responses differ between runs (${first.series} series / ${first.bytes} B, then ${last.series} / ${last.bytes})`);
    }
  }
  const c1 = cpu();
  return { body: last.body, ms: median(times), bytes: last.bytes, series: last.series, cpuPerRequest: (c1 - c0) / runs };
}

export async function benchFederate(opts: FederateBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-federate-"));
  const prom = await startPrometheus("global: {}\n", ["--web.enable-remote-write-receiver"], join(dir, "prom"));
  const before = new Set(workerdPids());
  const region = await startBenchRegion(dir, 2);
  const ourPids = workerdPids().filter((p) => !before.has(p));
  try {
    if (ourPids.length === 0) throw new Error("no new `workerd serve` process found for the region");
    const ours = region.url;
    const theirs = prom.url;
    const loadStart = Date.now();
    let sent = 0;
    for (const b of batches(opts.series)) {
      const body = encodeRemoteWriteBody(b);
      await Promise.all([postRemoteWrite(`${ours}/api/v1/write`, body), postRemoteWrite(`${theirs}/api/v1/write`, body)]);
      sent += b.timeseries.length;
      log(`  federate: loaded ${sent} series into both (${((Date.now() - loadStart) / 1000).toFixed(1)}s)`);
    }
    const loadSeconds = (Date.now() - loadStart) / 1000;
    if (loadSeconds > 240) log(`  federate: WARNING load took ${loadSeconds.toFixed(0)}s; the first series may fall out of the 5m lookback`);

    const path = `/federate?match[]=${encodeURIComponent(MATCH)}`;
    const pid = prom.proc.pid!;
    const a = await measure(`${ours}${path}`, opts.runs, () => ourPids.reduce((s, p) => s + cpuSeconds(p), 0));
    log(`  federate: edgeprom ${a.ms.toFixed(1)} ms, ${a.bytes} B, ${a.series} series, ${a.cpuPerRequest.toFixed(3)} CPU s/request`);
    const b = await measure(`${theirs}${path}`, opts.runs, () => cpuSeconds(pid));
    log(`  federate: prometheus ${b.ms.toFixed(1)} ms, ${b.bytes} B, ${b.series} series, ${b.cpuPerRequest.toFixed(3)} CPU s/request`);
    const rss = { ours: ourPids.reduce((s, p) => s + peakRssMiB(p), 0), prom: peakRssMiB(pid) };
    log(`  federate: peak RSS (load + queries) edgeprom workerd ${rss.ours.toFixed(0)} MiB, prometheus ${rss.prom.toFixed(0)} MiB`);
    const identical = a.body.length === b.body.length && a.body.every((x, i) => x === b.body[i]);
    log(`  federate: response bodies ${identical ? "byte-identical" : "differ"}`);
    if (a.series !== opts.series || b.series !== opts.series) {
      throw new Error(`federate: expected ${opts.series} series from both, got edgeprom ${a.series}, prometheus ${b.series}`);
    }
    return [
      { name: "federate.wall.edgeprom", value: a.ms, unit: `ms (median, whole body, ${opts.series} series)` },
      { name: "federate.wall.prometheus", value: b.ms, unit: `ms (median, whole body, ${opts.series} series)` },
      { name: "federate.wall.ratio", value: a.ms / b.ms, unit: "x (edgeprom / prometheus)" },
      { name: "federate.cpu.edgeprom", value: a.cpuPerRequest, unit: "CPU s per request (workerd)" },
      { name: "federate.cpu.prometheus", value: b.cpuPerRequest, unit: "CPU s per request" },
      { name: "federate.cpu.ratio", value: a.cpuPerRequest / b.cpuPerRequest, unit: "x (edgeprom / prometheus)" },
      { name: "federate.bytes.edgeprom", value: a.bytes, unit: "bytes per response" },
      { name: "federate.bytes.prometheus", value: b.bytes, unit: "bytes per response" },
      { name: "federate.bytes.ratio", value: a.bytes / b.bytes, unit: "x (edgeprom / prometheus)" },
      { name: "federate.series.edgeprom", value: a.series, unit: "series in response" },
      { name: "federate.series.prometheus", value: b.series, unit: "series in response" },
      { name: "federate.peak_rss.edgeprom", value: rss.ours, unit: "MiB (workerd VmHWM, whole process, load + queries)" },
      { name: "federate.peak_rss.prometheus", value: rss.prom, unit: "MiB (VmHWM, load + queries)" },
      { name: "federate.bodies_identical", value: identical ? 1 : 0, unit: "1 if both responses are byte-identical" },
      { name: "federate.load_seconds", value: loadSeconds, unit: `s to remote-write ${opts.series} series into both` },
    ];
  } finally {
    await region.stop();
    await prom.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  void benchFederate({ series: quick ? 10_000 : 100_000, runs: quick ? 3 : 5, log: console.log }).then((rs) => {
    printResults(rs, 40, 12);
  });
}
