/**
 * Durable appends into one SeriesStore, through the real region Worker under workerd:
 * remote-write batches shaped like one node_exporter scrape (1,000 series x 1 sample)
 * and larger ones, each acknowledged only after SQLite has it. Also bytes per sample
 * at rest as the store reports it after enough samples to seal chunks.
 * Run alone with `npx tsx bench/store.ts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../src/remote/write_request.js";
import { formatOpenMetricsFloat } from "../src/textparse/float.js";
import { isMainModule, kindFor, rng, valueGen, type BenchResult } from "./chunkenc.js";
import { ingestCost, readUsage, usageDelta } from "./cost.js";
import { startBenchRegion } from "./region.js";
import { nodeExporterWriteRequest } from "./remote.js";
import { printResults } from "./print_results.js";

export interface StoreBenchOptions {
  /** Scrape-shaped batches to append (each 1,000 series x 1 sample). */
  scrapes: number;
  log?: (s: string) => void;
}

export async function benchStore(opts: StoreBenchOptions = { scrapes: 240 }): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-store-"));
  const region = await startBenchRegion(dir, 1);
  try {
    const url = region.url;
    const post = async (body: Uint8Array) => {
      const res = await fetch(`${url}/api/v1/write`, { method: "POST", body });
      if (res.status !== 204) throw new Error(`remote write: ${res.status} ${await res.text()}`);
    };
    const template = nodeExporterWriteRequest(1000, 1);
    const r = rng(11);
    const gens = template.timeseries.map((_, i) => valueGen(kindFor(i, 1000), r));
    const t0 = Date.now() - opts.scrapes * 15_000;
    // Every sample is also kept for Prometheus' side of the bytes-at-rest comparison.
    const times: number[] = [];
    const values = template.timeseries.map(() => [] as number[]);
    const scrape = (k: number): Uint8Array => {
      const t = t0 + k * 15_000 + Math.floor(r() * 5);
      times.push(t);
      const req: WriteRequestInput = {
        timeseries: template.timeseries.map((ts, i) => {
          const v = gens[i]!();
          values[i]!.push(v);
          return { labels: ts.labels, samples: [{ t, v }] };
        }),
      };
      return encodeRemoteWriteBody(req);
    };
    // Bodies are built first so that only the Worker's work is timed.
    const bodies = Array.from({ length: opts.scrapes }, (_, k) => scrape(k));
    await post(bodies[0]!);
    // The first batch created the series; the rest is steady state.
    const u0 = await readUsage(url);
    const start = performance.now();
    for (let k = 1; k < bodies.length; k++) {
      await post(bodies[k]!);
      if (k % 60 === 0) log(`  store: ${k}/${bodies.length} scrape batches appended`);
    }
    const secs = (performance.now() - start) / 1000;
    const batches = bodies.length - 1;
    const u1 = await readUsage(url);

    const figures = async () => {
      const stats = await (await fetch(`${url}/metrics`)).text();
      const gauge = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(stats)?.[1] ?? NaN);
      return {
        chunkBytes: gauge("edgeprom_tsdb_chunk_bytes"),
        chunkSamples: gauge("edgeprom_tsdb_chunk_samples"),
        dbBytes: gauge("edgeprom_tsdb_storage_bytes"),
        allSamples: gauge("edgeprom_tsdb_chunk_samples") + gauge("edgeprom_tsdb_head_samples"),
      };
    };
    const live = await figures();
    // At rest: what a quiet shard holds after its alarm's checkpoint (sealed chunks in
    // block rows, heads in the snapshot, an empty WAL), taken here without the wait.
    const [shard] = await region.shards();
    const layoutLive = await shard!.storageLayout();
    await shard!.checkpoint();
    const rest = await figures();
    const layout = await shard!.storageLayout();
    log(`  store: rows: ${JSON.stringify(layout)}`);
    log("  store: the same samples into a Prometheus 2.42 block (promtool tsdb create-blocks-from openmetrics)");
    const prom = await prometheusBlockBytes(dir, template, times, values);
    const promPerSample = prom.total / prom.samples;
    return [
      { name: "store.durable_append_batches", value: batches / secs, unit: "batches/s (1000 series each)" },
      { name: "store.durable_append_samples", value: (batches * 1000) / secs, unit: "samples/s" },
      { name: "store.chunk_bytes_per_sample", value: rest.chunkBytes / rest.chunkSamples, unit: "B/sample" },
      { name: "store.sqlite_bytes_per_sample_live", value: live.dbBytes / live.allSamples, unit: "B/sample (whole database right after the appends, WAL included)" },
      { name: "store.sqlite_bytes_per_sample", value: rest.dbBytes / rest.allSamples, unit: "B/sample (whole database at rest, after a checkpoint)" },
      { name: "store.prometheus_chunk_bytes_per_sample", value: prom.chunks / prom.samples, unit: "B/sample (Prometheus 2.42 block chunks, same samples)" },
      { name: "store.prometheus_block_bytes_per_sample", value: promPerSample, unit: "B/sample (Prometheus 2.42 whole block: chunks, index, meta)" },
      { name: "store.live_ratio", value: live.dbBytes / live.allSamples / promPerSample, unit: "x (edgeprom database right after the appends / Prometheus block, per sample)" },
      { name: "store.at_rest_ratio", value: rest.dbBytes / rest.allSamples / promPerSample, unit: "x (edgeprom database at rest / Prometheus block, per sample)" },
      { name: "store.rows_written_per_sealed_chunk", value: layoutLive.rowsWritten / Math.max(1, layoutLive.sealedChunks), unit: "rows (every row the appends wrote, WAL included, per sealed chunk)" },
      { name: "store.sealed_chunks_per_block_row", value: layout.sealedChunks / Math.max(1, layout.blockRows), unit: `chunks (${layout.blockRows} block rows, ${layout.seriesSegmentRows} series rows, ${layout.headSnapshotRows} head rows)` },
      ...ingestCost("store.remote_write_cost", usageDelta(u0, u1, ["SeriesStore"]), batches * 1000),
    ];
  } finally {
    await region.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes the samples as OpenMetrics, has promtool build TSDB blocks from them, and
 * measures the blocks on disk. */
async function prometheusBlockBytes(dir: string, template: WriteRequestInput, times: number[], values: number[][]): Promise<{ chunks: number; total: number; samples: number }> {
  const byFamily = new Map<string, number[]>();
  template.timeseries.forEach((ts, i) => {
    const name = ts.labels.find((l) => l.name === "__name__")!.value;
    byFamily.set(name, [...(byFamily.get(name) ?? []), i]);
  });
  const lines: string[] = [];
  for (const [name, idx] of byFamily) {
    lines.push(`# TYPE ${name} unknown`);
    for (const i of idx) {
      const ls = template.timeseries[i]!.labels.filter((l) => l.name !== "__name__").map((l) => `${l.name}="${l.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",");
      const series = ls === "" ? name : `${name}{${ls}}`;
      values[i]!.forEach((v, k) => lines.push(`${series} ${formatOpenMetricsFloat(v)} ${(times[k]! / 1000).toFixed(3)}`));
    }
  }
  lines.push("# EOF");
  const input = join(dir, "samples.om");
  await writeFile(input, lines.join("\n") + "\n");
  const out = join(dir, "prom-blocks");
  execFileSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", "--quiet", input, out], { stdio: "ignore" });
  let chunks = 0;
  let total = 0;
  for (const block of await readdir(out)) {
    const walk = async (p: string, inChunks: boolean): Promise<void> => {
      for (const e of await readdir(p, { withFileTypes: true })) {
        const f = join(p, e.name);
        if (e.isDirectory()) await walk(f, inChunks || e.name === "chunks");
        else {
          const size = (await stat(f)).size;
          total += size;
          if (inChunks) chunks += size;
        }
      }
    };
    await walk(join(out, block), false);
  }
  return { chunks, total, samples: times.length * values.length };
}

if (isMainModule(import.meta.url)) {
  void benchStore({ scrapes: 240, log: console.log }).then((rs) => {
    printResults(rs, 40, 12);
  });
}
