import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, type Labels } from "../../src/model/labels.js";
import { ShardedStorage, type ShardClient } from "../../src/storage/sharded_storage.js";
import { SeriesRefs } from "../../src/storage/series_refs.js";
import type { AppendBatch } from "../../src/tsdb/rpc.js";
import { toAppendBatch } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore, series } from "./store_helpers.js";

// Several callers' batches in one request and one transaction (a scrape alarm's
// targets): each section is answered as if it came alone, and a section the shard
// refuses leaves the others appended.

const T0 = Date.now() - 600_000;
const ls = (name: string, job: string): Labels => labelsFromRecord({ __name__: name, job });

/** A shard whose append requests are counted by method. */
function counted(shard: ShardClient) {
  const calls: string[] = [];
  const client = new Proxy(shard, {
    get(target, prop) {
      const f = (target as unknown as Record<string | symbol, unknown>)[prop];
      if (typeof f !== "function") return f;
      return (...args: unknown[]) => {
        if (typeof prop === "string" && prop.startsWith("append")) calls.push(prop);
        return (target as unknown as Record<string | symbol, (...a: unknown[]) => unknown>)[prop]!(...args);
      };
    },
  }) as ShardClient;
  return { client, calls };
}

async function readAll(storage: ShardedStorage) {
  const out = new Map<string, number[]>();
  for await (const s of storage.querier().select([{ type: "=~", name: "__name__", value: ".+" }], { start: -Infinity, end: Infinity })) {
    out.set(labelsKey(s.labels), [...s.vs]);
  }
  return out;
}

describe("SeriesStore.appendSections", () => {
  it("answers each section with its own counts and rejections, in one transaction that survives a restart", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "up", job: "b" }, [[T0, 1]])]);
    const sections: AppendBatch[] = [
      toAppendBatch([series({ __name__: "up", job: "a" }, [[T0, 1], [T0 + 1000, 1]])]),
      // A duplicate (same time, another value) and an out-of-order sample for job b only.
      toAppendBatch([series({ __name__: "up", job: "b" }, [[T0, 5], [T0 - 3_600_000, 1], [T0 + 1000, 0]])]),
    ];
    const answers = await stub.appendSections(sections);
    expect(answers.map((a) => [a.appended, a.rejected, a.rejections.map((r) => r.reason)])).toEqual([
      [2, 0, []],
      [1, 2, ["duplicate", "out_of_order"]],
    ]);
    expect(answers[0]!.refs.length).toBe(1);
    expect(answers[0]!.refs[0]).not.toBe(answers[1]!.refs[0]);
    await runInDurableObject(stub, async (store: SeriesStore, state) => {
      // One WAL row for both sections.
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM wal").one().n).toBe(2);
      (store as unknown as { load(): void }).load();
      const storage = new ShardedStorage([store]);
      expect(Object.fromEntries(await readAll(storage))).toEqual({
        [labelsKey(ls("up", "a"))]: [1, 1],
        [labelsKey(ls("up", "b"))]: [1, 0],
      });
    });
  });

  it("refuses a section with stale references or an unstorable series whole, and appends the others", async () => {
    const stub = freshStore();
    const answers = await stub.appendSections([
      { ...toAppendBatch([series({ __name__: "x", job: "a" }, [[T0, 1]])]), refs: Uint32Array.of(1), epoch: -5, counts: Uint32Array.of(1, 1), ts: Float64Array.of(T0, T0), vs: Float64Array.of(1, 2) },
      toAppendBatch([{ key: labelsKey([]), ts: Float64Array.of(T0), vs: Float64Array.of(1) }, series({ __name__: "y", job: "b" }, [[T0, 1]])]),
      toAppendBatch([series({ __name__: "z", job: "c" }, [[T0, 3]])]),
    ]);
    expect(answers[0]).toMatchObject({ staleRefs: true, appended: 0 });
    expect(answers[1]).toMatchObject({ error: "series without labels cannot be stored", appended: 0 });
    expect(answers[2]).toMatchObject({ appended: 1, rejected: 0 });
    expect([...(await readAll(new ShardedStorage([stub]))).keys()]).toEqual([labelsKey(ls("z", "c"))]);
  });
});

describe("ShardedStorage.appendGroup", () => {
  it("sends its members' commits to each shard in one request, each member answered on its own", async () => {
    const shards = [counted(freshStore()), counted(freshStore())];
    const storage = new ShardedStorage(shards.map((s) => s.client));
    const group = storage.appendGroup(60_000);
    const jobs = ["a", "b", "c"];
    const members = jobs.map(() => group.join());
    const refs = jobs.map(() => new SeriesRefs());
    const commit = async (k: number, t: number, bad = false) => {
      const app = members[k]!.appender(refs[k]);
      for (let i = 0; i < 20; i++) app.append(ls(`m${i}`, jobs[k]!), t, k * 100 + i);
      if (bad) app.append([], t, 1);
      // Job b's first series again at an older time: out of order for b alone.
      if (k === 1 && t > T0) app.append(ls("m0", "b"), t - 3_600_000, 7);
      return app.commit();
    };
    const first = await Promise.all([commit(0, T0), commit(1, T0), commit(2, T0)]);
    expect(first.map((r) => r.appended)).toEqual([20, 20, 20]);
    expect(shards.map((s) => s.calls)).toEqual([["appendSections"], ["appendSections"]]);

    // The next round: by reference, job b with a rejection, job c with a series the
    // shard cannot store, so its commit fails and the others' samples stay.
    const again = storage.appendGroup(60_000);
    members.splice(0, 3, ...jobs.map(() => again.join()));
    const second = await Promise.allSettled([commit(0, T0 + 1000), commit(1, T0 + 1000), commit(2, T0 + 1000, true)]);
    expect(second.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const [a, b] = second.map((r) => (r.status === "fulfilled" ? r.value : undefined));
    expect([a?.appended, a?.rejected]).toEqual([20, 0]);
    expect([b?.appended, b?.rejected, b?.rejections[0]?.reason]).toEqual([20, 1, "out_of_order"]);
    expect(shards.map((s) => s.calls.length)).toEqual([2, 2]);
    const stored = await readAll(storage);
    expect(stored.get(labelsKey(ls("m3", "a")))).toEqual([3, 3]);
    expect(stored.get(labelsKey(ls("m3", "b")))).toEqual([103, 103]);
    // Job c's section was refused on the shard that holds its bad series; on the
    // other shard its section stands (a commit is per shard, as before).
    expect(stored.get(labelsKey(ls("m3", "c")))?.[0]).toBe(203);
  });
});
