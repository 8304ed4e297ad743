// The in-memory exemplar ring of a shard: adds per second once full (every add evicts
// the store's oldest exemplar), the heap it holds, and how long query_exemplars' select
// over it takes for one series and for all of them.
import { labelsFromRecord, labelsKey } from "../src/model/labels.js";
import { newMatcher } from "../src/model/matchers.js";
import { ExemplarStorage } from "../src/tsdb/exemplar_storage.js";
import type { BenchResult } from "./chunkenc.js";

export async function benchExemplars(opts: { capacity?: number; series?: number; log?: (s: string) => void } = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const capacity = opts.capacity ?? 100_000;
  const nSeries = opts.series ?? 2_000;
  const keys: string[] = [];
  for (let i = 0; i < nSeries; i++) keys.push(labelsKey(labelsFromRecord({ __name__: "http_request_duration_seconds_bucket", le: String(i % 10), pod: `api-${Math.floor(i / 10)}` })));
  const traces: string[] = [];
  for (let i = 0; i < 4096; i++) traces.push((i * 2654435761).toString(16).padStart(32, "0"));
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const store = new ExemplarStorage(capacity);
  let t = 1_700_000_000_000;
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      const k = i % nSeries;
      if (k === 0) t += 1000;
      store.add(keys[k]!, { labels: [{ name: "trace_id", value: traces[i % traces.length]! }], v: 0.05, t: t + k });
    }
  };
  add(capacity);
  (globalThis as { gc?: () => void }).gc?.();
  const bytes = (process.memoryUsage().heapUsed - heap0) / capacity;
  const n = capacity * 3;
  const t0 = performance.now();
  add(n);
  const addRate = n / ((performance.now() - t0) / 1000);
  const one = [[newMatcher("=", "pod", "api-7"), newMatcher("=", "le", "3")]];
  const all = [[newMatcher("=", "__name__", "http_request_duration_seconds_bucket")]];
  const time = (sets: typeof one) => {
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      store.select(-Infinity, Infinity, sets);
      best = Math.min(best, performance.now() - s);
    }
    return best;
  };
  const oneMs = time(one);
  const allMs = time(all);
  log(`  ${capacity} exemplars over ${nSeries} series: ${(addRate / 1e6).toFixed(2)} M adds/s when full, ~${bytes.toFixed(0)} B each (heap), select one series ${oneMs.toFixed(2)} ms, all ${allMs.toFixed(1)} ms`);
  return [
    { name: "exemplar ring: adds per second when full", value: addRate, unit: "adds/s" },
    { name: "exemplar ring: heap per exemplar", value: bytes, unit: "B" },
    { name: "exemplar ring: select one series of many", value: oneMs, unit: "ms" },
    { name: "exemplar ring: select every series", value: allMs, unit: "ms" },
  ];
}
