import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import type { AppendBatch } from "../../src/tsdb/rpc.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore } from "./store_helpers.js";

const NOW = Date.now();
// Inside the 15d retention, a whole number of seconds.
const T0 = Math.floor((NOW - 4 * 86_400_000) / 1000) * 1000;

/** One series with n samples, one per second. */
function longSeries(n: number): AppendBatch {
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + i * 1000;
    vs[i] = i * 0.5;
  }
  return { keys: [keyOf({ __name__: "long_series", job: "big" })], counts: Uint32Array.of(n), ts, vs };
}

function keyOf(rec: Record<string, string>): string {
  return labelsKey(labelsFromRecord(rec));
}

/** n series with one sample each. */
function wideBatch(n: number): AppendBatch {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(keyOf({ __name__: "wide_series", i: String(i) }));
  return { keys, counts: new Uint32Array(n).fill(1), ts: new Float64Array(n).fill(T0), vs: Float64Array.from({ length: n }, (_, i) => i) };
}

function writeRequest(timeseries: { labels: { name: string; value: string }[]; samples: { t: number; v: number }[] }[]): Request {
  const body = encodeRemoteWriteBody({ timeseries });
  return new Request("http://x/api/v1/write", { method: "POST", body, headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" } });
}

describe("SeriesStore batches inside the documented limits", () => {
  it("stores one series with 300k samples in one append and reloads it from SQLite", { timeout: 180_000 }, async () => {
    const stub = freshStore();
    const batch = longSeries(300_000);
    expect((await stub.append(batch)).appended).toBe(300_000);
    await runInDurableObject(stub, async (_i, state) => {
      const reborn = new SeriesStore(state, env as never);
      const page = reborn.select([{ type: "=", name: "__name__", value: "long_series" }], -Infinity, Infinity);
      const storage = new ShardedStorage([reborn]);
      const got = [];
      for await (const s of storage.querier().select([{ type: "=", name: "__name__", value: "long_series" }], { start: -Infinity, end: Infinity })) got.push(s);
      expect(page.series).toHaveLength(1);
      expect(got[0]!.ts).toEqual(batch.ts);
      expect(got[0]!.vs).toEqual(batch.vs);
    });
  });

  it("stores 200k new series in one append and reloads them from SQLite", { timeout: 180_000 }, async () => {
    const stub = freshStore();
    expect((await stub.append(wideBatch(200_000))).appended).toBe(200_000);
    await runInDurableObject(stub, async (_i, state) => {
      const reborn = new SeriesStore(state, env as never);
      expect(reborn.getStats().series).toBe(200_000);
      const storage = new ShardedStorage([reborn]);
      const got = [];
      for await (const s of storage.querier().select([{ type: "=~", name: "i", value: "1999.." }], { start: -Infinity, end: Infinity })) got.push(s);
      expect(got.map((s) => s.vs[0]).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 100 }, (_, k) => 199_900 + k));
    });
  });
});

it("replays a series named twice in one batch after its first part sealed a chunk", async () => {
  const stub = freshStore();
  const key = keyOf({ __name__: "twice" });
  const n = 135;
  const ts = Float64Array.from({ length: n }, (_, i) => T0 + i * 15_000);
  const vs = Float64Array.from({ length: n }, (_, i) => i);
  expect((await stub.append({ keys: [key, key], counts: Uint32Array.of(130, 5), ts, vs })).appended).toBe(n);
  await runInDurableObject(stub, (_i, state) => {
    const reborn = new SeriesStore(state, env as never);
    const st = reborn.getStats();
    expect(st.chunkSamples + st.headSamples).toBe(n);
  });
});

describe("remote write into SeriesStore shards", () => {
  it("stores a 200k-series request (about 1.5 MB) and answers 204", { timeout: 180_000 }, async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const timeseries = Array.from({ length: 200_000 }, (_, i) => ({
      labels: [{ name: "__name__", value: "rw_wide" }, { name: "instance", value: `host-${i}:9100` }, { name: "job", value: "node" }],
      samples: [{ t: T0, v: i }],
    }));
    const req = writeRequest(timeseries);
    const res = await remoteWriteHandler(req, storage, { maxBodyBytes: 32 << 20 });
    expect(res.status).toBe(204);
    expect((await stub.getStats()).series).toBe(200_000);
    await runInDurableObject(stub, (_i, state) => {
      const reborn = new SeriesStore(state, env as never);
      expect(reborn.getStats().series).toBe(200_000);
      expect(reborn.labelValues("instance", [], -Infinity, Infinity)).toHaveLength(200_000);
    });
  });

  it("stores one series with 300k samples sent in one request and answers 204", { timeout: 180_000 }, async () => {
    const stub = freshStore();
    const storage = new ShardedStorage([stub]);
    const samples = Array.from({ length: 300_000 }, (_, i) => ({ t: T0 + i * 1000, v: i }));
    const res = await remoteWriteHandler(writeRequest([{ labels: [{ name: "__name__", value: "rw_long" }], samples }]), storage, { maxBodyBytes: 32 << 20 });
    expect(res.status).toBe(204);
    await runInDurableObject(stub, async (_i, state) => {
      const reborn = new SeriesStore(state, env as never);
      const st = reborn.getStats();
      expect(st.chunkSamples + st.headSamples).toBe(300_000);
    });
  });
});
