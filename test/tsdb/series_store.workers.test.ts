import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { labelsFromKey, labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import type { SelectCursor, SelectPage } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore, regular, series } from "./store_helpers.js";

const NOW = Date.now();
const T0 = Math.floor((NOW - 3600_000) / 7_200_000) * 7_200_000 + 60_000;

async function readAll(storage: ShardedStorage, matchers: Parameters<ReturnType<ShardedStorage["querier"]>["select"]>[0]) {
  const out = [];
  for await (const s of storage.querier().select(matchers, { start: -Infinity, end: Infinity })) out.push(s);
  return out;
}

describe("SeriesStore", () => {
  it("stores appended samples and returns them through the querier", async () => {
    const stub = freshStore();
    const res = await stub.append([
      series({ __name__: "up", job: "node", instance: "a:9100" }, [[T0, 1], [T0 + 15_000, 0]]),
      series({ __name__: "up", job: "node", instance: "b:9100" }, [[T0, 1]]),
    ]);
    expect(res).toMatchObject({ appended: 3, rejected: 0 });

    const storage = new ShardedStorage([stub]);
    const got = await readAll(storage, [{ type: "=", name: "__name__", value: "up" }]);
    expect(got.map((s) => s.labels.find((l) => l.name === "instance")!.value)).toEqual(["a:9100", "b:9100"]);
    expect([...got[0]!.ts]).toEqual([T0, T0 + 15_000]);
    expect([...got[0]!.vs]).toEqual([1, 0]);
  });

  it("seals full chunks and reads across sealed and head chunks in order", async () => {
    const stub = freshStore();
    const samples = regular(T0, 400, (i) => i * 1.5);
    await stub.append([series({ __name__: "c_total" }, samples.slice(0, 250))]);
    await stub.append([series({ __name__: "c_total" }, samples.slice(250))]);
    const stats = await stub.getStats();
    expect(stats.chunks).toBe(3);
    expect(stats.chunkSamples).toBe(360);
    expect(stats.headSamples).toBe(40);

    const storage = new ShardedStorage([stub]);
    const [s] = await readAll(storage, [{ type: "=", name: "__name__", value: "c_total" }]);
    expect([...s!.ts]).toEqual(samples.map((x) => x[0]));
    expect([...s!.vs]).toEqual(samples.map((x) => x[1]));

    const part = [];
    for await (const x of storage.querier().select([{ type: "=", name: "__name__", value: "c_total" }], { start: T0 + 15_000 * 100, end: T0 + 15_000 * 130 })) part.push(x);
    expect(part[0]!.ts.length).toBe(31);
    expect(part[0]!.ts[0]).toBe(T0 + 15_000 * 100);
  });

  it("keeps stale markers bit-exact", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "g" }, [[T0, 5], [T0 + 15_000, STALE_NAN], [T0 + 30_000, NaN]])]);
    const storage = new ShardedStorage([stub]);
    const [s] = await readAll(storage, [{ type: "=", name: "__name__", value: "g" }]);
    expect(isStaleNaN(s!.vs[1]!)).toBe(true);
    expect(Number.isNaN(s!.vs[2]!) && !isStaleNaN(s!.vs[2]!)).toBe(true);
  });

  it("accepts out-of-order samples inside the window and reports those outside with their skew", async () => {
    const stub = freshStore();
    const sel = { __name__: "ooo" };
    await stub.append([series(sel, [[T0 + 600_000, 10]])]);
    const res = await stub.append([series(sel, [[T0 + 300_000, 5], [T0 + 600_000, 10], [T0 + 600_000, 11], [T0 - 60_000, 1]])]);
    expect(res.appended).toBe(1);
    expect(res.outOfOrderAccepted).toBe(1);
    expect(res.rejected).toBe(2);
    expect(res.rejections).toEqual([
      { series: labelsKey(labelsFromRecord(sel)), t: T0 + 600_000, reason: "duplicate", skewMs: 0 },
      { series: labelsKey(labelsFromRecord(sel)), t: T0 - 60_000, reason: "out_of_order", skewMs: 660_000 },
    ]);
    const stats = await stub.getStats();
    expect(stats.outOfOrderRejected).toBe(1);
    expect(stats.duplicateRejected).toBe(1);
    expect(stats.recentRejections.at(-1)).toMatchObject({ reason: "out_of_order", skewMs: 660_000 });

    const storage = new ShardedStorage([stub]);
    const [s] = await readAll(storage, [{ type: "=", name: "__name__", value: "ooo" }]);
    expect([...s!.ts]).toEqual([T0 + 300_000, T0 + 600_000]);
    expect([...s!.vs]).toEqual([5, 10]);
  });

  it("merges sealed out-of-order chunks with in-order data", async () => {
    const stub = freshStore();
    const sel = { __name__: "late" };
    // Even minutes first, then the odd minutes arrive late (inside the 10m window).
    const even = regular(T0, 40, (i) => i).filter((_, i) => i % 2 === 0);
    const odd = regular(T0, 40, (i) => i).filter((_, i) => i % 2 === 1);
    await stub.append([series(sel, even)]);
    const res = await stub.append([series(sel, odd.slice(-35))]);
    expect(res.rejected).toBe(0);
    const storage = new ShardedStorage([stub]);
    const [s] = await readAll(storage, [{ type: "=", name: "__name__", value: "late" }]);
    const want = [...even, ...odd.slice(-35)].sort((a, b) => a[0] - b[0]);
    expect([...s!.ts]).toEqual(want.map((x) => x[0]));
    expect([...s!.vs]).toEqual(want.map((x) => x[1]));
  });

  it("recovers every acknowledged sample from SQLite alone (WAL, heads, chunks)", async () => {
    const stub = freshStore();
    const a = regular(T0, 130, (i) => i);
    const b = regular(T0, 7, (i) => 100 - i);
    await stub.append([series({ __name__: "a" }, a.slice(0, 100)), series({ __name__: "b" }, b)]);
    await stub.checkpoint();
    await stub.append([series({ __name__: "a" }, a.slice(100))]);
    await stub.append([series({ __name__: "b" }, [[T0 - 30_000, -1]])]);

    await runInDurableObject(stub, async (_instance, state) => {
      // A second object over the same storage rebuilds its memory the way a
      // restarted object does.
      const reborn = new SeriesStore(state, env);
      const storage = new ShardedStorage([reborn]);
      const got = await readAll(storage, [{ type: "=~", name: "__name__", value: "a|b" }]);
      expect([...got[0]!.ts]).toEqual(a.map((x) => x[0]));
      expect([...got[0]!.vs]).toEqual(a.map((x) => x[1]));
      expect([...got[1]!.ts]).toEqual([T0 - 30_000, ...b.map((x) => x[0])]);
      const stats = reborn.getStats();
      expect(stats.chunks).toBe(1);
      expect(stats.headSamples).toBe(10 + 8);
      // And it keeps appending where the old one stopped.
      expect(reborn.append([series({ __name__: "a" }, [[a.at(-1)![0], a.at(-1)![1]]])]).rejected).toBe(0);
      expect(reborn.append([series({ __name__: "a" }, [[a.at(-1)![0], 999]])]).rejected).toBe(1);
    });
  });

  it("recovers scrapes (one sample per series at one time, series created in a row) from the WAL, stale markers and gaps included", async () => {
    const stub = freshStore();
    const names = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, "0")}`);
    // Each scrape's series in one order; the third leaves some out and marks one stale,
    // so its WAL record breaks the run of ids.
    const scrape = (k: number, value: (i: number) => number, keep = (_i: number) => true) =>
      stub.append(names.flatMap((n, i) => (keep(i) ? [series({ __name__: n }, [[T0 + k * 15_000, value(i)]])] : [])));
    await scrape(0, (i) => i);
    await scrape(1, (i) => i + 0.5);
    await scrape(2, (i) => (i === 7 ? STALE_NAN : -i), (i) => i % 11 !== 3);

    await runInDurableObject(stub, async (_instance, state) => {
      const reborn = new SeriesStore(state, env);
      const got = await readAll(new ShardedStorage([reborn]), [{ type: "=~", name: "__name__", value: "m.*" }]);
      expect(got.map((g) => labelsKey(g.labels))).toEqual(names.map((n) => labelsKey(labelsFromRecord({ __name__: n }))));
      got.forEach((g, i) => {
        const third = i % 11 === 3 ? [] : [[T0 + 30_000, i === 7 ? "stale" : -i]];
        expect([...g.ts].map((t, k) => [t, isStaleNaN(g.vs[k]!) ? "stale" : g.vs[k]])).toEqual([[T0, i], [T0 + 15_000, i + 0.5], ...third]);
      });
    });
  });

  it("deletes data older than the retention and the series left empty", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "old" }, regular(T0, 130, (i) => i)), series({ __name__: "new" }, [[NOW, 1]])]);
    await runInDurableObject(stub, (instance) => {
      const store = instance as SeriesStore;
      const first = store.enforceRetention(T0 + 125 * 15_000);
      expect(first).toEqual({ chunks: 1, series: 0 });
      const second = store.enforceRetention(NOW);
      expect(second).toEqual({ chunks: 0, series: 1 });
      const stats = store.getStats();
      expect(stats.series).toBe(1);
      expect(stats.chunks).toBe(0);
      expect(stats.retentionDeletedChunks).toBe(1);
      expect(store.labelValues("__name__", [], -Infinity, Infinity)).toEqual(["new"]);
    });
  });

  it("deletes the oldest chunks first when over the size limit, and counts it", async () => {
    const stub = freshStore();
    // Three series, each with two sealed chunks of different ages and a head.
    const old = T0 - 3 * 7_200_000;
    await stub.append([0, 1, 2].map((k) => series({ __name__: "sized", k: String(k) }, regular(old + k * 1000, 250, (i) => i * (k + 1)))));
    await runInDurableObject(stub, (instance) => {
      const store = instance as SeriesStore;
      store.checkpoint();
      const before = store.getStats();
      expect(before.chunks).toBe(6);
      const limit = before.chunkBytes - 1;
      const r = store.enforceSizeRetention(limit);
      // The one oldest chunk (of series k=0) is enough to get under the limit.
      expect(r.chunks).toBe(1);
      const after = store.getStats();
      expect(after.chunks).toBe(5);
      expect(after.chunkBytes).toBeLessThanOrEqual(limit);
      expect(after.sizeRetentions).toBe(1);
      expect(after.sizeRetentionDeletedChunks).toBe(1);
      expect(after.sizeRetentionDeletedBytes).toBe(before.chunkBytes - after.chunkBytes);
      expect(after.series).toBe(3);
      // Under the limit nothing more goes.
      expect(store.enforceSizeRetention(limit)).toEqual({ chunks: 0, bytes: 0 });
      // A tiny limit deletes every sealed chunk, oldest first, but never the heads.
      store.enforceSizeRetention(1);
      expect(store.getStats().chunks).toBe(0);
      expect(store.getStats().headSamples).toBe(3 * (250 - 240));
    });
    const storage = new ShardedStorage([stub]);
    const left = await readAll(storage, [{ type: "=", name: "__name__", value: "sized" }]);
    expect(left.map((s) => s.ts.length)).toEqual([10, 10, 10]);
    expect(left.every((s) => s.ts[0]! >= old + 240 * 15_000)).toBe(true);
  });

  it("deletes a time range of matching series across chunks and head, and it stays deleted", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "del", k: "a" }, regular(T0, 250, (i) => i)), series({ __name__: "del", k: "b" }, regular(T0, 5, (i) => i)), series({ __name__: "keep" }, regular(T0, 5, (i) => i))]);
    // Samples 100..139 of k=a span the first sealed chunk's end and the second's start;
    // 245..249 are in the head. k=b loses everything and disappears.
    const r1 = await stub.deleteRange([{ type: "=", name: "__name__", value: "del" }, { type: "=", name: "k", value: "a" }], T0 + 100 * 15_000, T0 + 139 * 15_000);
    expect(r1).toEqual({ series: 0, samples: 40 });
    const r2 = await stub.deleteRange([{ type: "=", name: "k", value: "a" }], T0 + 245 * 15_000, T0 + 10_000 * 15_000);
    expect(r2).toEqual({ series: 0, samples: 5 });
    const r3 = await stub.deleteRange([{ type: "=", name: "k", value: "b" }], -8.64e15, 8.64e15);
    expect(r3).toEqual({ series: 1, samples: 5 });
    const expected = Array.from({ length: 250 }, (_, i) => i).filter((i) => (i < 100 || i > 139) && i < 245);
    const check = async () => {
      const storage = new ShardedStorage([stub]);
      const got = await readAll(storage, [{ type: "=", name: "__name__", value: "del" }]);
      expect(got).toHaveLength(1);
      expect([...got[0]!.vs]).toEqual(expected);
      expect([...got[0]!.ts]).toEqual(expected.map((i) => T0 + i * 15_000));
      expect(await storage.querier().labelValues("k", [], { start: -Infinity, end: Infinity })).toEqual(["a"]);
    };
    await check();
    // Recovery from SQLite alone (WAL replay included) must not bring anything back.
    await runInDurableObject(stub, (_instance, state) => {
      const reborn = new SeriesStore(state, env as never);
      expect(reborn.getStats().series).toBe(2);
      expect(reborn.getStats().chunkSamples + reborn.getStats().headSamples).toBe(expected.length + 5);
    });
    await check();
    // Appends continue after the deleted head samples.
    expect((await stub.append([series({ __name__: "del", k: "a" }, [[T0 + 250 * 15_000, 250]])])).rejected).toBe(0);
  });

  it("resolves every matcher type through the postings index", async () => {
    const stub = freshStore();
    await stub.append([
      series({ __name__: "m", job: "api", env: "prod" }, [[T0, 1]]),
      series({ __name__: "m", job: "api", env: "dev" }, [[T0, 1]]),
      series({ __name__: "m", job: "db" }, [[T0, 1]]),
      series({ __name__: "other", job: "db" }, [[T0, 1]]),
    ]);
    const pick = async (ms: { type: "=" | "!=" | "=~" | "!~"; name: string; value: string }[]) =>
      (await stub.select(ms, -Infinity, Infinity, undefined, "labels")).series.map((s) =>
        labelsFromKey(s.key).map((l) => `${l.name}=${l.value}`).join(","),
      );
    expect(await pick([{ type: "=", name: "env", value: "prod" }])).toEqual(["__name__=m,env=prod,job=api"]);
    expect(await pick([{ type: "=", name: "__name__", value: "m" }, { type: "!=", name: "env", value: "prod" }])).toEqual([
      "__name__=m,env=dev,job=api",
      "__name__=m,job=db",
    ]);
    expect(await pick([{ type: "=~", name: "job", value: "a.*" }, { type: "!~", name: "env", value: "d.v" }])).toEqual([
      "__name__=m,env=prod,job=api",
    ]);
    // env="" selects series without the label.
    expect(await pick([{ type: "=", name: "job", value: "db" }, { type: "=", name: "env", value: "" }])).toHaveLength(2);
    expect(await stub.labelValues("env", [], -Infinity, Infinity)).toEqual(["dev", "prod"]);
    expect(await stub.labelNames([{ type: "=", name: "job", value: "db" }], -Infinity, Infinity)).toEqual(["__name__", "job"]);
    expect(await stub.labelValues("job", [], T0 + 1, Infinity)).toEqual([]);
  });

  it("answers latest-only selects from the head without reading chunks", async () => {
    const stub = freshStore();
    const samples = regular(T0, 130, (i) => i);
    const end = samples.at(-1)![0];
    await stub.append([series({ __name__: "lat" }, samples), series({ __name__: "lat", gone: "1" }, [[end - 30_000, 1], [end - 15_000, STALE_NAN]])]);
    const storage = new ShardedStorage([stub]);
    const read = async (start: number, end: number) => {
      const out = [];
      for await (const s of storage.querier().select([{ type: "=", name: "__name__", value: "lat" }], { start, end, latestOnly: true })) out.push(s);
      return out;
    };
    const last = samples.at(-1)!;
    const now = await read(last[0] - 300_000, last[0] + 60_000);
    expect(now.map((s) => [...s.ts])).toEqual([[last[0]], [end - 15_000]]);
    expect(now[0]!.vs[0]).toBe(last[1]);
    expect(isStaleNaN(now[1]!.vs[0]!)).toBe(true);
    // Asked about the past, the store reads the newest sample in range from the chunks.
    const past = await read(T0 + 15_000 * 10, T0 + 15_000 * 20);
    expect([...past[0]!.ts]).toEqual([samples[20]![0]]);
    expect(past[0]!.vs[0]).toBe(samples[20]![1]);
    // selectLatest answers the same in columns.
    const cols = await storage.querier().selectLatest!([{ type: "=", name: "__name__", value: "lat" }], { start: last[0] - 300_000, end: last[0] + 60_000 });
    expect(cols.labels).toEqual(now.map((s) => s.labels));
    expect([...cols.ts]).toEqual([last[0], end - 15_000]);
    expect(cols.vs[0]).toBe(last[1]);
    expect(isStaleNaN(cols.vs[1]!)).toBe(true);
  });

  it("pages large selects and merges shards back into label order", async () => {
    const shards = [freshStore(), freshStore()];
    const storage = new ShardedStorage(shards);
    const app = storage.appender();
    for (let i = 0; i < 2500; i++) app.append(labelsFromRecord({ __name__: "many", i: String(i).padStart(5, "0") }), T0, i);
    expect((await app.commit()).appended).toBe(2500);
    const counts = await Promise.all(shards.map(async (s) => (await s.getStats()).series));
    expect(counts.every((c) => c > 500)).toBe(true);
    const got = await readAll(storage, [{ type: "=", name: "__name__", value: "many" }]);
    expect(got).toHaveLength(2500);
    expect(got.map((s) => s.vs[0])).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });
});

describe("SeriesStore select cursors", () => {
  const many = (n: number, name = "paged") => Array.from({ length: n }, (_, i) => series({ __name__: name, i: String(i).padStart(5, "0") }, [[T0, i]]));
  const sel = [{ type: "=" as const, name: "__name__", value: "paged" }];

  async function pageAll(first: (c?: SelectCursor) => Promise<SelectPage> | SelectPage, between: (page: number) => Promise<void> | void) {
    const keys: string[] = [];
    let cursor: SelectCursor | undefined;
    for (let page = 0; ; page++) {
      const got = await first(cursor);
      keys.push(...got.series.map((s) => s.key));
      if (got.cursor === undefined) return keys;
      // A select that restarts would page forever.
      if (page > 10) throw new Error(`still paging after ${keys.length} series`);
      cursor = got.cursor;
      await between(page);
    }
  }

  it("resumes after the last returned series when the object restarts between pages", async () => {
    const stub = freshStore();
    await stub.append(many(2500));
    const want = many(2500).map((s) => s.key);
    await runInDurableObject(stub, async (instance, state) => {
      let store = instance as SeriesStore;
      // Every page after the first is answered by a fresh object over the same storage,
      // as after an eviction: no memory of the query survives.
      const keys = await pageAll(
        (c) => store.select(sel, -Infinity, Infinity, c),
        () => {
          store = new SeriesStore(state, env as never);
        },
      );
      expect(keys).toEqual(want);
    });
  });

  it("neither repeats nor skips series when deleteRange runs between pages", async () => {
    const stub = freshStore();
    await stub.append([...many(2500), ...many(3, "other")]);
    const keys = await pageAll(
      (c) => stub.select(sel, -Infinity, Infinity, c),
      async () => {
        await stub.deleteRange([{ type: "=", name: "__name__", value: "other" }], -8.64e15, 8.64e15);
      },
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(many(2500).map((s) => s.key));
  });

  it("leaves out series deleted between pages and still returns the rest once", async () => {
    const stub = freshStore();
    await stub.append(many(2500));
    const gone = new Set<string>();
    const keys = await pageAll(
      (c) => stub.select(sel, -Infinity, Infinity, c, "labels"),
      () => undefined,
    );
    expect(keys).toHaveLength(2500);
    const paged = await pageAll(
      (c) => stub.select(sel, -Infinity, Infinity, c),
      async (page) => {
        // Delete one series not yet returned and one already returned.
        const later = many(2500)[(page + 1) * 1000 + 5]!;
        const earlier = many(2500)[page * 1000 + 7]!;
        for (const s of [later, earlier]) {
          gone.add(s.key);
          await stub.deleteRange(labelsFromKey(s.key).map((l) => ({ type: "=" as const, name: l.name, value: l.value })), -8.64e15, 8.64e15);
        }
      },
    );
    expect(new Set(paged).size).toBe(paged.length);
    const laterGone = many(2500).filter((_, i) => i % 1000 === 5 && i >= 1000).map((s) => s.key);
    expect(paged).toEqual(many(2500).map((s) => s.key).filter((k) => !laterGone.includes(k)));
    expect(gone.size).toBe(4);
  });
});
