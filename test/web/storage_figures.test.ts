import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { metricsHandler } from "../../src/telemetry/metrics_handler.js";
import { Registry } from "../../src/telemetry/registry.js";
import { storageCollector } from "../../src/telemetry/storage_collector.js";
import { storageFigures } from "../../src/web/client/status/storage_figures.js";

describe("storage figures from /metrics", () => {
  it("reads what the tier's own /metrics says about its storage", async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    const t0 = Date.now() - 60_000;
    app.append(labelsFromRecord({ __name__: "a" }), t0, 1);
    app.append(labelsFromRecord({ __name__: "b" }), t0, 1);
    app.append(labelsFromRecord({ __name__: "a" }), t0 + 15_000, 2);
    await app.commit();
    const late = st.appender();
    late.append(labelsFromRecord({ __name__: "a" }), t0, 5);
    await late.commit();
    const registry = new Registry();
    registry.register(storageCollector(() => st, "t"));
    const text = await (await metricsHandler(new Request("http://x/metrics"), registry)).text();
    const f = storageFigures(text)!;
    const stats = await st.stats();
    expect(f.series).toBe(2);
    expect(f.samplesAppended).toBe(stats.samplesAppended);
    expect(f.duplicateRejected + f.outOfOrderRejected).toBe(stats.duplicateRejected + stats.outOfOrderRejected);
    expect(f.duplicateRejected + f.outOfOrderRejected).toBeGreaterThan(0);
    expect(f.bytesPerSample).toBe(stats.chunkSamples > 0 ? stats.chunkBytes / stats.chunkSamples : null);
  });

  it("says nothing for an exposition without storage figures", () => {
    expect(storageFigures("# TYPE up gauge\nup 1\n")).toBeNull();
  });
});
