import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snappyCompress } from "../../src/remote/snappy.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";

const NOW = Date.now();

function write(timeseries: { labels: Record<string, string>; samples: [number, number][] }[]): Promise<Response> {
  const body = encodeRemoteWriteBody({
    timeseries: timeseries.map((ts) => ({
      labels: Object.entries(ts.labels).map(([name, value]) => ({ name, value })),
      samples: ts.samples.map(([t, v]) => ({ t, v })),
    })),
  });
  return SELF.fetch("http://region/api/v1/write", {
    method: "POST",
    headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" },
    body,
  });
}

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`http://region${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe("region HTTP API", () => {
  it("answers health and readiness like Prometheus", async () => {
    expect(await (await SELF.fetch("http://region/-/healthy")).text()).toBe("Prometheus Server is Healthy.\n");
    expect((await SELF.fetch("http://region/-/ready")).status).toBe(200);
  });

  it("takes remote write and lists the series, labels and values", async () => {
    const res = await write([
      { labels: { __name__: "api_test", job: "a", instance: "x:1" }, samples: [[NOW, 1]] },
      { labels: { __name__: "api_test", job: "b", instance: "y:1" }, samples: [[NOW, 2]] },
      { labels: { __name__: "other_metric", job: "a" }, samples: [[NOW - 3_600_000, 3]] },
    ]);
    expect(res.status).toBe(204);

    const series = await json("/api/v1/series?match[]=api_test");
    expect(series).toEqual({
      status: 200,
      body: {
        status: "success",
        data: [
          { __name__: "api_test", instance: "x:1", job: "a" },
          { __name__: "api_test", instance: "y:1", job: "b" },
        ],
      },
    });
    const union = await json(`/api/v1/series?match[]=${encodeURIComponent('{job="a"}')}&match[]=${encodeURIComponent('api_test{job="b"}')}`);
    expect(union.body.data).toHaveLength(3);

    const post = await json("/api/v1/series", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `match[]=${encodeURIComponent('{__name__=~"api_.*"}')}&limit=1`,
    });
    expect(post.body).toEqual({ status: "success", data: [{ __name__: "api_test", instance: "x:1", job: "a" }], warnings: ["results truncated due to limit"] });

    const labels = await json("/api/v1/labels?match[]=api_test");
    expect(labels.body).toEqual({ status: "success", data: ["__name__", "instance", "job"] });
    const values = await json("/api/v1/label/job/values");
    expect(values.body.data).toEqual(expect.arrayContaining(["a", "b"]));

    // Time bounds: other_metric's only sample is an hour old.
    const recent = await json(`/api/v1/series?match[]=other_metric&start=${(NOW - 60_000) / 1000}`);
    expect(recent.body.data).toEqual([]);
    const rfc = await json(`/api/v1/series?match[]=other_metric&start=${new Date(NOW - 7_200_000).toISOString()}`);
    expect(rfc.body.data).toHaveLength(1);
  });

  it("reports bad parameters in Prometheus' error shape", async () => {
    expect(await json("/api/v1/series")).toEqual({
      status: 400,
      body: { status: "error", errorType: "bad_data", error: "no match[] parameter provided" },
    });
    const bad = await json(`/api/v1/series?match[]=${encodeURIComponent('up{job="x"')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errorType).toBe("bad_data");
    expect(bad.body.error).toMatch(/^1:11: parse error: unexpected end of input inside braces/);
    const empty = await json(`/api/v1/series?match[]=${encodeURIComponent('{job=~".*"}')}`);
    expect(empty.body.error).toMatch(/vector selector must contain at least one non-empty matcher/);
    const time = await json("/api/v1/labels?start=yesterday");
    expect(time.body).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "start": cannot parse "yesterday" to a valid timestamp' });
    const name = await json("/api/v1/label/not-a-name/values");
    expect(name.body.error).toBe('invalid label name: "not-a-name"');
  });

  it("rejects malformed and oversized remote write bodies and stores nothing from them", async () => {
    const garbage = await SELF.fetch("http://region/api/v1/write", { method: "POST", body: new Uint8Array([1, 2, 3, 4, 5]) });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/^cannot decode remote write request: /);

    const cut = await SELF.fetch("http://region/api/v1/write", { method: "POST", body: snappyCompress(new Uint8Array([0x0a, 0x20, 0x0a])) });
    expect(cut.status).toBe(400);

    const dupNames = encodeRemoteWriteBody({
      timeseries: [
        {
          labels: [
            { name: "__name__", value: "dup_label" },
            { name: "job", value: "a" },
            { name: "job", value: "b" },
          ],
          samples: [{ t: NOW, v: 1 }],
        },
      ],
    });
    const dup = await SELF.fetch("http://region/api/v1/write", { method: "POST", body: dupNames });
    expect(dup.status).toBe(400);
    expect(await dup.text()).toMatch(/duplicate label/i);
    expect((await json("/api/v1/series?match[]=dup_label")).body.data).toEqual([]);

    const huge = await SELF.fetch("http://region/api/v1/write", {
      method: "POST",
      headers: { "content-length": String(64 << 20) },
      body: new Uint8Array(16),
    });
    expect(huge.status).toBe(413);
  });

  it("names out-of-order and duplicate samples in a 400 while keeping the valid ones", async () => {
    expect((await write([{ labels: { __name__: "ooo_api" }, samples: [[NOW, 1]] }])).status).toBe(204);
    const res = await write([{ labels: { __name__: "ooo_api" }, samples: [[NOW - 3_600_000, 0], [NOW, 2], [NOW + 15_000, 3]] }]);
    expect(res.status).toBe(400);
    const msg = await res.text();
    expect(msg).toMatch(/2 samples rejected/);
    expect(msg).toMatch(/out of order sample for ooo_api at \d+: 3600s older than the series' newest sample/);
    expect(msg).toMatch(/duplicate sample for timestamp/);
    const metrics = await (await SELF.fetch("http://region/metrics")).text();
    expect(metrics).toMatch(/edgeprom_tsdb_out_of_order_samples_rejected_total\{tier="test"\} [1-9]/);
  });

  it("answers unknown routes with 404", async () => {
    const res = await SELF.fetch("http://region/api/v1/nope");
    expect(res.status).toBe(404);
  });

  it("serves its own metrics in both exposition formats", async () => {
    await SELF.fetch("http://region/-/healthy");
    const text = await SELF.fetch("http://region/metrics");
    expect(text.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await text.text();
    expect(body).toMatch(/^# HELP edgeprom_http_requests_total /m);
    expect(body).toMatch(/edgeprom_http_requests_total\{code="200",handler="\/-\/healthy"\} \d+/);
    const om = await SELF.fetch("http://region/metrics", { headers: { accept: "application/openmetrics-text;version=1.0.0" } });
    expect(om.headers.get("content-type")).toMatch(/^application\/openmetrics-text/);
    expect((await om.text()).trimEnd().endsWith("# EOF")).toBe(true);
  });

  it("deletes series through the admin API (204) and answers bad_data without match[]", async () => {
    expect((await write([{ labels: { __name__: "to_delete", job: "x" }, samples: [[NOW - 1000, 1], [NOW, 2]] }])).status).toBe(204);
    const q = encodeURIComponent('{__name__="to_delete"}');
    expect((await json(`/api/v1/series?match[]=${q}`)).body.data).toHaveLength(1);
    const del = await SELF.fetch(`http://region/api/v1/admin/tsdb/delete_series?match[]=${q}`, { method: "POST" });
    expect(del.status).toBe(204);
    expect((await json(`/api/v1/series?match[]=${q}`)).body.data).toHaveLength(0);
    const bad = await json("/api/v1/admin/tsdb/delete_series", { method: "POST" });
    expect(bad).toEqual({ status: 400, body: { status: "error", errorType: "bad_data", error: "no match[] parameter provided" } });
    expect((await SELF.fetch("http://region/api/v1/admin/tsdb/clean_tombstones", { method: "POST" })).status).toBe(204);
  });

  it("sends answers uncompressed whatever the client accepts (the edge compresses them)", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ labels: { __name__: "gz_test", instance: `host-${i}:9100`, job: "gz", city: "Zürich" }, samples: [[NOW, i]] as [number, number][] }));
    expect((await write(many)).status).toBe(204);
    // What a Worker sees on Cloudflare whatever the client sent, and what curl sends.
    for (const accept of ["br, gzip", "gzip", "identity"]) {
      for (const path of [`/api/v1/series?match[]=${encodeURIComponent("gz_test")}`, `/api/v1/query?query=${encodeURIComponent("gz_test")}&time=${NOW / 1000}`]) {
        const res = await SELF.fetch(`http://region${path}`, { headers: { "accept-encoding": accept } });
        expect([res.status, res.headers.get("content-encoding"), res.headers.get("content-type")]).toEqual([200, null, "application/json"]);
        // The body is the JSON itself, UTF-8 ("ü" is two bytes), not gzip.
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
        expect(bytes.length).toBe(text.length + 60);
        const body = JSON.parse(text) as { data: unknown[] | { result: unknown[] } };
        expect(Array.isArray(body.data) ? body.data : body.data.result).toHaveLength(60);
      }
    }
    const error = await SELF.fetch(`http://region/api/v1/query?query=${encodeURIComponent("sum(")}`, { headers: { "accept-encoding": "gzip" } });
    expect([error.status, error.headers.get("content-encoding")]).toEqual([400, null]);
    expect(((await error.json()) as { errorType: string }).errorType).toBe("bad_data");
  });
});

