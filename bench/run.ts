/**
 * `npm run bench`: every benchmark in one report, printed as a table and written to
 * bench/out/report.{md,json} with the machine and the date. `--quick` trims the
 * durations for a CI smoke run.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { benchChunkenc, type BenchResult } from "./chunkenc.js";
import { benchFederate } from "./federate.js";
import { benchPushgateway } from "./pushgateway.js";
import { benchQuery } from "./query.js";
import { benchScrape } from "./scrape.js";
import { benchRegex } from "./regex.js";
import { benchExemplars } from "./exemplars.js";
import { benchOtlp } from "./otlp.js";
import { benchRemote } from "./remote.js";
import { benchRules } from "./rules.js";
import { benchStore } from "./store.js";
import { benchTextparse } from "./textparse.js";
import { benchUi } from "./ui.js";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = values.quick!;

const suites: [string, () => Promise<BenchResult[]>][] = [
  ["chunk encoding (chunkenc)", benchChunkenc],
  ["exposition parsing (textparse)", benchTextparse],
  ["remote write decoding (remote)", benchRemote],
  ["OTLP decoding and translation (otlp)", benchOtlp],
  ["label-matcher regexes: linear-time engine vs V8 RegExp", () => benchRegex({ values: quick ? 50_000 : 200_000, log: console.log })],
  ["exemplar ring of one shard (tsdb)", () => benchExemplars({ capacity: quick ? 20_000 : 100_000, log: console.log })],
  ["durable appends into one SeriesStore (tsdb, workerd)", () => benchStore({ scrapes: quick ? 130 : 480, log: console.log })],
  ["scrape ingest CPU vs Prometheus 2.42 (same targets)", () => benchScrape({ targets: 5, seconds: quick ? 10 : 150, log: console.log })],
  [
    "PromQL latency vs Prometheus 2.42 (same data, same queries)",
    () => benchQuery({ series: quick ? 1000 : 10_000, samplesPerSeries: 240, runs: quick ? 3 : 7, log: console.log }),
  ],
  ["federation: /federate of many series vs Prometheus 2.42", () => benchFederate({ series: quick ? 10_000 : 100_000, runs: quick ? 3 : 5, log: console.log })],
  [
    "recording rules vs Prometheus 2.42 (same data, same rules)",
    () => benchRules({ series: quick ? 1000 : 10_000, rules: quick ? 200 : 1000, evaluations: quick ? 2 : 3, intervalSeconds: quick ? 15 : 30, log: console.log }),
  ],
  ["pushes vs Debian's prometheus-pushgateway (same pushes)", () => benchPushgateway({ groups: quick ? 200 : 1000, seconds: quick ? 5 : 20, clients: 4, log: console.log })],
  ["web UI: transfer size and time to first graph (chromium)", () => benchUi({ runs: quick ? 2 : 5, log: console.log })],
];

const rows: (BenchResult & { suite: string })[] = [];
const started = Date.now();
for (const [i, [name, run]] of suites.entries()) {
  console.log(`[${i + 1}/${suites.length}] ${name} ...`);
  const t0 = Date.now();
  for (const r of await run()) {
    rows.push({ suite: name, ...r });
    console.log(`  ${r.name.padEnd(44)} ${fmt(r.value).padStart(12)} ${r.unit}`);
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const date = new Date().toISOString();
const md = [
  `# edgeprom benchmarks`,
  ``,
  `${date} on ${machine}${quick ? " (quick mode)" : ""}`,
  ``,
  `| suite | figure | value | unit |`,
  `| --- | --- | ---: | --- |`,
  ...rows.map((r) => `| ${r.suite} | ${r.name} | ${fmt(r.value)} | ${r.unit} |`),
  ``,
].join("\n");
await mkdir(new URL("./out/", import.meta.url), { recursive: true });
await writeFile(new URL("./out/report.md", import.meta.url), md);
await writeFile(new URL("./out/report.json", import.meta.url), JSON.stringify({ date, machine, quick, results: rows }, null, 2));
console.log(`\nwrote bench/out/report.md and report.json in ${((Date.now() - started) / 1000).toFixed(0)}s`);

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e5) return v.toExponential(3);
  return v.toPrecision(4);
}
