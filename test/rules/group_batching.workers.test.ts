import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ShardedStorage, type ShardClient } from "../../src/storage/sharded_storage.js";
import type { AggregateRequest } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore } from "../tsdb/store_helpers.js";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

// A group's independent rules evaluated together over a real SeriesStore shard whose
// pushed-down aggregations answer after a round trip, as over RPC: how many round
// trips they take, and that they give what evaluating them over the in-memory
// storage gives, the dependent rule included.

const PATHS = 20;

/** The shard behind a proxy that answers aggregations a timer tick later (a round
 * trip) and records how many requests each round trip carried. */
function overRoundTrips(shard: SeriesStore) {
  const trips: number[] = [];
  const later = <T>(f: () => T) => new Promise<T>((resolve, reject) => setTimeout(() => {
    try {
      resolve(f());
    } catch (e) {
      reject(e);
    }
  }, 1));
  const client = new Proxy(shard, {
    get(target, prop) {
      if (prop === "selectAggregate") return (...a: Parameters<SeriesStore["selectAggregate"]>) => (trips.push(1), later(() => target.selectAggregate(...a)));
      if (prop === "selectAggregates") return (rs: AggregateRequest[]) => (trips.push(rs.length), later(() => target.selectAggregates(rs)));
      const f = (target as unknown as Record<string | symbol, unknown>)[prop];
      return typeof f === "function" ? f.bind(target) : f;
    },
  }) as unknown as ShardClient;
  return { client, trips };
}

const RULES = ruleFile(
  [
    "groups:",
    "  - name: g",
    "    rules:",
    ...Array.from({ length: PATHS }, (_, k) => `      - {record: "path:req:rate5m_${k}", expr: 'sum by (job) (rate(req_total{path="/p/${k}"}[5m]))'}`),
    // Reads every rule above: it must see what they wrote in this same evaluation.
    `      - {record: "total:req:rate5m", expr: 'sum by (job) ({__name__=~"path:req:rate5m_.*"})'}`,
  ].join("\n"),
);

const NAMES = [...Array.from({ length: PATHS }, (_, k) => `path:req:rate5m_${k}`), "total:req:rate5m"];

async function evaluate(h: Harness): Promise<void> {
  const lines: string[] = [];
  for (let k = 0; k < PATHS; k++) for (const job of ["a", "b"]) lines.push(`req_total{path="/p/${k}",job="${job}"} 0+${k + (job === "a" ? 1 : 7)}x40`);
  await h.load(T0, 15_000, ...lines);
  h.manager.update([RULES], SETTINGS);
  await h.manager.get("rules.yml;g")!.iterate(T0 + 10 * MIN);
}

describe("a rule group over SeriesStore", () => {
  it("sends its independent rules' aggregations together and lets the dependent one read their results", async () => {
    const memory = new Harness();
    await evaluate(memory);
    await runInDurableObject(freshStore(), async (_instance, state) => {
      // The samples are from T0 (2026-01-01): retention far enough back to keep them.
      const shard = overRoundTrips(new SeriesStore(state, { ...env, STORAGE_RETENTION: "100000d" } as Env));
      const h = new Harness({ storage: new ShardedStorage([shard.client]) });
      await evaluate(h);
      const g = h.manager.get("rules.yml;g")!;
      expect(g.rules.map((r) => r.health)).toEqual(NAMES.map(() => "ok"));

      // Every rule's query went to the shard, in two round trips instead of 21: the
      // independent ones together, then the dependent one.
      expect(shard.trips).toEqual([PATHS, 1]);

      for (const name of NAMES) expect(await h.samples(name)).toEqual(await memory.samples(name));
      const at = async (name: string, job: string) => (await h.samples(name, { job }))[0]!.points;
      for (const job of ["a", "b"]) {
        let sum = 0;
        for (let k = 0; k < PATHS; k++) sum += (await at(`path:req:rate5m_${k}`, job))[0]![1] as number;
        expect(await at("total:req:rate5m", job)).toEqual([[T0 + 10 * MIN, expect.closeTo(sum, 9)]]);
      }
    });
  });
});
