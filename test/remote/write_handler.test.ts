import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/model/limits.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";

function post(labels: Record<string, string>[]): Request {
  const body = encodeRemoteWriteBody({
    timeseries: labels.map((l) => ({ labels: Object.entries(l).map(([name, value]) => ({ name, value })), samples: [{ t: 1_700_000_000_000, v: 1 }] })),
  });
  return new Request("http://x/api/v1/write", { method: "POST", body, headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" } });
}

describe("remote write limits", () => {
  it("rejects a request with a series beyond the label limits whole, writing nothing", async () => {
    const storage = new MemoryStorage();
    const wide: Record<string, string> = { __name__: "wide" };
    for (let i = 0; i < 10; i++) wide[`l${i}`] = "v";
    const res = await remoteWriteHandler(post([{ __name__: "fine", a: "1" }, wide]), storage, { maxBodyBytes: 1 << 20, limits: { ...DEFAULT_LIMITS, labelsPerSeries: 8 } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^request rejected, nothing was written: series wide\{.*\} has 11 labels, more than the limit of 8\n$/);
    expect((await storage.stats()).series).toBe(0);
    const ok = await remoteWriteHandler(post([{ __name__: "fine", a: "1" }]), storage, { maxBodyBytes: 1 << 20, limits: { ...DEFAULT_LIMITS, labelsPerSeries: 8 } });
    expect(ok.status).toBe(204);
    expect((await storage.stats()).series).toBe(1);
  });
});
