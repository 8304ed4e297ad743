/**
 * Where a bench query's time goes inside workerd: loads the query bench's data into a
 * region, runs one of its queries (or all) many times under V8's sampling profiler
 * (workerd's inspector) and prints the functions with the most self time. Writes the
 * profile to bench/out/<name>.cpuprofile for Chrome's DevTools.
 * Run with `npx tsx --experimental-websocket bench/query_profile.ts [--quick] [--runs N]
 * [name substring | --expr EXPR ...]` (the flag is for Node 20; Node 22 has WebSocket).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/e2e/support/processes.js";
import { encodeRemoteWriteBody } from "../src/remote/write_request.js";
import { postRemoteWrite } from "./process_stats.js";
import { batches, benchQueries, STEP } from "./query.js";
import { Inspector, selfTimes, type Profile } from "./cpu_profile.js";
import { startBenchRegion } from "./region.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const ri = args.indexOf("--runs");
  const runs = ri >= 0 ? Number(args[ri + 1]) : 50;
  const filter = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs" && args[i - 1] !== "--expr") ?? "";
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-qprof-"));
  const port = await freePort();
  const region = await startBenchRegion(dir, 2, undefined, {}, port);
  try {
    const end = Math.floor(Date.now() / STEP) * STEP - STEP;
    const samplesPerSeries = 240;
    for (const b of batches({ series: quick ? 1000 : 10_000, samplesPerSeries }, end - (samplesPerSeries - 1) * STEP)) {
      await postRemoteWrite(`${region.url}/api/v1/write`, encodeRemoteWriteBody(b));
    }
    const insp = await Inspector.open(port);
    await insp.send("Profiler.enable");
    await insp.send("Profiler.setSamplingInterval", { interval: 100 });
    await mkdir(join(import.meta.dirname, "out"), { recursive: true });
    // --expr EXPR (repeatable) profiles instant queries of one's own instead.
    const exprs = args.flatMap((a, i) => (args[i - 1] === "--expr" ? [a] : []));
    const list: [string, string][] = exprs.length > 0 ? exprs.map((x) => [x, `query?query=${encodeURIComponent(x)}&time=${end / 1000}`]) : benchQueries(end);
    for (const [name, path] of list) {
      if (!name.includes(filter)) continue;
      const url = `${region.url}/api/v1/${path}`;
      for (let i = 0; i < 3; i++) await (await fetch(url)).arrayBuffer();
      await insp.send("Profiler.start");
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await (await fetch(url)).arrayBuffer();
      const ms = (performance.now() - t0) / runs;
      const { profile } = await insp.send<{ profile: Profile }>("Profiler.stop");
      const file = join(import.meta.dirname, "out", `${name.replace(/[^a-z0-9]+/gi, "_")}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      const top = selfTimes(profile);
      const total = top.reduce((a, [, t]) => a + t, 0);
      console.log(`\n== ${name}: ${ms.toFixed(2)} ms per query (wall, ${runs} runs); profiled ${(total / runs).toFixed(2)} ms per query; ${file}`);
      for (const [k, t] of top.slice(0, 25)) console.log(`${(t / runs).toFixed(3).padStart(8)} ms  ${k}`);
    }
    insp.close();
  } finally {
    await region.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
