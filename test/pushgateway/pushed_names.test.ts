import { describe, expect, it } from "vitest";
import { Gateway } from "../../src/pushgateway/gateway.js";
import { gatewayApp } from "../../src/pushgateway/http_api.js";
import { newDtoMetric, type DtoFamily } from "../../src/textparse/dto.js";
import { DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { parseExposition } from "../../src/textparse/index.js";

// Found by test/fuzz/pushgateway.test.ts: a protobuf push may name a family anything
// ("a-b", "", "a\nb"); such a push was stored, and from then on the gateway's /metrics
// answered 500, so the tier's scrape of every pushed group failed. Label names with
// Prometheus' reserved "__" prefix, which client_golang refuses, were stored as well.
describe("names in protobuf pushes", () => {
  function gateway() {
    const gw = new Gateway({ save() {}, remove() {} }, "test");
    return gatewayApp(gw, { maxBodyBytes: 1 << 20, adminApi: false });
  }
  function family(name: string, labels: { name: string; value: string }[] = []): DtoFamily {
    const m = newDtoMetric(labels, "gauge");
    m.value = 1;
    return { name, help: "", type: "GAUGE", metrics: [m] };
  }
  async function push(app: ReturnType<typeof gateway>, f: DtoFamily): Promise<[number, string]> {
    const res = await app.request("http://gw/pushgateway/metrics/job/j", { method: "PUT", body: encodeDelimitedFamilies([f]), headers: { "content-type": DELIMITED_PROTOBUF_TYPE } });
    return [res.status, await res.text()];
  }

  it("refuse a metric name the exposition formats cannot carry, and /metrics keeps working", async () => {
    const app = gateway();
    for (const name of ["a-b", "", "a\nb", "1x"]) {
      expect(await push(app, family(name))).toEqual([400, `pushed metrics are invalid or inconsistent with existing metrics: ${JSON.stringify(name)} is not a valid metric name\n`]);
    }
    const res = await app.request("http://gw/pushgateway/metrics");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => parseExposition(text, "text")).not.toThrow();
  });

  it("refuse reserved label names with the real gateway's answer (checked against Debian's pushgateway 1.5.1)", async () => {
    const res = await gateway().request("http://gw/pushgateway/metrics/job/a", { method: "PUT", body: 'm{__x="1"} 1\n' });
    expect([res.status, await res.text()]).toEqual([
      400,
      'pushed metrics are invalid or inconsistent with existing metrics: collected metric "m" { label:<name:"__x" value:"1" > label:<name:"instance" value:"" > label:<name:"job" value:"a" > untyped:<value:1 > } has a label with an invalid name: __x\n',
    ]);
    const [status] = await push(gateway(), family("m", [{ name: "__x", value: "1" }]));
    expect(status).toBe(400);
  });

  it("accept every valid name, colons included", async () => {
    expect(await push(gateway(), family("a:b_c", [{ name: "_x", value: "1" }]))).toEqual([200, ""]);
  });
});
