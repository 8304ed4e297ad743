import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import type { Querier } from "../../src/storage/storage.js";
import { freshStore } from "./store_helpers.js";

const STEP = 15_000;
const T0 = Math.floor(Date.now() / STEP) * STEP - 300 * STEP;

/** The same storage without the pushdown capability: the engine's ordinary path. */
function plain(q: Querier): Querier {
  return { select: (m, h) => q.select(m, h), series: (m, h) => q.series(m, h), labelNames: (m, h) => q.labelNames(m, h), labelValues: (n, m, h) => q.labelValues(n, m, h) };
}

/**
 * Reads the shard evaluates itself (pushed-down rates, subqueries) join a sealed chunk
 * with the head for every series whose window spans both, in one buffer the shard
 * fills again for each series, and keep sealed chunks decoded between queries. Every
 * series must still get its own samples, on the first read and on repeated ones.
 */
describe("pushed-down reads across sealed chunks and the head", () => {
  it("answer what the engine answers from the raw samples, series by series", { timeout: 60_000 }, async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const memory = new MemoryStorage();
    // Series of different lengths (some all in the head, some over two or three
    // chunks) and rates, so that a buffer left over from another series would show.
    for (let part = 0; part < 3; part++) {
      const app = storage.appender();
      const mem = memory.appender();
      for (let s = 0; s < 24; s++) {
        const ls = labelsFromRecord({ __name__: "m_total", job: `j${s % 3}`, i: String(s) });
        const first = (s % 4) * 60;
        for (let i = part * 100; i < (part + 1) * 100; i++) {
          if (i < first) continue;
          const v = (s + 1) * i + ((i * 7919 + s) % 13);
          app.append(ls, T0 + i * STEP, v);
          mem.append(ls, T0 + i * STEP, v);
        }
      }
      expect((await app.commit()).rejected).toBe(0);
      await mem.commit();
      // Sealed chunks in blocks and still pending: both kinds are read.
      if (part === 1) await stub.checkpoint();
    }
    const end = T0 + 299 * STEP;
    const engine = new Engine();
    const queries = [
      "max_over_time(rate(m_total[1m])[30m:1m])",
      "min_over_time(increase(m_total[2m])[45m:30s])",
      "rate(m_total[5m])",
      "sum by (job) (rate(m_total[5m]))",
      "topk(3, delta(m_total[10m]))",
    ];
    for (let round = 0; round < 2; round++) {
      for (const q of queries) {
        const a = await engine.instantQuery(storage.querier(), q, end);
        const b = await engine.instantQuery(plain(memory.querier()), q, end);
        expect(a.value, q).toEqual(b.value);
        expect(JSON.stringify(a.value).length, q).toBeGreaterThan(100);
        const c = await engine.rangeQuery(storage.querier(), q, end - 3600_000, end, 60_000);
        const d = await engine.rangeQuery(plain(memory.querier()), q, end - 3600_000, end, 60_000);
        expect(c.value, q).toEqual(d.value);
      }
    }
  });
});
