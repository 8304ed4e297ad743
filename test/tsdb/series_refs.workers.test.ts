import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, type Labels } from "../../src/model/labels.js";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { ShardedStorage, type ShardClient } from "../../src/storage/sharded_storage.js";
import { SeriesRefs } from "../../src/storage/series_refs.js";
import type { AppendAnswer, AppendBatch } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore } from "./store_helpers.js";

const NOW = Date.now();
const T0 = NOW - 600_000;

/** A shard whose append batches and answers are kept, to see what crossed RPC. */
function recorded(shard: SeriesStore | ShardClient) {
  const calls: { batch: AppendBatch; answer: AppendAnswer }[] = [];
  const client = new Proxy(shard, {
    get(target, prop) {
      if (prop !== "append") return (target as unknown as Record<string | symbol, unknown>)[prop];
      return async (batch: AppendBatch) => {
        const answer = await (target as ShardClient).append(batch);
        calls.push({ batch, answer });
        return answer;
      };
    },
  }) as ShardClient;
  return { client, calls };
}

const ls = (name: string, i: number): Labels => labelsFromRecord({ __name__: name, i: String(i) });

async function appendAll(storage: ShardedStorage, refs: SeriesRefs, names: string[], t: number, v: (i: number) => number) {
  const app = storage.appender(refs);
  names.forEach((n, i) => app.append(ls(n, i), t, v(i)));
  return app.commit();
}

async function readAll(storage: ShardedStorage) {
  const out = new Map<string, { ts: number[]; vs: number[] }>();
  for await (const s of storage.querier().select([{ type: "=~", name: "__name__", value: ".+" }], { start: -Infinity, end: Infinity })) {
    out.set(labelsKey(s.labels), { ts: [...s.ts], vs: [...s.vs] });
  }
  return out;
}

const NAMES = ["a", "b", "c", "d"];

describe("series references", () => {
  it("sends a series by labels once, then by reference with no label keys", async () => {
    const { client, calls } = recorded(freshStore());
    const storage = new ShardedStorage([client]);
    const refs = new SeriesRefs();
    await appendAll(storage, refs, NAMES, T0, (i) => i);
    await appendAll(storage, refs, NAMES, T0 + 1000, (i) => 10 + i);
    // The same series in another order: each sample still lands in its own series.
    const app = storage.appender(refs);
    for (const i of [3, 1, 0, 2]) app.append(ls(NAMES[i]!, i), T0 + 2000, 20 + i);
    app.append(ls("e", 4), T0 + 2000, 24);
    expect(await app.commit()).toMatchObject({ appended: 5, rejected: 0 });

    expect(calls.map((c) => [c.batch.keys.length, c.batch.refs?.length ?? 0])).toEqual([
      [4, 0],
      [0, 4],
      [1, 4],
    ]);
    expect(calls.every((c) => c.answer.staleRefs === undefined)).toBe(true);
    const got = await readAll(storage);
    NAMES.forEach((n, i) => expect(got.get(labelsKey(ls(n, i)))).toEqual({ ts: [T0, T0 + 1000, T0 + 2000], vs: [i, 10 + i, 20 + i] }));
    expect(got.get(labelsKey(ls("e", 4)))).toEqual({ ts: [T0 + 2000], vs: [24] });
  });

  it("keeps several samples of one series in a commit in order, stale markers' bits included", async () => {
    const storage = new ShardedStorage([freshStore()]);
    const refs = new SeriesRefs();
    await appendAll(storage, refs, NAMES, T0, (i) => i);
    const app = storage.appender(refs);
    for (let k = 1; k <= 3; k++) NAMES.forEach((n, i) => app.append(ls(n, i), T0 + k * 1000, k === 3 && i === 0 ? STALE_NAN : k * 10 + i));
    expect(await app.commit()).toMatchObject({ appended: 12, rejected: 0 });
    const got = await readAll(storage);
    expect(got.get(labelsKey(ls("b", 1)))).toEqual({ ts: [T0, T0 + 1000, T0 + 2000, T0 + 3000], vs: [1, 11, 21, 31] });
    const a = got.get(labelsKey(ls("a", 0)))!;
    expect(a.vs.slice(0, 3)).toEqual([0, 10, 20]);
    expect(isStaleNaN(a.vs[3]!)).toBe(true);
  });

  it("falls back to labels after the shard restarts, and replays reference appends from the WAL", async () => {
    const stub = freshStore();
    await runInDurableObject(stub, async (_instance, state) => {
      const refs = new SeriesRefs();
      const first = new ShardedStorage([new SeriesStore(state, env)]);
      await appendAll(first, refs, NAMES, T0, (i) => i);
      // By reference, then the object restarts: only SQLite carries these samples.
      await appendAll(first, refs, NAMES, T0 + 1000, (i) => 10 + i);
      const { client, calls } = recorded(new SeriesStore(state, env));
      const reborn = new ShardedStorage([client]);
      // The refs of the old object are refused whole and the batch goes by labels.
      expect(await appendAll(reborn, refs, NAMES, T0 + 2000, (i) => 20 + i)).toMatchObject({ appended: 4, rejected: 0 });
      expect(calls.map((c) => [c.batch.keys.length, c.batch.refs?.length ?? 0, c.answer.staleRefs === true, c.answer.appended])).toEqual([
        [0, 4, true, 0],
        [4, 0, false, 4],
      ]);
      await appendAll(reborn, refs, NAMES, T0 + 3000, (i) => 30 + i);
      expect(calls.at(-1)!.batch.refs?.length).toBe(4);
      const got = await readAll(new ShardedStorage([new SeriesStore(state, env)]));
      NAMES.forEach((n, i) => expect(got.get(labelsKey(ls(n, i)))).toEqual({ ts: [T0, T0 + 1000, T0 + 2000, T0 + 3000], vs: [i, 10 + i, 20 + i, 30 + i] }));
    });
  });

  it("never appends to a dropped series: deleting series starts a new epoch", async () => {
    const { client, calls } = recorded(freshStore());
    const storage = new ShardedStorage([client]);
    const refs = new SeriesRefs();
    await appendAll(storage, refs, NAMES, T0, (i) => i);
    await storage.deleteSeries([{ type: "=", name: "__name__", value: "a" }], -8.64e15, 8.64e15);
    await appendAll(storage, refs, NAMES, T0 + 1000, (i) => 10 + i);
    expect(calls.at(-2)!.answer.staleRefs).toBe(true);
    const got = await readAll(storage);
    expect(got.get(labelsKey(ls("a", 0)))).toEqual({ ts: [T0 + 1000], vs: [10] });
    expect(got.get(labelsKey(ls("b", 1)))).toEqual({ ts: [T0, T0 + 1000], vs: [1, 11] });
  });

  it("numbers references densely over the live series, whatever ids churn used up", async () => {
    const { client, calls } = recorded(freshStore());
    const storage = new ShardedStorage([client]);
    const refs = new SeriesRefs();
    await appendAll(storage, refs, NAMES, T0, (i) => i);
    await storage.deleteSeries([{ type: "=~", name: "__name__", value: "a|b|c" }], -8.64e15, 8.64e15);
    // d survives (id 4); e, f and g get ids 5 to 7 but references 1 to 3.
    const next = [ls("d", 3), ls("e", 4), ls("f", 5), ls("g", 6)];
    const app = storage.appender(refs);
    next.forEach((l) => app.append(l, T0 + 1000, 1));
    expect(await app.commit()).toMatchObject({ appended: 4, rejected: 0 });
    expect([...calls.at(-1)!.answer.refs].sort()).toEqual([0, 1, 2, 3]);
    const again = storage.appender(refs);
    next.forEach((l, i) => again.append(l, T0 + 2000, 10 + i));
    expect(await again.commit()).toMatchObject({ appended: 4, rejected: 0 });
    expect(calls.at(-1)!.batch.refs?.length).toBe(4);
    const got = await readAll(storage);
    expect(got.size).toBe(4);
    next.forEach((l, i) => expect(got.get(labelsKey(l))!.vs.at(-1)).toBe(10 + i));
  });

  it("refuses references from another epoch or unknown references and appends nothing", async () => {
    const stub = freshStore();
    const learned = await stub.append({ keys: [labelsKey(ls("a", 0))], counts: Uint32Array.of(1), ts: Float64Array.of(T0), vs: Float64Array.of(1) });
    const one = { keys: [], counts: Uint32Array.of(1), ts: Float64Array.of(T0 + 1000), vs: Float64Array.of(2) };
    const wrongEpoch = await stub.append({ ...one, refs: learned.refs, epoch: learned.epoch + 1 });
    const unknownRef = await stub.append({ ...one, refs: Uint32Array.of(learned.refs[0]! + 1000), epoch: learned.epoch });
    expect([wrongEpoch.staleRefs, wrongEpoch.appended, unknownRef.staleRefs, unknownRef.appended]).toEqual([true, 0, true, 0]);
    const ok = await stub.append({ ...one, refs: learned.refs, epoch: learned.epoch });
    expect([ok.appended, ok.staleRefs]).toEqual([1, undefined]);
    expect((await stub.getStats()).samplesAppended).toBe(2);
  });

  it("learns again when the number of shards changes", async () => {
    const stores = [freshStore(), freshStore()];
    const refs = new SeriesRefs();
    await appendAll(new ShardedStorage([stores[0]!]), refs, NAMES, T0, (i) => i);
    expect(refs.size).toBe(NAMES.length);
    const two = new ShardedStorage(stores);
    await appendAll(two, refs, NAMES, T0 + 1000, (i) => 10 + i);
    // Each series went where the two-shard hash puts it, by labels.
    const got = await readAll(two);
    for (const [i, n] of NAMES.entries()) {
      const key = labelsKey(ls(n, i));
      expect(got.get(key)!.ts.at(-1)).toBe(T0 + 1000);
    }
    const second = await readAll(new ShardedStorage([stores[1]!]));
    for (const [key, s] of second) expect([key, s.ts]).toEqual([key, [T0 + 1000]]);
  });
});
