/**
 * Pushes side by side: edgeprom's Pushgateway (a region under workerd) and Debian's
 * prometheus-pushgateway on the same machine take the same text pushes. First every
 * group is created (`groups` groups of SERIES series), then clients re-push random
 * groups (PUT, whole group) for `seconds`: pushes per second sustained, the latency
 * of a single push, and the CPU each server spent per push.
 * Run alone with `npx tsx bench/pushgateway.ts [--quick]`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPushgateway } from "../test/e2e/support/peers.js";
import { isMainModule, rng, type BenchResult } from "./chunkenc.js";
import { cpuSeconds, median, workerdPids } from "./process_stats.js";
import { startBenchRegion } from "./region.js";
import { printResults } from "./print_results.js";

export interface PushBenchOptions {
  groups: number;
  seconds: number;
  /** Concurrent pushing clients. */
  clients: number;
  log?: (s: string) => void;
}

/** Series per group: 10 families of 5 series, like a batch job's report. */
const SERIES = 50;

function groupBody(g: number, round: number): string {
  let s = "";
  for (let f = 0; f < 10; f++) {
    s += `# HELP batch_metric_${f} Figure ${f} of a batch run.\n# TYPE batch_metric_${f} gauge\n`;
    for (let i = 0; i < SERIES / 10; i++) s += `batch_metric_${f}{stage="s${i}"} ${g * 1000 + f * 10 + i + round}\n`;
  }
  return s;
}

interface SideResult {
  fillPerSecond: number;
  pushesPerSecond: number;
  p50: number;
  p99: number;
  cpuPerPush: number;
}

async function run(base: string, pids: number[], opts: PushBenchOptions): Promise<SideResult> {
  const put = async (g: number, round: number) => {
    const r = await fetch(`${base}/metrics/job/bench/instance/host-${g}`, { method: "PUT", body: groupBody(g, round) });
    if (r.status !== 200) throw new Error(`${base}: push answered ${r.status} ${await r.text()}`);
  };
  const parallel = async (n: number, f: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: opts.clients }, async () => {
      while (next < n) await f(next++);
    }));
  };
  let t0 = performance.now();
  await parallel(opts.groups, (g) => put(g, 0));
  const fillPerSecond = opts.groups / ((performance.now() - t0) / 1000);

  const r = rng(11);
  const cpu0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const latencies: number[] = [];
  t0 = performance.now();
  const until = t0 + opts.seconds * 1000;
  let round = 1;
  await Promise.all(Array.from({ length: opts.clients }, async () => {
    while (performance.now() < until) {
      const s = performance.now();
      await put(Math.floor(r() * opts.groups), round++);
      latencies.push(performance.now() - s);
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = pids.reduce((s, p) => s + cpuSeconds(p), 0) - cpu0;
  // Single-client latency, so queueing behind other clients does not count.
  const single: number[] = [];
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    await put(Math.floor(r() * opts.groups), round++);
    single.push(performance.now() - s);
  }
  single.sort((a, b) => a - b);
  return {
    fillPerSecond,
    pushesPerSecond: latencies.length / elapsed,
    p50: median(single),
    p99: single[Math.floor(single.length * 0.99)]!,
    cpuPerPush: cpu / latencies.length,
  };
}

export async function benchPushgateway(opts: PushBenchOptions): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-push-"));
  const before = new Set(workerdPids());
  const region = await startBenchRegion(dir, 1);
  const ours = workerdPids().filter((p) => !before.has(p));
  const real = await startPushgateway();
  try {
    opts.log?.(`  pushing ${opts.groups} groups of ${SERIES} series with ${opts.clients} clients for ${opts.seconds}s, to edgeprom then to the real pushgateway`);
    const a = await run(`${region.url}/pushgateway`, ours, opts);
    const b = await run(real.url, [real.proc.pid!], opts);
    const unit = `${opts.groups} groups x ${SERIES} series, ${opts.clients} clients`;
    return [
      { name: "push.sustained.edgeprom", value: a.pushesPerSecond, unit: `pushes/s (${unit})` },
      { name: "push.sustained.pushgateway", value: b.pushesPerSecond, unit: `pushes/s (${unit})` },
      { name: "push.sustained.ratio", value: a.pushesPerSecond / b.pushesPerSecond, unit: "x (edgeprom / pushgateway, higher is better)" },
      { name: "push.fill.edgeprom", value: a.fillPerSecond, unit: "new groups/s" },
      { name: "push.fill.pushgateway", value: b.fillPerSecond, unit: "new groups/s" },
      { name: "push.latency_p50.edgeprom", value: a.p50, unit: "ms per push (one client)" },
      { name: "push.latency_p50.pushgateway", value: b.p50, unit: "ms per push (one client)" },
      { name: "push.latency_p99.edgeprom", value: a.p99, unit: "ms per push (one client)" },
      { name: "push.latency_p99.pushgateway", value: b.p99, unit: "ms per push (one client)" },
      { name: "push.cpu.edgeprom", value: a.cpuPerPush * 1000, unit: "CPU ms per push (workerd)" },
      { name: "push.cpu.pushgateway", value: b.cpuPerPush * 1000, unit: "CPU ms per push" },
    ];
  } finally {
    await region.stop();
    await real.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  void benchPushgateway({ groups: quick ? 200 : 1000, seconds: quick ? 5 : 20, clients: 4, log: console.log }).then((rs) => {
    printResults(rs, 40, 12);
  });
}
