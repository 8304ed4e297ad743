import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/model/limits.js";
import { Gateway, type GroupPersistence } from "../../src/pushgateway/gateway.js";
import { gatewayApp } from "../../src/pushgateway/http_api.js";
import type { MetricGroup } from "../../src/pushgateway/metric_store.js";

/** Saves to a Map: the gateway logic is the real one, only SQLite is left out. */
class MapPersistence implements GroupPersistence {
  readonly rows = new Map<string, MetricGroup>();
  save(g: MetricGroup): void {
    this.rows.set(g.key, g);
  }
  remove(key: string): void {
    this.rows.delete(key);
  }
}

describe("the gateway's HTTP API", () => {
  it("refuses a push beyond the series and label limits whole, persisting nothing", async () => {
    const db = new MapPersistence();
    const app = gatewayApp(new Gateway(db, "test"), { maxBodyBytes: 1 << 20, limits: { ...DEFAULT_LIMITS, seriesPerPush: 3, labelsPerSeries: 4 }, adminApi: false });
    const many = await app.request("/pushgateway/metrics/job/j", { method: "PUT", body: "a 1\nb 1\nc 1\nd 1\n" });
    expect(many.status).toBe(400);
    expect(await many.text()).toBe("push rejected, nothing was changed: 4 series in one push, more than the limit of 3\n");
    const wide = await app.request("/pushgateway/metrics/job/j/instance/i", { method: "PUT", body: 'a{x="1",y="2"} 1\n' });
    expect(wide.status).toBe(400);
    expect(await wide.text()).toMatch(/has 5 labels, more than the limit of 4\n$/);
    expect(db.rows.size).toBe(0);
    expect((await app.request("/pushgateway/metrics/job/j", { method: "PUT", body: 'a{x="1"} 1\n' })).status).toBe(200);
    expect(db.rows.size).toBe(1);
  });

  it("answers 413 for a body over the size limit", async () => {
    const app = gatewayApp(new Gateway(new MapPersistence(), "test"), { maxBodyBytes: 10, adminApi: false });
    const r = await app.request("/pushgateway/metrics/job/j", { method: "PUT", body: "a_long_metric_name 1\n" });
    expect(r.status).toBe(413);
  });
});
