import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fnv1a, labelsFromRecord, labelsKey } from "../../../src/model/labels.js";
import { STALE_NAN } from "../../../src/model/sample.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";
import { mergeSeriesStreams } from "../../../src/storage/series_merge.js";
import type { Querier } from "../../../src/storage/storage.js";
import { mergePartials, PushdownAccumulator, type PushdownPlan } from "../../../src/tsdb/pushdown.js";

/** The same storage without the pushdown capability: the engine's ordinary path. */
function plain(q: Querier): Querier {
  return { select: (m, h) => q.select(m, h), series: (m, h) => q.series(m, h), labelNames: (m, h) => q.labelNames(m, h), labelValues: (n, m, h) => q.labelValues(n, m, h) };
}

/** Series spread over `n` storages by a hash of their labels, read back the way
 * ShardedStorage reads its shards: selects merged in label order, partials merged. */
async function shardedMemory(n: number, rows: { labels: Record<string, string>; samples: [number, number][] }[]): Promise<Querier> {
  const shards = Array.from({ length: n }, () => new MemoryStorage());
  const apps = shards.map((s) => s.appender());
  for (const r of rows) {
    const ls = labelsFromRecord(r.labels);
    const app = apps[fnv1a(labelsKey(ls)) % n]!;
    for (const [t, v] of r.samples) app.append(ls, t, v);
  }
  for (const a of apps) await a.commit();
  const qs = shards.map((s) => s.querier());
  return {
    select: (m, h) => mergeSeriesStreams(qs.map((q) => q.select(m, h)[Symbol.asyncIterator]())),
    series: (m, h) => qs[0]!.series(m, h),
    labelNames: (m, h) => qs[0]!.labelNames(m, h),
    labelValues: (nm, m, h) => qs[0]!.labelValues(nm, m, h),
    selectAggregate: async (m, h, plan) => mergePartials(plan.op, await Promise.all(qs.map((q) => q.selectAggregate!(m, h, plan)))),
  };
}

async function seeded(seed: number): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  let x = seed;
  const r = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let s = 0; s < 40; s++) {
    const ls = labelsFromRecord({ __name__: s % 3 === 0 ? "other_total" : "req_total", job: `j${s % 4}`, instance: `i${s}`, le: ["0.5", "1", "+Inf"][s % 3]! });
    let v = r() * 100;
    for (let t = 0; t < 3600_000; t += 15_000) {
      if (r() < 0.05) continue;
      v = r() < 0.02 ? r() * 10 : v + r() * 50;
      app.append(ls, t + Math.floor(r() * 3000), r() < 0.01 ? STALE_NAN : r() < 0.01 ? NaN : v);
    }
  }
  await app.commit();
  return st;
}

const QUERIES = [
  "sum by (job) (rate(req_total[5m]))",
  "sum(increase(req_total[2m] offset 1m))",
  "count without (instance) (delta({__name__=~\".+_total\"}[5m]))",
  "min by (job) (req_total)",
  "max(rate(req_total[1m]))",
  "sum without (instance) (req_total offset 30s)",
  "histogram_quantile(0.9, sum by (le) (rate(req_total[5m])))",
  "topk(3, rate(req_total[5m]))",
  "avg by (job) (rate(req_total[5m]))",
  "avg without (instance) (req_total)",
  "bottomk by (job) (2, req_total)",
  "topk without (instance, le) (2, increase(req_total[2m] offset 1m))",
  "limitk by (le) (2, delta({__name__=~\".+_total\"}[5m]))",
  "topk(1 + (time() % 120 > bool 60) * 2, req_total)",
  "rate(req_total[5m])",
  "increase(req_total[2m] offset 1m)",
  "delta(other_total[5m]) > 10",
  "max_over_time(rate(req_total[1m])[30m:1m])",
  "min_over_time((increase(req_total[2m] offset 1m))[20m:45s] offset 2m)",
  "rate(req_total[5m] @ 600)",
];

describe("aggregations and range functions pushed into storage", () => {
  it("answer exactly what the engine answers from raw samples", async () => {
    const st = await seeded(7);
    const engine = new Engine();
    for (const q of QUERIES) {
      const a = await engine.rangeQuery(st.querier(), q, 0, 3600_000, 15_000);
      const b = await engine.rangeQuery(plain(st.querier()), q, 0, 3600_000, 15_000);
      expect(JSON.stringify(a.value).length, q).toBeGreaterThan(100);
      expect(a.value, q).toEqual(b.value);
      const c = await engine.instantQuery(st.querier(), q, 1800_000);
      const d = await engine.instantQuery(plain(st.querier()), q, 1800_000);
      expect(c.value, q).toEqual(d.value);
    }
  });

  it("answer what the engine answers from raw samples on random data over shards", async () => {
    // Few distinct values (ties), NaN, infinities and stale markers: the cases where a
    // selection's order could differ.
    const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(NaN, Infinity, -Infinity, STALE_NAN, 1.6e308, -1.6e308), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    const series = fc.record({
      job: fc.constantFrom("a", "b", "c"),
      samples: fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), value), { maxLength: 40 }),
    });
    const shape = fc.constantFrom(
      "topk(K, rate(m_total[2m]))",
      "bottomk by (job) (K, m_total)",
      "topk without (i) (K, delta(m_total[90s]))",
      "limitk by (job) (K, increase(m_total[3m] offset 30s))",
      "sum by (job) (rate(m_total[2m]))",
      "avg by (job) (rate(m_total[2m]))",
      "avg(m_total)",
      "max without (i) (m_total)",
      "min(delta(m_total[1m]))",
      "count by (job) (m_total offset 1m)",
      "rate(m_total[2m])",
      "increase(m_total[3m] offset 30s)",
      "delta(m_total[90s]) / K",
      "max_over_time(rate(m_total[1m])[3m:20s])",
      "min_over_time(delta(m_total[90s])[2m:K0s] offset 10s)",
      "max_over_time((increase(m_total[1m] offset 20s))[150s:30s])",
      "sum_over_time(increase(m_total[50s])[2m:K0s] offset 10s)",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(series, { minLength: 1, maxLength: 12 }), shape, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), async (list, q, k, shards) => {
        const rows = list.map((s, i) => {
          const byT = new Map<number, number>();
          for (const [t, v] of s.samples) byT.set(t * 10_000, v);
          return { labels: { __name__: "m_total", job: s.job, i: String(i) }, samples: [...byT].sort((a, b) => a[0] - b[0]) };
        });
        const pushed = await shardedMemory(shards, rows);
        const one = new MemoryStorage();
        const app = one.appender();
        for (const r of rows) for (const [t, v] of r.samples) app.append(labelsFromRecord(r.labels), t, v);
        await app.commit();
        const query = q.replace("K", String(k));
        const engine = new Engine();
        const a = await engine.rangeQuery(pushed, query, 0, 400_000, 10_000);
        const b = await engine.rangeQuery(plain(one.querier()), query, 0, 400_000, 10_000);
        expect(a.value, query).toEqual(b.value);
        const c = await engine.instantQuery(pushed, query, 200_000);
        const d = await engine.instantQuery(plain(one.querier()), query, 200_000);
        expect(c.value, query).toEqual(d.value);
      }),
      { numRuns: 300 },
    );
  });

  it("merge shards' partials into the answer of one pass over every series", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ noNaN: false }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom("count", "min", "max"), (rows, shards, op) => {
        const plan: PushdownPlan = { op: op as PushdownPlan["op"], grouping: [], without: false, fn: "", range: 300_000, start: 0, interval: 1000, n: 3, offset: 0 };
        const one = new PushdownAccumulator(plan);
        const parts = Array.from({ length: shards }, () => new PushdownAccumulator(plan));
        rows.forEach((vs, k) => {
          const ts = Float64Array.of(0, 1000, 2000);
          const v = Float64Array.from(vs);
          one.add(labelsFromRecord({ k: String(k) }), ts, v);
          parts[k % shards]!.add(labelsFromRecord({ k: String(k) }), ts, v);
        });
        const merged = mergePartials(plan.op, parts.map((p) => p.result()));
        const whole = one.result();
        expect([...merged.count]).toEqual([...whole.count]);
        expect([...merged.value]).toEqual([...whole.value]);
      }),
    );
  });
});
