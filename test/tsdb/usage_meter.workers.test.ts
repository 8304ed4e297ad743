import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import { freshStore, regular, series } from "./store_helpers.js";

const NOW = Date.now();
const T0 = NOW - 3600_000;

describe("SeriesStore usage meter", () => {
  it("counts the rows an append writes, new series and steady state apart, and every request", async () => {
    const stub = freshStore();
    const n = 300;
    const batch = (t: number) => Array.from({ length: n }, (_, i) => series({ __name__: "meter_m", job: "j", i: String(i) }, [[t, i]]));
    await stub.append(batch(T0));
    const first = (await stub.getStats()).usage;
    // The WAL row and one catalog row holding all 300 new series (packed, postings are
    // rebuilt in memory): rows written do not grow with the number of series.
    expect(first.rowsWritten).toBeGreaterThanOrEqual(2);
    expect(first.rowsWritten).toBeLessThan(8);
    // The append and this getStats; the constructor's recovery is no request.
    expect(first.requests).toBe(2);
    expect(first.activeMs).toBeGreaterThanOrEqual(0);

    await stub.append(batch(T0 + 15_000));
    const second = (await stub.getStats()).usage;
    // Known series: the batch is one WAL row and nothing else.
    expect(second.rowsWritten - first.rowsWritten).toBe(1);
    expect(second.requests).toBe(4);
  });

  it("counts the rows a select reads from sealed chunks", async () => {
    const stub = freshStore();
    await stub.append([series({ __name__: "meter_sealed" }, regular(T0, 400, (i) => i))]);
    // Sealed chunks wait in memory (durable through the WAL) until a checkpoint packs
    // them into a block row; read after it, they come from SQLite.
    await stub.checkpoint();
    const before = (await stub.getStats()).usage;
    const storage = new ShardedStorage([stub]);
    let samples = 0;
    for await (const s of storage.querier().select([{ type: "=", name: "__name__", value: "meter_sealed" }], { start: -Infinity, end: Infinity })) samples += s.ts.length;
    expect(samples).toBe(400);
    const after = (await stub.getStats()).usage;
    // The sealed chunks come from their block row (and its index); the head from memory.
    expect(after.rowsRead - before.rowsRead).toBeGreaterThanOrEqual(1);
    expect(after.requests - before.requests).toBe(2);
  });

  it("exposes the shards' and the scheduler's usage on /metrics, growing with a remote write", async () => {
    const read = async () => {
      const text = await (await SELF.fetch("http://region/metrics")).text();
      const get = (name: string, cls: string) => Number(new RegExp(`^${name}\\{class="${cls}",tier="test"\\} (\\S+)$`, "m").exec(text)?.[1]);
      return {
        written: get("edgeprom_durable_object_rows_written_total", "SeriesStore"),
        requests: get("edgeprom_durable_object_requests_total", "SeriesStore"),
        schedulerRequests: get("edgeprom_durable_object_requests_total", "ScrapeScheduler"),
      };
    };
    const before = await read();
    const body = encodeRemoteWriteBody({
      timeseries: Array.from({ length: 20 }, (_, i) => ({
        labels: [
          { name: "__name__", value: "meter_rw" },
          { name: "i", value: `${NOW}-${i}` },
        ],
        samples: [{ t: NOW - 1000, v: i }],
      })),
    });
    const w = await SELF.fetch("http://region/api/v1/write", { method: "POST", headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" }, body });
    expect(w.status).toBe(204);
    const after = await read();
    // A WAL row and a catalog row per shard touched.
    expect(after.written - before.written).toBeGreaterThanOrEqual(2);
    expect(after.requests).toBeGreaterThan(before.requests);
    // Reading /metrics asks the scheduler for its usage: that is a request too.
    expect(after.schedulerRequests).toBeGreaterThan(before.schedulerRequests);
  });
});
