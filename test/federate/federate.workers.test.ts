import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { STALE_NAN } from "../../src/model/sample.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { parseExposition } from "../../src/textparse/index.js";

const NOW = Date.now();

describe("/federate", () => {
  beforeAll(async () => {
    const ts = (name: string, extra: Record<string, string>, samples: [number, number][]) => ({
      labels: Object.entries({ __name__: name, ...extra }).map(([n, v]) => ({ name: n, value: v })),
      samples: samples.map(([t, v]) => ({ t, v })),
    });
    const body = encodeRemoteWriteBody({
      timeseries: [
        ts("fed_up", { job: "a" }, [[NOW - 30_000, 1], [NOW - 15_000, 0]]),
        ts("fed_up", { job: "b" }, [[NOW - 20_000, 1]]),
        ts("fed_gone", { job: "a" }, [[NOW - 30_000, 5], [NOW - 15_000, STALE_NAN]]),
        ts("fed_old", { job: "a" }, [[NOW - 3_600_000, 9]]),
        ts("fed_rate", { job: "a", region: "eu" }, [[NOW - 10_000, 2.5]]),
      ],
    });
    expect((await SELF.fetch("http://region/api/v1/write", { method: "POST", body })).status).toBe(204);
  });

  it("serves the newest non-stale sample of each matching series with its timestamp", async () => {
    const res = await SELF.fetch(`http://region/federate?match[]=${encodeURIComponent('{__name__=~"fed_.*"}')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await res.text();
    expect(body).toMatch(/^# TYPE fed_rate untyped$/m);
    const samples = parseExposition(body, "text").filter((e) => e.kind === "sample");
    expect(samples.map((s) => [s.name, Object.fromEntries(s.labels.map((l) => [l.name, l.value])), s.value, s.timestamp])).toEqual([
      ["fed_rate", { __name__: "fed_rate", job: "a", region: "eu" }, 2.5, NOW - 10_000],
      ["fed_up", { __name__: "fed_up", job: "a" }, 0, NOW - 15_000],
      ["fed_up", { __name__: "fed_up", job: "b" }, 1, NOW - 20_000],
    ]);
  });

  it("answers in OpenMetrics when the Accept header asks", async () => {
    const res = await SELF.fetch(`http://region/federate?match[]=fed_up`, { headers: { accept: "application/openmetrics-text;version=1.0.0" } });
    expect(res.headers.get("content-type")).toMatch(/^application\/openmetrics-text/);
    const body = await res.text();
    expect(body.endsWith("# EOF\n")).toBe(true);
    expect(body.match(/# EOF/g)).toHaveLength(1);
    const samples = parseExposition(body, "openmetrics").filter((e) => e.kind === "sample");
    expect(samples.map((s) => [s.value, s.timestamp])).toEqual([
      [0, NOW - 15_000],
      [1, NOW - 20_000],
    ]);
  });

  it("unions several match[] without repeating a series", async () => {
    const res = await SELF.fetch(`http://region/federate?match[]=fed_up&match[]=${encodeURIComponent('{job="b"}')}`);
    const samples = parseExposition(await res.text(), "text").filter((e) => e.kind === "sample");
    expect(samples).toHaveLength(2);
  });

  it("answers 400 without match[] or with a bad one", async () => {
    const none = await SELF.fetch("http://region/federate");
    expect(none.status).toBe(400);
    expect(await none.text()).toBe("no match[] parameter provided\n");
    const bad = await SELF.fetch(`http://region/federate?match[]=${encodeURIComponent("up{")}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/parse error/);
  });
});
