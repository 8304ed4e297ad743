import { describe, expect, it } from "vitest";
import { AggregateBatcher } from "../../src/storage/aggregate_batcher.js";
import type { AggregateRequest } from "../../src/tsdb/rpc.js";
import type { PartialAggregate } from "../../src/tsdb/pushdown.js";

function answer(n: number): PartialAggregate {
  return { n, groups: [], value: new Float64Array(0), comp: new Float64Array(0), count: new Float64Array(0), samples: n };
}

function request(n: number): AggregateRequest {
  return { specs: [], plan: { op: "sum", grouping: [], without: false, fn: "", range: 1, start: 0, interval: 0, n, offset: 0 }, mint: 0, maxt: 0 };
}

/** A shard that answers each request with its plan's n after a round trip, and
 * fails the requests whose n is negative; it records the calls it got. */
function shard() {
  const calls: number[][] = [];
  const trip = () => new Promise((r) => setTimeout(r, 5));
  return {
    calls,
    one: async (r: AggregateRequest) => {
      calls.push([r.plan.n]);
      await trip();
      if (r.plan.n < 0) throw new Error(`bad ${r.plan.n}`);
      return answer(r.plan.n);
    },
    many: async (rs: AggregateRequest[]) => {
      calls.push(rs.map((r) => r.plan.n));
      await trip();
      return rs.map((r) => (r.plan.n < 0 ? { error: `bad ${r.plan.n}` } : { ok: answer(r.plan.n) }));
    },
  };
}

describe("AggregateBatcher", () => {
  it("sends the requests of one turn together, and those arriving meanwhile in the next call", async () => {
    const s = shard();
    const b = new AggregateBatcher(s.one, s.many);
    const first = [1, 2, 3].map((n) => b.run(request(n)));
    // Made a turn later, while the first call is in flight: they wait for it.
    await new Promise((r) => setTimeout(r, 1));
    const second = [4, 5].map((n) => b.run(request(n)));
    const results = await Promise.all([...first, ...second]);
    expect(results.map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    expect(s.calls).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    await b.run(request(6));
    expect(s.calls.at(-1)).toEqual([6]);
  });

  it("lets the callers a call answered add their next requests to the following call", async () => {
    const s = shard();
    const b = new AggregateBatcher(s.one, s.many);
    // Two callers, each asking again as soon as it is answered, as a group's rules do.
    const caller = async (a: number, c: number) => [(await b.run(request(a))).n, (await b.run(request(c))).n];
    expect(await Promise.all([caller(1, 3), caller(2, 4)])).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(s.calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("fails only the requests of a batch that failed", async () => {
    const s = shard();
    const b = new AggregateBatcher(s.one, s.many);
    const settled = await Promise.allSettled([1, 2, -3, 4].map((n) => b.run(request(n))));
    expect(settled.map((r) => (r.status === "fulfilled" ? r.value.n : (r.reason as Error).message))).toEqual([1, 2, "bad -3", 4]);
  });
});
