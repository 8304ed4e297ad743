import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { encodeRemoteWriteBody, type WriteRequestInput } from "../../src/remote/write_request.js";

// Found by test/fuzz/remote_write.test.ts: a timeseries without labels (or with only
// empty values) made the appender throw, and the request failed with a 500. Prometheus
// skips series without a metric name and stores the rest; here the answer names them.
describe("remote write series without a metric name", () => {
  async function write(req: WriteRequestInput): Promise<[number, string, number]> {
    const storage = new MemoryStorage();
    const res = await remoteWriteHandler(new Request("http://x/api/v1/write", { method: "POST", body: encodeRemoteWriteBody(req) }), storage, { maxBodyBytes: 1 << 20 });
    return [res.status, await res.text(), (await storage.stats()).samplesAppended];
  }

  it("are skipped, the rest stored, and the 400 says which", async () => {
    const got = await write({
      timeseries: [
        { labels: [], samples: [{ t: 1, v: 1 }] },
        { labels: [{ name: "job", value: "a" }, { name: "__name__", value: "" }], samples: [{ t: 1, v: 1 }, { t: 2, v: 2 }] },
        { labels: [{ name: "__name__", value: "up" }], samples: [{ t: 1, v: 1 }] },
      ],
    });
    expect(got).toEqual([400, '3 samples dropped: series without a metric name: {}, {job="a"}\n', 1]);
  });

  it("without samples change nothing", async () => {
    expect(await write({ timeseries: [{ labels: [], samples: [] }, { labels: [{ name: "__name__", value: "up" }], samples: [{ t: 1, v: 1 }] }] })).toEqual([204, "", 1]);
  });
});
