import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../../src/model/labels.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";

// Found by test/fuzz/promql.test.ts: `topk(1e300, x)` said "Scalar value 1000...000
// overflows int64" where Prometheus prints the value as Go's %v does ("1e+300"), and
// `topk(-1e300, x)` failed where Prometheus answers nothing (no step asks for a series).
describe("the k of topk, bottomk and limitk", () => {
  async function run(q: string): Promise<unknown> {
    const st = new MemoryStorage();
    const app = st.appender();
    for (const job of ["a", "b"]) app.append(labelsFromRecord({ __name__: "x", job }), 0, job === "a" ? 1 : 2);
    await app.commit();
    try {
      return (await new Engine().instantQuery(st.querier(), q, 0)).value;
    } catch (e) {
      return (e as Error).message;
    }
  }

  it("beyond int64 is an error worded as Prometheus words it", async () => {
    expect(await run("topk(1e300, x)")).toBe("Scalar value 1e+300 overflows int64");
    expect(await run("limitk(9223372036854775807, x)")).toBe("Scalar value 9.223372036854776e+18 overflows int64");
    expect(await run("bottomk(NaN, x)")).toBe("Parameter value is NaN");
  });

  it("below 1 at every step selects nothing, however negative", async () => {
    expect(await run("topk(-1e300, x)")).toEqual({ type: "vector", samples: [] });
    expect(await run("bottomk(0.5, x)")).toEqual({ type: "vector", samples: [] });
    expect(await run("topk(-Inf, x)")).toEqual({ type: "vector", samples: [] });
  });

  it("selects as before otherwise", async () => {
    expect(await run("topk(1.9, x)")).toMatchObject({ samples: [{ v: 2 }] });
  });
});
