import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import type { PartialAggregate, PushdownPlan } from "../../src/tsdb/pushdown.js";
import type { MatcherSpec } from "../../src/tsdb/rpc.js";
import { freshStore, series } from "./store_helpers.js";

const STEP = 15_000;
const T0 = Math.floor((Date.now() - 3 * 3600_000) / 7_200_000) * 7_200_000;

/** What a shard's answer says, NaN payloads and all, without object identity. */
function comparable(p: PartialAggregate): unknown {
  const len = p.groups.length * p.n;
  return {
    declined: p.declined ?? false,
    groups: p.groups,
    firsts: p.firsts,
    value: [...p.value.subarray(0, len)].map(String),
    count: [...p.count.subarray(0, len)],
    samples: p.samples,
    candidates: p.candidates === undefined ? undefined : { keys: p.candidates.keys, vs: [...p.candidates.vs].map(String), has: [...p.candidates.has] },
  };
}

describe("pushed-down aggregations over SeriesStore, evaluated again and again", () => {
  it("answer what the in-memory storage answers as samples, series and groups arrive", { timeout: 120_000 }, async () => {
    const stub = freshStore();
    const mem = new MemoryStorage();
    const specs: MatcherSpec[] = [
      { type: "=", name: "__name__", value: "req_total" },
      { type: "=~", name: "path", value: "/a|/b" },
    ];
    const matchers = specs.map((m) => newMatcher(m.type, m.name, m.value));
    const plans = (t: number): PushdownPlan[] => [
      { op: "sum", grouping: ["job"], without: false, fn: "rate", range: 300_000, start: t, interval: 0, n: 1, offset: 0 },
      { op: "count", grouping: ["instance"], without: true, fn: "increase", range: 120_000, start: t - 600_000, interval: 60_000, n: 11, offset: 30_000 },
      { op: "max", grouping: ["job", "path"], without: false, fn: "", range: 300_000, start: t - 300_000, interval: STEP, n: 21, offset: 0 },
      { op: "topk", grouping: ["job"], without: false, fn: "delta", range: 300_000, start: t, interval: 0, n: 1, offset: 0, k: 2 },
    ];
    let t = T0;
    // 200 rounds of 15 s: windows in the head, across a sealed chunk and the head, and
    // over a 2h boundary; series (and groups) appear late, go stale and come back.
    let pending = new Map<string, { labels: Record<string, string>; samples: [number, number][] }>();
    for (let round = 0; round < 200; round++) {
      const app = mem.appender();
      for (let s = 0; s < 12; s++) {
        if (s >= 8 && round < 60) continue;
        const labels = { __name__: "req_total", instance: `i${s}`, job: `j${s % (round < 100 ? 3 : 4)}`, path: s % 3 === 2 ? "/c" : s % 2 === 0 ? "/a" : "/b" };
        const v = s === 5 && round % 50 >= 40 ? STALE_NAN : round * (s + 1) + (round % 37 === s ? -5 * round : 0);
        const key = JSON.stringify(labels);
        if (!pending.has(key)) pending.set(key, { labels, samples: [] });
        pending.get(key)!.samples.push([t, v]);
        app.append(labelsFromRecord(labels), t, v);
      }
      await app.commit();
      if (round % 7 === 6 || round >= 195) {
        await stub.append([...pending.values()].map((p) => series(p.labels, p.samples)));
        pending = new Map();
        for (const plan of plans(t)) {
          const mint = plan.start - plan.offset - plan.range;
          const maxt = plan.start + (plan.n - 1) * plan.interval - plan.offset;
          const got = await stub.selectAggregate(specs, plan, mint, maxt);
          const want = await mem.querier().selectAggregate!(matchers, { start: mint, end: maxt }, plan);
          expect(comparable(got), `round ${round}, ${plan.op} ${plan.fn}`).toEqual(comparable(want));
        }
      }
      t += STEP;
    }
  });
});
