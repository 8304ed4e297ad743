import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../../src/model/labels.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";

// Found by test/fuzz/promql.test.ts: `max_over_time(x[1y:1ms])` allocated its step grid
// before counting it, and failed with a RangeError ("Invalid typed array length")
// instead of Prometheus' sample-limit error; a smaller grid could exhaust memory.
describe("subquery step grids", () => {
  const TOO_MANY = "query processing would load too many samples into memory in query execution";

  async function store(): Promise<MemoryStorage> {
    const st = new MemoryStorage();
    const app = st.appender();
    for (let t = 0; t <= 600_000; t += 15_000) app.append(labelsFromRecord({ __name__: "x", job: "a" }), t, t);
    await app.commit();
    return st;
  }

  it("longer than the sample budget stop with Prometheus' limit error", async () => {
    const st = await store();
    const engine = new Engine();
    for (const q of ["max_over_time(x[1y:1ms])", "count_over_time(nosuch[10y:1ms])", "rate(sum(x)[1000d:1ms])"]) {
      await expect(engine.instantQuery(st.querier(), q, 600_000)).rejects.toMatchObject({ errorType: "execution", message: TOO_MANY });
    }
    const small = new Engine({ maxSamples: 1000 });
    await expect(small.instantQuery(st.querier(), "max_over_time(x[1h:1s])", 600_000)).rejects.toMatchObject({ message: TOO_MANY });
  });

  it("within the budget evaluate as before", async () => {
    const st = await store();
    const r = await new Engine({ maxSamples: 1000 }).instantQuery(st.querier(), "count_over_time(x[5m:1m])", 600_000);
    expect(r.value).toMatchObject({ type: "vector", samples: [{ v: 5 }] });
  });
});
