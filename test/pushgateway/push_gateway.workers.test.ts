import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PushGateway } from "../../src/pushgateway/push_gateway.js";
import { pushgatewayObjectName } from "../../src/scrape/pushgateway_job.js";
import { DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { newDtoMetric } from "../../src/textparse/dto.js";

const GW = "http://region/pushgateway";

function push(method: string, path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(GW + path, { method, body, headers });
}

async function exposition(): Promise<string[]> {
  const text = await (await SELF.fetch(GW + "/metrics")).text();
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("pushgateway_") && !l.startsWith("push_"));
}

describe("the region's Pushgateway", () => {
  it("takes text pushes under /pushgateway and exposes them with the grouping labels", async () => {
    const r = await push("PUT", "/metrics/job/backup/instance/db1", "# TYPE backup_last_success gauge\nbackup_last_success 1.7e9\nbackup_bytes{kind=\"full\"} 42\n");
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("");
    const lines = await exposition();
    expect(lines).toContain('backup_last_success{instance="db1",job="backup"} 1.7e+09');
    expect(lines).toContain('backup_bytes{instance="db1",job="backup",kind="full"} 42');
  });

  it("keeps the region's own /metrics and API separate from the gateway's", async () => {
    const own = await (await SELF.fetch("http://region/metrics")).text();
    expect(own).not.toContain("backup_bytes");
    expect((await SELF.fetch(GW + "/-/healthy")).status).toBe(200);
  });

  it("takes the delimited protobuf bodies Go's client sends", async () => {
    const m = newDtoMetric([{ name: "stage", value: "load" }], "counter");
    m.value = 7;
    const body = encodeDelimitedFamilies([{ name: "etl_rows_total", help: "Rows.", type: "COUNTER", metrics: [m] }]);
    const r = await push("POST", "/metrics/job@base64/ZXRs/path@base64/L3Zhci9sb2c", body, { "content-type": DELIMITED_PROTOBUF_TYPE });
    expect(r.status).toBe(200);
    expect(await exposition()).toContain('etl_rows_total{instance="",job="etl",path="/var/log",stage="load"} 7');
  });

  it("rejects a push with timestamps whole and records the failure time", async () => {
    const r = await push("PUT", "/metrics/job/ts", "a_metric 1 1700000000000\n");
    expect(r.status).toBe(400);
    expect(await r.text()).toBe("pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps\n");
    const groups = (await (await SELF.fetch(GW + "/api/v1/metrics")).json()) as { data: Record<string, any>[] };
    const g = groups.data.find((x) => x["labels"].job === "ts")!;
    expect(g["last_push_successful"]).toBe(false);
    expect(g["a_metric"]).toBeUndefined();
    expect(Number(g["push_failure_time_seconds"].metrics[0].value)).toBeGreaterThan(1.7e9);
    expect(g["push_time_seconds"].metrics[0].value).toBe("0");
  });

  it("deletes a group and answers 202", async () => {
    await push("PUT", "/metrics/job/gone", "gone_metric 1\n");
    expect((await SELF.fetch(GW + "/metrics/job/gone", { method: "DELETE" })).status).toBe(202);
    expect((await exposition()).some((l) => l.startsWith("gone_metric"))).toBe(false);
  });

  it("keeps every group across a restart of its Durable Object", async () => {
    await push("PUT", "/metrics/job/durable/instance/x", "# HELP kept_metric Kept.\n# TYPE kept_metric summary\nkept_metric{quantile=\"0.5\"} 3\nkept_metric_sum 9\nkept_metric_count 3\n");
    const before = await (await SELF.fetch(GW + "/metrics")).text();
    const stub = env.PUSHGATEWAY!.get(env.PUSHGATEWAY!.idFromName(pushgatewayObjectName(env.TIER)));
    // A fresh instance over the same storage is what an eviction or restart gives.
    const after = await runInDurableObject(stub, async (_obj, state) => {
      const fresh = new PushGateway(state, env);
      return (await fresh.fetch(new Request(GW + "/metrics"))).text();
    });
    const strip = (s: string) => s.split("\n").filter((l) => !l.startsWith("pushgateway_http_requests_total") && !l.includes("pushgateway_http_requests_total")).join("\n");
    expect(strip(after)).toBe(strip(before));
    expect(after).toContain('kept_metric_sum{instance="x",job="durable"} 9');
  });

  it("answers an unchanged exposition 304 Not Modified for its entity tag, and a changed one in full", async () => {
    await push("PUT", "/metrics/job/tagged", "tagged_metric 1\n");
    const first = await SELF.fetch(GW + "/metrics");
    const tag = first.headers.get("etag")!;
    expect(tag).toMatch(/^".+"$/);
    const again = await SELF.fetch(GW + "/metrics", { headers: { "if-none-match": tag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    // Another format is another body.
    const proto = await SELF.fetch(GW + "/metrics", { headers: { "if-none-match": tag, accept: DELIMITED_PROTOBUF_TYPE } });
    expect(proto.status).toBe(200);
    expect(proto.headers.get("etag")).not.toBe(tag);
    // A push changes the exposition, and so does a counted request (the gateway's own counters).
    await push("PUT", "/metrics/job/tagged", "tagged_metric 2\n");
    const pushed = await SELF.fetch(GW + "/metrics", { headers: { "if-none-match": tag } });
    expect(pushed.status).toBe(200);
    expect(await pushed.text()).toContain('tagged_metric{instance="",job="tagged"} 2');
    const tag2 = pushed.headers.get("etag")!;
    await SELF.fetch(GW + "/-/healthy");
    expect((await SELF.fetch(GW + "/metrics", { headers: { "if-none-match": tag2 } })).status).toBe(200);
    // A restarted instance never takes an earlier instance's tag for its own.
    const stub = env.PUSHGATEWAY!.get(env.PUSHGATEWAY!.idFromName(pushgatewayObjectName(env.TIER)));
    const tag3 = (await SELF.fetch(GW + "/metrics")).headers.get("etag")!;
    const fresh = await runInDurableObject(stub, async (_obj, state) => (await new PushGateway(state, env).fetch(new Request(GW + "/metrics", { headers: { "if-none-match": tag3 } }))).status);
    expect(fresh).toBe(200);
  });

  it("asks for the write token on writes only when one is configured", async () => {
    // The test worker has no WRITE_TOKEN: writes are open, and reads always are.
    expect((await SELF.fetch(GW + "/api/v1/status")).status).toBe(200);
    expect((await SELF.fetch(GW + "/nope")).status).toBe(404);
  });
});
