import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { XorChunk } from "../../src/chunkenc/xor.js";
import { labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import { ShardedStorage, type ShardClient } from "../../src/storage/sharded_storage.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore, regular, series } from "./store_helpers.js";

const NOW = Date.now();
const H2 = 7_200_000;
/** Four 2h ranges back, so that every chunk below is sealed and its range closed. */
const T0 = Math.floor(NOW / H2) * H2 - 4 * H2;

async function readAll(store: ShardClient, name: string) {
  const storage = new ShardedStorage([store]);
  const out = [];
  for await (const s of storage.querier().select([{ type: "=", name: "__name__", value: name }], { start: -Infinity, end: Infinity })) out.push(s);
  return out;
}

function buf(b: Uint8Array): ArrayBuffer {
  return b.slice().buffer as ArrayBuffer;
}

describe("packed blocks in a SeriesStore", () => {
  it("packs a thousand series' sealed chunks into one block row at a checkpoint", async () => {
    const stub = freshStore();
    const batch = Array.from({ length: 1000 }, (_, i) => series({ __name__: "wide", i: String(i) }, regular(T0, 130, (k) => k + i)));
    await stub.append(batch);
    await stub.checkpoint();
    const layout = await stub.storageLayout();
    expect(layout.sealedChunks).toBe(1000);
    expect(layout.blockRows).toBe(1);
    expect(layout.seriesSegmentRows).toBe(1);
    expect(layout.headSnapshotRows).toBe(1);
    expect(layout.walRows).toBe(0);
    // Every row this store wrote (WAL, series, block, snapshot, SQLite's own
    // bookkeeping), per sealed chunk.
    expect(layout.rowsWritten / layout.sealedChunks).toBeLessThan(0.05);
    const got = await readAll(stub, "wide");
    expect(got).toHaveLength(1000);
    expect(got.every((s) => s.ts.length === 130)).toBe(true);
  });

  it("merges a closed 2h range's block rows and answers the same", async () => {
    const stub = freshStore();
    const samples = regular(T0, 4 * 480, (k) => k * 2);
    // Many checkpoints, each packing the chunks sealed since the one before.
    for (let k = 0; k < samples.length; k += 60) {
      await stub.append([series({ __name__: "c" }, samples.slice(k, k + 60)), series({ __name__: "c", x: "2" }, samples.slice(k, k + 60))]);
      await stub.checkpoint();
    }
    const before = await stub.storageLayout();
    await runInDurableObject(stub, (obj) => (obj as SeriesStore).compact());
    const after = await stub.storageLayout();
    expect(after.blockRows).toBeLessThan(before.blockRows);
    // One row per closed 2h range (three); the newest range is still open and keeps
    // one row per checkpoint that sealed a chunk in it (three).
    expect(after.blockRows).toBe(6);
    expect(after.sealedChunks).toBe(before.sealedChunks);
    const got = await readAll(stub, "c");
    expect(got).toHaveLength(2);
    for (const s of got) {
      expect([...s.ts]).toEqual(samples.map((x) => x[0]));
      expect([...s.vs]).toEqual(samples.map((x) => x[1]));
    }
  });

  it("drops whole blocks past the retention", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "r" }, regular(T0, 480 * 2 + 10, (k) => k))]);
    await stub.checkpoint();
    await runInDurableObject(stub, (obj) => {
      const store = obj as SeriesStore;
      // The first 2h range ends before the cutoff, the second does not.
      const r = store.enforceRetention(T0 + H2 + 60_000);
      expect(r.chunks).toBe(4);
      expect(store.getStats().chunkSamples).toBe(480);
    });
    const [s] = await readAll(stub, "r");
    expect(s!.ts[0]).toBe(T0 + H2);
    expect(s!.ts.length).toBe(490);
  });

  it("reads and converts a store written with one row per series, posting and chunk", async () => {
    const stub = freshStore();
    // Rows as schema 0000's code wrote them: series, postings, a sealed chunk, a head
    // row, and WAL rows after the head row.
    const key = labelsKey(labelsFromRecord({ __name__: "legacy", job: "j" }));
    const sealed = new XorChunk();
    for (let i = 0; i < 120; i++) sealed.append(T0 + i * 15_000, i);
    const head = new XorChunk();
    for (let i = 120; i < 125; i++) head.append(T0 + i * 15_000, i);
    await runInDurableObject(stub, (_obj, state) => {
      const sql = state.storage.sql;
      sql.exec("INSERT INTO series (id, labels, created_at) VALUES (1, ?, 0)", key);
      sql.exec("INSERT INTO postings (name, value, series_id) VALUES ('__name__', 'legacy', 1), ('job', 'j', 1)");
      sql.exec("INSERT INTO chunks (series_id, min_time, max_time, num_samples, ooo, data) VALUES (1, ?, ?, 120, 0, ?)", T0, T0 + 119 * 15_000, buf(sealed.bytes()));
      sql.exec("INSERT INTO head_chunks (series_id, seq, head, ooo) VALUES (1, 4, ?, NULL)", buf(head.bytes()));
      const wal = new Float64Array([1, 2, T0 + 125 * 15_000, 125, T0 + 126 * 15_000, 126]);
      // seq 3 is already in the head row and must not be replayed again.
      sql.exec("INSERT INTO wal (seq, data) VALUES (3, ?), (5, ?)", buf(new Uint8Array(new Float64Array([1, 1, T0, -1]).buffer)), buf(new Uint8Array(wal.buffer)));

      const reborn = new SeriesStore(state, env as never);
      const count = (t: string) => sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).one().n;
      expect([count("series"), count("postings"), count("chunks"), count("head_chunks"), count("wal")]).toEqual([0, 0, 0, 0, 0]);
      expect(count("blocks")).toBe(1);
      expect(reborn.labelValues("job", [], -Infinity, Infinity)).toEqual(["j"]);
    });
    // A fresh object over the converted rows.
    await runInDurableObject(stub, async (_obj, state) => {
      const reborn = new SeriesStore(state, env as never);
      const [s] = await readAll(reborn, "legacy");
      expect([...s!.vs]).toEqual(Array.from({ length: 127 }, (_, i) => i));
      expect(s!.ts[126]).toBe(T0 + 126 * 15_000);
      expect(reborn.append([series({ __name__: "legacy", job: "j" }, [[T0 + 127 * 15_000, 127]])]).appended).toBe(1);
      // A new series gets a new id, not the legacy one.
      reborn.append([series({ __name__: "legacy", job: "k" }, [[T0, 0]])]);
      expect((await readAll(reborn, "legacy")).map((x) => x.ts.length)).toEqual([128, 1]);
    });
  });
});
