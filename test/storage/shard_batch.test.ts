import { describe, expect, it } from "vitest";
import { ShardBatch } from "../../src/storage/shard_batch.js";
import type { SeriesRef } from "../../src/storage/series_refs.js";

const ref = (r: number, epoch = 7): SeriesRef => ({ shard: 0, ref: r, epoch, lastUsed: 0 });

describe("ShardBatch", () => {
  it("groups each series' samples, found by reference or by key, in order", () => {
    const b = new ShardBatch();
    const a = ref(11);
    const c = ref(12);
    b.push("a", 1, 10, a);
    b.push("x", 1, 20);
    b.push("c", 1, 30, c);
    b.push("a", 2, 11, a);
    b.push("x", 2, 21);
    const built = b.build(true);
    expect(built.keys).toEqual(["x"]);
    expect([...built.refs!]).toEqual([11, 12]);
    expect(built.epoch).toBe(7);
    expect([...built.counts]).toEqual([2, 2, 1]);
    expect([...built.ts]).toEqual([1, 2, 1, 2, 1]);
    expect([...built.vs]).toEqual([20, 21, 10, 11, 30]);
    // By labels only (a shard refused the references): every series by its key.
    const byLabels = b.build(false);
    expect(byLabels.keys).toEqual(["a", "x", "c"]);
    expect([...byLabels.counts]).toEqual([2, 2, 1]);
  });

  it("does not take a reference's slot from an earlier batch", () => {
    const a = ref(11);
    const first = new ShardBatch();
    first.push("a", 1, 10, a);
    first.push("a", 2, 11, a);
    const second = new ShardBatch();
    second.push("b", 1, 5);
    second.push("a", 3, 12, a);
    const built = second.build(true);
    expect(built.keys).toEqual(["b"]);
    expect([...built.refs!]).toEqual([11]);
    expect([...built.ts]).toEqual([1, 3]);
  });

  it("hands over a series' samples, by reference or not, when it moves to a histogram batch", () => {
    const b = new ShardBatch();
    const a = ref(11);
    b.push("a", 1, 10, a);
    b.push("x", 1, 20);
    b.push("a", 2, 11, a);
    expect(b.take("a")).toEqual([{ t: 1, v: 10 }, { t: 2, v: 11 }]);
    expect(b.take("x")).toEqual([{ t: 1, v: 20 }]);
    expect(b.take("a")).toEqual([]);
    expect(b.isEmpty()).toBe(true);
  });

  it("sends a reference of another epoch by labels", () => {
    const b = new ShardBatch();
    b.push("a", 1, 10, ref(11, 1));
    b.push("c", 1, 30, ref(12, 2));
    const built = b.build(true);
    expect(built.keys).toEqual(["c"]);
    expect([...built.refs!]).toEqual([11]);
    expect(built.epoch).toBe(1);
  });

  it("builds a scrape's batch (one sample per series) in the same shape either way", () => {
    const b = new ShardBatch();
    b.push("a", 1, 10, ref(11));
    b.push("c", 1, 30, ref(12));
    const built = b.build(true);
    expect([built.keys, [...built.refs!], built.epoch, [...built.counts], [...built.ts], [...built.vs]]).toEqual([[], [11, 12], 7, [1, 1], [1, 1], [10, 30]]);
    expect(b.build(false)).toMatchObject({ keys: ["a", "c"], counts: Uint32Array.of(1, 1) });
    expect(b.build(false).refs).toBeUndefined();
    // One series by labels among referenced ones: labels first, as in any batch.
    b.push("x", 1, 20);
    const mixed = b.build(true);
    expect([mixed.keys, [...mixed.refs!], [...mixed.vs]]).toEqual([["x"], [11, 12], [20, 10, 30]]);
    const fresh = new ShardBatch();
    fresh.push("x", 1, 20);
    fresh.push("y", 1, 21);
    expect(fresh.build(true)).toMatchObject({ keys: ["x", "y"], vs: Float64Array.of(20, 21) });
    expect(fresh.build(true).refs).toBeUndefined();
  });
});
