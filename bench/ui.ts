/**
 * The web UI: bytes a browser transfers (gzip) to show the query page and the targets
 * page from a cold cache, and the time from navigation to the first drawn graph of a
 * link to a graph (Debian's chromium, cold cache each run) for 10 and 1,000 series of
 * an hour at 15 s. Run alone with `npx tsx bench/ui.ts [--quick]`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { buildUi, pageTransferBytes } from "../scripts/build_ui.js";
import { requireBinary } from "../test/e2e/support/processes.js";
import { isMainModule, type BenchResult } from "./chunkenc.js";
import { median, postRemoteWrite } from "./process_stats.js";
import { startBenchRegion } from "./region.js";
import { printResults } from "./print_results.js";

export interface UiBenchOptions {
  runs: number;
  log?: (s: string) => void;
}

const STEP = 15_000;
const POINTS = 240;

/** `series` gauges named ui_bench_<n> (n = series count), one hour at 15 s. */
function writeRequest(series: number): WriteRequestInput {
  const end = Date.now();
  return {
    timeseries: Array.from({ length: series }, (_, s) => ({
      labels: [
        { name: "__name__", value: `ui_bench_${series}` },
        { name: "instance", value: `host-${s}:9100` },
        { name: "job", value: "ui-bench" },
      ],
      samples: Array.from({ length: POINTS }, (_, i) => ({ t: end - (POINTS - 1 - i) * STEP, v: Math.sin(i / 20 + s) * 100 + s })),
    })),
  };
}

export async function benchUi(opts: UiBenchOptions): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const build = await buildUi();
  const results: BenchResult[] = [
    { name: "UI transfer, query page (gzip)", value: pageTransferBytes(build, "query").gzip / 1024, unit: "KiB" },
    { name: "UI transfer, targets page (gzip)", value: pageTransferBytes(build, "targets").gzip / 1024, unit: "KiB" },
  ];
  const chrome = requireBinary("/usr/bin/chromium", "chromium");
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-ui-"));
  const region = await startBenchRegion(dir, 1);
  const browser = await chromium.launch({ executablePath: chrome, args: ["--no-sandbox", "--headless=new"] });
  try {
    for (const series of [10, 1000]) {
      for (let i = 0; i < series; i += 200) {
        const req = writeRequest(series);
        req.timeseries = req.timeseries.slice(i, i + 200);
        await postRemoteWrite(`${region.url}/api/v1/write`, encodeRemoteWriteBody(req));
      }
      const times: number[] = [];
      for (let r = 0; r < opts.runs; r++) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await ctx.newPage();
        await page.goto(`${region.url}/query?g0.expr=ui_bench_${series}&g0.tab=graph&g0.range_input=1h`);
        // Runs in the page (DOM types are not part of this project).
        const drawn = `document.querySelectorAll(".legend-item").length === ${series} && document.querySelector(".chart canvas") !== null ? performance.now() : null`;
        // Polled through page.evaluate (DevTools evaluation): the UI's CSP forbids the
        // eval behind waitForFunction. Checks 20 ms apart bound the error.
        const deadline = Date.now() + 60_000;
        let at: number | null = null;
        while (at === null) {
          if (Date.now() > deadline) throw new Error(`no graph of ${series} series within 60 s`);
          at = (await page.evaluate(drawn)) as number | null;
          if (at === null) await new Promise((r) => setTimeout(r, 20));
        }
        times.push(at);
        await ctx.close();
      }
      log(`  first graph of ${series} series: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
      results.push({ name: `UI time to first graph, ${series} series x 240 points`, value: median(times), unit: "ms" });
    }
  } finally {
    await browser.close();
    await region.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

if (isMainModule(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  void benchUi({ runs: quick ? 2 : 5, log: console.log }).then((rs) => {
    printResults(rs, 48, 10);
  });
}
