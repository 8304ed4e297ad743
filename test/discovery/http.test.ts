import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { HTTPDiscoverer, validateHTTPSDConfig } from "../../src/discovery/http.js";
import { DiscoveryManager } from "../../src/discovery/manager.js";
import { fakeFetch, json } from "./fakes.js";

const URL_ = "https://sd.example.com/targets?team=a";

describe("http_sd", () => {
  it("fetches target groups with Prometheus' headers, sources and __meta_url", async () => {
    const { fetch, calls } = fakeFetch(() => json([{ targets: ["a:1"], labels: { env: "prod" } }, { targets: ["b:1", "b:2"] }]));
    const d = new HTTPDiscoverer({ url: URL_, refreshInterval: 30_000, headers: { authorization: "Bearer t" } }, fetch);
    const groups = await d.refresh();
    expect(groups.map((g) => g.source)).toEqual([`${URL_}:0`, `${URL_}:1`]);
    expect(labelsToRecord(groups[0]!.labels)).toEqual({ env: "prod", __meta_url: URL_ });
    expect(groups[1]!.targets.map(labelsToRecord)).toEqual([{ __address__: "b:1" }, { __address__: "b:2" }]);
    expect(calls).toEqual([
      {
        url: URL_,
        headers: {
          accept: "application/json",
          authorization: "Bearer t",
          "user-agent": "edgeprom",
          "x-prometheus-refresh-interval-seconds": "30",
        },
      },
    ]);
  });

  it("accepts application/json with a utf-8 charset, and an empty list", async () => {
    for (const ct of ["application/json", "Application/JSON; charset=utf-8", 'application/json;charset="utf-8"', " application/json "]) {
      const { fetch } = fakeFetch(() => json("[]", 200, ct));
      expect(await new HTTPDiscoverer({ url: URL_ }, fetch).refresh()).toEqual([]);
    }
  });

  it("fails on a non-200 status, a wrong content type or an invalid body", async () => {
    const cases: [Response, RegExp][] = [
      [new Response("nope", { status: 503, statusText: "Service Unavailable" }), /^server returned HTTP status 503 Service Unavailable$/],
      [json("[]", 200, "text/plain"), /^unsupported content type "text\/plain"$/],
      [json("[]", 200, "application/json; charset=latin1"), /unsupported content type/],
      [json("{", 200), /JSON/],
      [json([{ targets: ["a"], bogus: true }]), /unknown field "bogus"/],
      [json([null]), /nil target group item found/],
    ];
    for (const [res, err] of cases) {
      const { fetch } = fakeFetch(() => res);
      await expect(new HTTPDiscoverer({ url: URL_ }, fetch).refresh()).rejects.toThrow(err);
    }
  });

  it("keeps the last good result under the manager and exposes the error", async () => {
    let answer: () => Response = () => json([{ targets: ["a:1"] }]);
    const { fetch } = fakeFetch(() => answer());
    let now = 1_000_000;
    const m = new DiscoveryManager([{ name: "http/0", discoverer: new HTTPDiscoverer({ url: URL_ }, fetch) }], { now: () => now });
    let [st] = await m.refresh();
    expect(st!.groups.length).toBe(1);
    expect(st!.error).toBeUndefined();
    expect(st!.lastSuccessAt).toBe(now);

    answer = () => new Response("", { status: 500, statusText: "Internal Server Error" });
    now += 60_000;
    [st] = await m.refresh();
    expect(st!.error).toBe("server returned HTTP status 500 Internal Server Error");
    expect(st!.groups.map((g) => g.targets.map(labelsToRecord))).toEqual([[{ __address__: "a:1" }]]);
    expect(st!.lastRefreshAt).toBe(now);
    expect(st!.lastSuccessAt).toBe(now - 60_000);

    answer = () => json([]);
    now += 60_000;
    [st] = await m.refresh();
    expect(st!.error).toBeUndefined();
    expect(st!.groups).toEqual([]);
  });

  it("validates the URL like Prometheus", () => {
    expect(() => validateHTTPSDConfig({ url: "" })).toThrow("URL is missing");
    expect(() => validateHTTPSDConfig({ url: "ftp://x/y" })).toThrow("URL scheme must be 'http' or 'https'");
    expect(() => validateHTTPSDConfig({ url: "not a url" })).toThrow();
    expect(() => validateHTTPSDConfig({ url: "http://sd:8080/x" })).not.toThrow();
  });
});
