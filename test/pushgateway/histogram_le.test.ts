import { describe, expect, it } from "vitest";
import { Gateway } from "../../src/pushgateway/gateway.js";
import { gatewayApp } from "../../src/pushgateway/http_api.js";
import { parseExposition } from "../../src/textparse/index.js";

// Found by test/fuzz/pushgateway.test.ts: a histogram pushed to a group whose grouping
// key has an "le" label (PUT /metrics/job/x/le/1) was stored, and every bucket was
// then exposed with two "le" labels: the gateway's /metrics no longer parsed, so the
// scrape of all its groups failed. Such a push is refused, as a summary with a
// "quantile" grouping label already was.
describe("histograms in a group keyed by le", () => {
  const app = () => gatewayApp(new Gateway({ save() {}, remove() {} }, "test"), { maxBodyBytes: 1 << 20, adminApi: false });
  const body = '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';

  it("are refused and leave /metrics parseable", async () => {
    const gw = app();
    const res = await gw.request("http://gw/pushgateway/metrics/job/x/le/1", { method: "PUT", body });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^pushed metrics are invalid or inconsistent with existing metrics: collected metric "h" \{ .* \} must not have an explicit "le" label\n$/);
    const text = await (await gw.request("http://gw/pushgateway/metrics")).text();
    expect(() => parseExposition(text, "text")).not.toThrow();
  });

  it("are accepted under any other grouping key, and other types under le", async () => {
    const gw = app();
    expect((await gw.request("http://gw/pushgateway/metrics/job/x/instance/1", { method: "PUT", body })).status).toBe(200);
    expect((await gw.request("http://gw/pushgateway/metrics/job/y/le/1", { method: "PUT", body: "g 1\n" })).status).toBe(200);
    const text = await (await gw.request("http://gw/pushgateway/metrics")).text();
    expect(() => parseExposition(text, "text")).not.toThrow();
  });
});
