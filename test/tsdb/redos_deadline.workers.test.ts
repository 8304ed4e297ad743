import { beforeAll, describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { QueryError, type Value } from "../../src/promql/engine/value.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import { DeadlineExceededError } from "../../src/storage/storage.js";
import { freshStore, series } from "./store_helpers.js";

const NOW = Date.now();
const A = "a".repeat(10_000);
const LONG = "node_filesystem_avail_bytes_".repeat(300);

async function seeded() {
  const stub = freshStore();
  await stub.append([
    series({ __name__: "m", l: `${A}c` }, [[NOW - 1000, 1]]),
    series({ __name__: "m", l: "aaab" }, [[NOW - 1000, 2]]),
    series({ __name__: LONG, l: "x" }, [[NOW - 1000, 3]]),
    series({ __name__: `${LONG}x`, l: "x" }, [[NOW - 1000, 4]]),
  ]);
  return { stub, storage: new ShardedStorage([stub]) };
}

// The first Durable Object call of a run pays workerd's cold start, which a busy machine
// can stretch past the default test timeout.
beforeAll(async () => {
  await freshStore().getStats();
}, 120_000);

/** The message a call fails with (awaited inside try: a Durable Object RPC promise
 * handed to expect().rejects is reported as unhandled by the workers pool). */
async function failure(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

function samples(v: Value): Array<[Record<string, string>, number]> {
  if (v.type !== "vector") throw new Error(`not a vector: ${v.type}`);
  return v.samples.map((s) => [labelsToRecord(s.labels), s.v]);
}

// With V8's backtracking RegExp in the SeriesStore each of these queries hangs for far
// longer than the test timeout.
describe("regexes over a SeriesStore run in linear time", () => {
  it("{l=~\"(a+)+b\"} against a 10k-character value", async () => {
    const { storage } = await seeded();
    const res = await new Engine().instantQuery(storage.querier(), 'm{l=~"(a+)+b"}', NOW);
    expect(samples(res.value)).toEqual([[{ __name__: "m", l: "aaab" }, 2]]);
    const neg = await new Engine().instantQuery(storage.querier(), 'count(m{l!~"(a+)+b"})', NOW);
    expect(samples(neg.value)).toEqual([[{}, 1]]);
  });

  it('{__name__=~"(.*.*)*x"} against long metric names', async () => {
    const { storage } = await seeded();
    const res = await new Engine().instantQuery(storage.querier(), '{__name__=~"(.*.*)*x"}', NOW);
    expect(samples(res.value).map(([, v]) => v)).toEqual([4]);
  });

  it("label_replace with a pathological regex", async () => {
    const { storage } = await seeded();
    const res = await new Engine().instantQuery(storage.querier(), 'label_replace(m, "dst", "[$1]", "l", "(a+)+b")', NOW);
    const got = samples(res.value).map(([ls]) => ls.dst ?? null);
    expect(got.sort()).toEqual(["[aaa]", null]);
  });
});

describe("the query deadline reaches the shards", () => {
  it("a select whose deadline has passed is refused by the store", async () => {
    const { stub } = await seeded();
    const m = [{ type: "=~" as const, name: "l", value: ".+" }];
    const past = Date.now() - 1;
    expect(await failure(() => stub.select(m, -Infinity, Infinity, undefined, "chunks", past))).toContain("storage deadline exceeded");
    expect(await failure(() => stub.labelValues("l", m, -Infinity, Infinity, past))).toContain("storage deadline exceeded");
    expect(await failure(() => stub.deleteRange(m, -Infinity, Infinity, past))).toContain("storage deadline exceeded");
    // Nothing was deleted by the refused deleteRange.
    expect((await stub.select(m, -Infinity, Infinity, undefined, "labels")).series).toHaveLength(4);
  });

  it("storage gives the error its type back across RPC", async () => {
    const { storage } = await seeded();
    const read = async () => {
      for await (const s of storage.querier().select([{ type: "=~", name: "l", value: ".+" }], { start: -Infinity, end: Infinity, deadline: Date.now() - 1 })) void s;
    };
    await expect(read()).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it("the engine reports a shard's deadline as Prometheus' timeout error", async () => {
    const { storage } = await seeded();
    // A deadline already past: the engine's own check (every 1024 steps) has not run yet,
    // so the error can only come from the shard.
    const err = await new Engine({ timeoutMs: -1 }).instantQuery(storage.querier(), 'm{l=~"(a+)+b"}', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).errorType).toBe("timeout");
    expect((err as QueryError).message).toBe("query timed out in expression evaluation");
  });
});
