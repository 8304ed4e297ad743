// Label-matcher regexes: edgeprom's linear-time matcher (model/regex on re2js with
// fast paths) against V8's backtracking RegExp, which matched user regexes before
// issue 13. Ordinary patterns show what linear time costs; hostile ones what it saves.
import { pathToFileURL } from "node:url";
import { Regex } from "../src/model/regex.js";
import type { BenchResult } from "./chunkenc.js";

/** Patterns as dashboards and relabel rules write them, with the values they meet. */
const ORDINARY: [string, string][] = [
  ["set", "api|web|db|cache|queue"],
  ["prefix", "prod-.*"],
  ["suffix", ".*-canary"],
  ["contains", ".*error.*"],
  ["address", "10\\.0\\.[0-9]+\\.[0-9]+:9100"],
  ["case-insensitive set", "(?i)get|post|put"],
  ["name family", "node_(cpu|memory|disk)_.*_total"],
  ["alternation of prefixes", "(kube|etcd|coredns)-[a-z0-9]+-[a-z0-9]{5}"],
];

function values(n: number): string[] {
  const out: string[] = [];
  const words = ["api", "web", "db", "prod-eu-1", "staging-canary", "GET", "post", "node_cpu_seconds_total", "kube-proxy-7f9c4-x2k8d", "an error occurred"];
  for (let i = 0; i < n; i++) out.push(i % 3 === 0 ? `10.0.${i % 256}.${(i * 7) % 256}:9100` : `${words[i % words.length]}${i % 5 === 0 ? "" : `-${i}`}`);
  return out;
}

/** Matches per second of `test` over the values, best of three rounds. */
function rate(test: (v: string) => boolean, vs: string[], rounds = 3): number {
  let best = Infinity;
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const v of vs) if (test(v)) hits++;
    best = Math.min(best, performance.now() - t0);
  }
  if (hits < 0) throw new Error("unreachable: keeps the loop alive");
  return vs.length / (best / 1000);
}

function v8(src: string): RegExp {
  const flags = src.startsWith("(?i)") ? "is" : "s";
  return new RegExp(`^(?:${src.replace(/^\(\?i\)/, "")})$`, flags);
}

export async function benchRegex(opts: { values?: number; log?: (s: string) => void } = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const vs = values(opts.values ?? 200_000);
  const out: BenchResult[] = [];
  let ratioProduct = 1;
  for (const [name, src] of ORDINARY) {
    const ours = Regex.anchored(src);
    const theirs = v8(src);
    const a = rate((v) => ours.test(v), vs);
    const b = rate((v) => theirs.test(v), vs);
    ratioProduct *= b / a;
    log(`  ${name.padEnd(26)} ${src.padEnd(44)} ours ${(a / 1e6).toFixed(2)} M/s, V8 ${(b / 1e6).toFixed(2)} M/s (${(b / a).toFixed(2)}x V8's time)`);
    out.push({ name: `regex ${name}: matches/s (V8 RegExp ${(b / 1e6).toFixed(2)} M/s)`, value: a, unit: "matches/s" });
  }
  const geo = Math.pow(ratioProduct, 1 / ORDINARY.length);
  out.push({ name: "regex ordinary patterns: time vs V8 RegExp (geometric mean)", value: geo, unit: "x" });

  // (a+)+b against a run of a's and one c: V8 doubles its work with every a.
  const hostile = "(a+)+b";
  const v8Hostile = v8(hostile);
  const v8Ms: number[] = [];
  for (const n of [18, 20, 22, 24]) {
    const t0 = performance.now();
    v8Hostile.test("a".repeat(n) + "c");
    v8Ms.push(performance.now() - t0);
  }
  const oursHostile = Regex.anchored(hostile);
  const long = "a".repeat(100_000) + "c";
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) oursHostile.test(long);
  const oursMs = (performance.now() - t0) / 10;
  const t1 = performance.now();
  oursHostile.test("a".repeat(32) + "c");
  const ours32 = performance.now() - t1;
  log(`  (a+)+b: V8 ${v8Ms.map((m) => m.toFixed(1)).join(" / ")} ms at 18/20/22/24 a's (x4 per 2 more); ours ${ours32.toFixed(3)} ms at 32, ${oursMs.toFixed(1)} ms at 100,000`);
  out.push({ name: "regex (a+)+b, 24 a's + c: V8 RegExp", value: v8Ms[3]!, unit: "ms" });
  out.push({ name: "regex (a+)+b, 32 a's + c: edgeprom", value: ours32, unit: "ms" });
  out.push({ name: "regex (a+)+b, 100,000 a's + c: edgeprom", value: oursMs, unit: "ms" });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const r of await benchRegex({ log: console.log })) console.log(`${r.name}: ${r.value.toPrecision(4)} ${r.unit}`);
}
