import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { newTargetState, scrapeOnce, type ScrapeTarget } from "../../src/scrape/scrape_loop.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { ScrapeCache } from "../../src/scrape/scrape_cache.js";
import { scrapeTarget } from "./scrape_target.js";
import { compileRelabelConfigs, relabel } from "../../src/relabel/relabel.js";
import { relabelConfig } from "../../src/relabel/relabel_config.js";
import { newDtoMetric } from "../../src/textparse/dto.js";
import { DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";

/** A target server whose /<name> paths each misbehave in their own way. */
let server: Server;
const UTF8_PAGE = '\ufeff# HELP u Ünïcode help.\nu{v="ä€𝄞"} 1\nu{v="plain"} 2\n';
let base = "";
let omPage = "";
let protoPage: Uint8Array = new Uint8Array(0);
let page = "# TYPE a_total counter\na_total 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3\n";
let taggedPage = "# TYPE g gauge\ng{x=\"1\"} 1\ng{x=\"2\"} 2\nts 7 1699999999000\n";
let taggedVersion = 1;
let notModified = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case "/metrics":
        res.setHeader("content-type", "text/plain; version=0.0.4");
        res.end(page);
        return;
      case "/slow":
        setTimeout(() => res.end("a 1\n"), 2000).unref();
        return;
      case "/500":
        res.statusCode = 500;
        res.end("boom");
        return;
      case "/garbage":
        res.end("this is { not metrics\n");
        return;
      case "/endless": {
        const line = "x" + "y".repeat(1000) + " 1\n";
        const write = () => {
          while (res.write(line)) {
            /* keep writing until the client gives up */
          }
        };
        res.on("drain", write);
        req.on("close", () => res.destroy());
        write();
        return;
      }
      case "/sized":
        // Node sends a Content-Length for a body given whole.
        res.setHeader("content-type", "text/plain; version=0.0.4");
        res.end(Buffer.from(UTF8_PAGE, "utf8"));
        return;
      case "/chunked": {
        // The same bytes without a length, cut inside a multi-byte character.
        res.setHeader("content-type", "text/plain; version=0.0.4");
        const bytes = Buffer.from(UTF8_PAGE, "utf8");
        const cut = bytes.indexOf(0xc3) + 1;
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.end(bytes.subarray(cut)), 10).unref();
        return;
      }
      case "/dups":
        res.end("d 1\nd 2\n");
        return;
      case "/labels":
        res.end('m{job="scraped", instance="i"} 1\n');
        return;
      case "/pushed":
        // What a Pushgateway exposes for a push without an instance label.
        res.end('pushed{instance="",job="batch"} 1\n');
        return;
      case "/redirect":
        res.statusCode = 302;
        res.setHeader("location", "/echo-auth");
        res.end();
        return;
      case "/elsewhere":
        res.statusCode = 302;
        res.setHeader("location", `http://localhost:${(server.address() as AddressInfo).port}/echo-auth`);
        res.end();
        return;
      case "/echo-auth":
        res.end(`auth_seen{value="${req.headers.authorization ?? "none"}"} 1\n`);
        return;
      case "/om":
        res.setHeader("content-type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        res.end(omPage);
        return;
      case "/skew":
        res.end("s 1 1000\n");
        return;
      case "/proto":
        res.setHeader("content-type", DELIMITED_PROTOBUF_TYPE);
        res.end(protoPage);
        return;
      case "/tagged": {
        // A page with an entity tag, answering 304 when the client has it.
        const etag = `"v${taggedVersion}"`;
        res.setHeader("etag", etag);
        res.setHeader("content-type", "text/plain; version=0.0.4");
        if (req.headers["if-none-match"] === etag) {
          notModified++;
          res.statusCode = 304;
          res.end();
          return;
        }
        res.end(taggedPage);
        return;
      }
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function target(path: string, over: Partial<ScrapeTarget> = {}): ScrapeTarget {
  return scrapeTarget(base + path, over);
}

async function latest(st: MemoryStorage, name: string, t: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const s of st.querier().select([{ type: "=", name: "__name__", value: name }], { start: t, end: t })) {
    const rec = labelsToRecord(s.labels);
    out[JSON.stringify(rec)] = s.vs[s.vs.length - 1]!;
  }
  return out;
}

const T = 1_700_000_000_000;

describe("scrapeOnce", () => {
  it("appends an unchanged (304) page's samples again at every scrape's time, and a changed page's at the next scrape", async () => {
    const cached = new MemoryStorage();
    const plain = new MemoryStorage();
    const cache = new ScrapeCache();
    const t = target("/tagged");
    let withCache = newTargetState();
    let without = newTargetState();
    const states = [];
    notModified = 0;
    try {
      for (let i = 0; i < 5; i++) {
        if (i === 3) {
          taggedPage = '# TYPE g gauge\ng{x="1"} 10\ng{x="3"} 30\nts 8 1700000001000\n';
          taggedVersion++;
        }
        withCache = await scrapeOnce(t, cached, withCache, fetch, T + i * 15_000, cache);
        without = await scrapeOnce(t, plain, without, fetch, T + i * 15_000);
        states.push([withCache, without]);
      }
    } finally {
      taggedPage = '# TYPE g gauge\ng{x="1"} 1\ng{x="2"} 2\nts 7 1699999999000\n';
      taggedVersion = 1;
    }
    // Scrapes 2, 3 and 5 were answered 304 from the cache's tag; the uncached scrapes never send one.
    expect(notModified).toBe(3);
    for (const [a, b] of states) {
      expect(a).toMatchObject({ health: "up", lastError: "", series: b!.series, metadata: b!.metadata });
    }
    expect(states[4]![0]!.metadata).toEqual({ g: { type: "gauge", help: "", unit: "" } });
    const all = async (st: MemoryStorage) => {
      const out: Record<string, [number, number][]> = {};
      for await (const s of st.querier().select([newMatcher("=~", "__name__", ".+")], { start: 0, end: T + 100_000 })) {
        out[JSON.stringify(labelsToRecord(s.labels))] = [...s.ts].map((ts, j) => [ts, s.vs[j]!]);
      }
      return out;
    };
    const got = await all(cached);
    // Every series of the unchanged page at every scrape's time; the explicit timestamp stays as written.
    const g1 = got[JSON.stringify({ __name__: "g", instance: "t:1", job: "test", x: "1" })]!;
    expect(g1.map(([ts]) => ts)).toEqual([0, 1, 2, 3, 4].map((i) => T + i * 15_000));
    expect(g1.map(([, v]) => v)).toEqual([1, 1, 1, 10, 10]);
    expect(got[JSON.stringify({ __name__: "ts", instance: "t:1", job: "test" })]).toEqual([
      [1699999999000, 7],
      [1700000001000, 8],
    ]);
    const g2 = got[JSON.stringify({ __name__: "g", instance: "t:1", job: "test", x: "2" })]!;
    expect(g2.slice(0, 3).map(([, v]) => v)).toEqual([2, 2, 2]);
    expect(isStaleNaN(g2[3]![1])).toBe(true);
    // The same samples as parsing every body, but for scrape_duration_seconds.
    const norm = (o: Record<string, [number, number][]>) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => !k.includes("scrape_duration_seconds")).map(([k, v]) => [k, v.map(([ts, x]) => [ts, Number.isNaN(x) ? "NaN" : x])]));
    expect(norm(got)).toEqual(norm(await all(plain)));
  });

  it("stores every sample with the target's labels and reports up and the scrape figures", async () => {
    const st = new MemoryStorage();
    const s = await scrapeOnce(target("/metrics"), st, newTargetState(), fetch, T);
    expect(s).toMatchObject({ health: "up", lastError: "" });
    expect(await latest(st, "b", T)).toEqual({
      [JSON.stringify({ __name__: "b", instance: "t:1", job: "test", x: "1" })]: 2,
      [JSON.stringify({ __name__: "b", instance: "t:1", job: "test", x: "2" })]: 3,
    });
    expect(Object.values(await latest(st, "up", T))).toEqual([1]);
    expect(Object.values(await latest(st, "scrape_samples_scraped", T))).toEqual([3]);
    expect(Object.values(await latest(st, "scrape_series_added", T))).toEqual([3]);
  });

  it("writes stale markers for series that vanish", async () => {
    const st = new MemoryStorage();
    let state = await scrapeOnce(target("/metrics"), st, newTargetState(), fetch, T);
    const old = page;
    page = "a_total 2\n";
    try {
      state = await scrapeOnce(target("/metrics"), st, state, fetch, T + 15_000);
    } finally {
      page = old;
    }
    const sel = [{ type: "=" as const, name: "x", value: "2" }];
    for await (const s of st.querier().select(sel, { start: T, end: T + 15_000 })) {
      expect(isStaleNaN(s.vs[1]!)).toBe(true);
    }
    expect(state.series).toHaveLength(1);
  });

  it.each([
    ["/slow", /context deadline exceeded/],
    ["/500", /server returned HTTP status 500/],
    ["/garbage", /parse error: /],
  ])("%s gives up 0 with a clear error and stores nothing from the body", async (path, err) => {
    const st = new MemoryStorage();
    const s = await scrapeOnce(target(path), st, newTargetState(), fetch, T);
    expect(s.health).toBe("down");
    expect(s.lastError).toMatch(err);
    expect(Object.values(await latest(st, "up", T))).toEqual([0]);
    expect(await st.querier().labelValues("__name__", [], { start: -Infinity, end: Infinity })).toEqual([
      "scrape_duration_seconds",
      "scrape_samples_post_metric_relabeling",
      "scrape_samples_scraped",
      "scrape_series_added",
      "up",
    ]);
  });

  it("stops an endless body at the body size limit", async () => {
    const s = await scrapeOnce(target("/endless", { bodySizeLimit: 100_000, timeoutMs: 5000 }), new MemoryStorage(), newTargetState(), fetch, T);
    expect(s.lastError).toMatch(/body size limit exceeded/);
  });

  it("reads a body of known length in one piece as it reads a streamed one, within the body size limit", async () => {
    const results = [];
    for (const path of ["/sized", "/chunked"]) {
      const st = new MemoryStorage();
      const s = await scrapeOnce(target(path), st, newTargetState(), fetch, T);
      results.push({ error: s.lastError, metadata: s.metadata, u: await latest(st, "u", T) });
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.error).toBe("");
    expect(results[0]!.metadata).toEqual({ u: { type: "unknown", help: "Ünïcode help.", unit: "" } });
    expect(Object.keys(results[0]!.u).map((k) => (JSON.parse(k) as { v: string }).v).sort()).toEqual(["plain", "ä€𝄞"]);
    const length = Buffer.byteLength(UTF8_PAGE, "utf8");
    for (const path of ["/sized", "/chunked"]) {
      const over = await scrapeOnce(target(path, { bodySizeLimit: length - 1 }), new MemoryStorage(), newTargetState(), fetch, T);
      expect(over.lastError).toMatch(/body size limit exceeded/);
      const exact = await scrapeOnce(target(path, { bodySizeLimit: length }), new MemoryStorage(), newTargetState(), fetch, T);
      expect(exact.lastError).toBe("");
    }
  });

  it("marks a failed scrape's previous series stale", async () => {
    const st = new MemoryStorage();
    const ok = await scrapeOnce(target("/metrics"), st, newTargetState(), fetch, T);
    await scrapeOnce(target("/500", { url: base + "/500" }), st, ok, fetch, T + 15_000);
    for await (const s of st.querier().select([{ type: "=", name: "__name__", value: "a_total" }], { start: T, end: T + 15_000 })) {
      expect(isStaleNaN(s.vs[1]!)).toBe(true);
    }
  });

  it("keeps the first of duplicate series and applies limits", async () => {
    const st = new MemoryStorage();
    await scrapeOnce(target("/dups"), st, newTargetState(), fetch, T);
    expect(Object.values(await latest(st, "d", T))).toEqual([1]);
    const limited = await scrapeOnce(target("/metrics", { sampleLimit: 2 }), new MemoryStorage(), newTargetState(), fetch, T);
    expect(limited.lastError).toBe("sample limit exceeded (limit: 2)");
  });

  it("renames clashing labels unless honor_labels", async () => {
    const st = new MemoryStorage();
    await scrapeOnce(target("/labels"), st, newTargetState(), fetch, T);
    expect(Object.keys(await latest(st, "m", T))).toEqual([
      JSON.stringify({ __name__: "m", exported_instance: "i", exported_job: "scraped", instance: "t:1", job: "test" }),
    ]);
    const honor = new MemoryStorage();
    await scrapeOnce(target("/labels", { honorLabels: true }), honor, newTargetState(), fetch, T);
    expect(Object.keys(await latest(honor, "m", T))).toEqual([JSON.stringify({ __name__: "m", instance: "i", job: "scraped" })]);
  });

  it("with honor_labels, an empty scraped label keeps the target's label away, as Prometheus does", async () => {
    const honor = new MemoryStorage();
    await scrapeOnce(target("/pushed", { honorLabels: true }), honor, newTargetState(), fetch, T);
    expect(Object.keys(await latest(honor, "pushed", T))).toEqual([JSON.stringify({ __name__: "pushed", job: "batch" })]);
    const plain = new MemoryStorage();
    await scrapeOnce(target("/pushed"), plain, newTargetState(), fetch, T);
    expect(Object.keys(await latest(plain, "pushed", T))).toEqual([JSON.stringify({ __name__: "pushed", exported_job: "batch", instance: "t:1", job: "test" })]);
  });

  it("follows redirects with credentials only to the target's own origin", async () => {
    const auth = { authorization: "Bearer s3cret" };
    const same = new MemoryStorage();
    await scrapeOnce(target("/redirect", { headers: auth }), same, newTargetState(), fetch, T);
    expect(Object.keys(await latest(same, "auth_seen", T))[0]).toContain('"value":"Bearer s3cret"');
    const other = new MemoryStorage();
    await scrapeOnce(target("/elsewhere", { headers: auth }), other, newTargetState(), fetch, T);
    expect(Object.keys(await latest(other, "auth_seen", T))[0]).toContain('"value":"none"');
    const off = await scrapeOnce(target("/redirect", { followRedirects: false }), new MemoryStorage(), newTargetState(), fetch, T);
    expect(off.lastError).toBe("server returned HTTP status 302 Found");
  });

  it("applies metric relabelling and reports clock skew", async () => {
    const st = new MemoryStorage();
    const drop = (ls: ReturnType<typeof labelsFromRecord>) => (ls.some((l) => l.name === "x" && l.value === "1") ? null : ls);
    await scrapeOnce(target("/metrics", { metricRelabel: drop }), st, newTargetState(), fetch, T);
    expect(Object.keys(await latest(st, "b", T))).toHaveLength(1);
    expect(Object.values(await latest(st, "scrape_samples_post_metric_relabeling", T))).toEqual([2]);
    const skew = await scrapeOnce(target("/skew"), new MemoryStorage(), newTargetState(), fetch, T);
    expect(skew.health).toBe("up");
    expect(skew.lastError).toMatch(/1 samples have timestamps up to \d+s away from the scrape time/);
  });

  it("drops a sample whose metric relabelling leaves no labels, as Prometheus does, and keeps the rest", async () => {
    const st = new MemoryStorage();
    // labeldrop of every label of the b series (target labels included).
    const cfgs = compileRelabelConfigs([relabelConfig({ action: "labeldrop", regex: "__name__|x|job|instance" })]);
    const onlyB = (ls: ReturnType<typeof labelsFromRecord>) => (ls.some((l) => l.name === "__name__" && l.value === "b") ? relabel(ls, cfgs) : ls);
    const state = await scrapeOnce(target("/metrics", { metricRelabel: onlyB }), st, newTargetState(), fetch, T, new ScrapeCache());
    expect(state.lastError).toBe("");
    expect(state.health).toBe("up");
    expect(Object.keys(await latest(st, "a_total", T))).toHaveLength(1);
    expect(Object.values(await latest(st, "scrape_samples_scraped", T))).toEqual([3]);
    expect(Object.values(await latest(st, "scrape_samples_post_metric_relabeling", T))).toEqual([1]);
  });

  it("stores OpenMetrics exemplars, from cached series too, with the sample's time when they have none", async () => {
    const om = (k: number) =>
      [
        "# TYPE req counter",
        `req_total{path="/a"} ${k} # {trace_id="a${Math.min(k, 2)}",span_id="s"} 1.5 ${(T + Math.min(k, 2) * 1000) / 1000}`,
        "# TYPE lat histogram",
        `lat_bucket{le="1"} ${k} # {trace_id="b"} 0.5`,
        `lat_bucket{le="+Inf"} ${k}`,
        `lat_sum ${k}`,
        `lat_count ${k}`,
        "# EOF",
        "",
      ].join("\n");
    const st = new MemoryStorage({ maxExemplars: 100 });
    const cache = new ScrapeCache();
    let state = newTargetState();
    for (let k = 1; k <= 3; k++) {
      omPage = om(k);
      state = await scrapeOnce(target("/om"), st, state, fetch, T + k * 15_000, cache);
      expect(state.lastError).toBe("");
    }
    expect(cache.size).toBe(5);
    const all = await st.querier().selectExemplars!([[newMatcher("=~", "__name__", ".+")]], 0, T + 60_000);
    const got = all.map((s) => ({ series: labelsToRecord(s.seriesLabels), exemplars: s.exemplars.map((e) => ({ labels: labelsToRecord(e.labels), t: e.t, v: e.v })) }));
    expect(got).toEqual([
      // Without a timestamp each scrape's exemplar is a new one at the scrape time.
      {
        series: { __name__: "lat_bucket", instance: "t:1", job: "test", le: "1.0" },
        exemplars: [1, 2, 3].map((k) => ({ labels: { trace_id: "b" }, t: T + k * 15_000, v: 0.5 })),
      },
      // The same exemplar exposed again is a duplicate and kept once.
      {
        series: { __name__: "req_total", instance: "t:1", job: "test", path: "/a" },
        exemplars: [1, 2].map((k) => ({ labels: { span_id: "s", trace_id: `a${k}` }, t: T + k * 1000, v: 1.5 })),
      },
    ]);
    // A scrape that fails keeps none of its exemplars.
    omPage = om(2).replace('trace_id="a2"', 'trace_id="a9"').replace(` ${(T + 2000) / 1000}`, ` ${(T + 9000) / 1000}`);
    expect(omPage).toContain(`a9",span_id="s"} 1.5 ${(T + 9000) / 1000}`);
    const failed = await scrapeOnce(target("/om", { sampleLimit: 1 }), st, state, fetch, T + 60_000, cache);
    expect(failed.health).toBe("down");
    const after = await st.querier().selectExemplars!([[{ type: "=", name: "__name__", value: "req_total" }]], 0, T + 60_000);
    expect(after[0]!.exemplars).toHaveLength(2);
  });
});

describe("scrapeOnce over the protobuf exposition", () => {
  const page = () => {
    const m = newDtoMetric([{ name: "path", value: "/a" }], "histogram");
    m.sampleCount = 3;
    m.sampleSum = 1.5;
    m.buckets = [{ upperBound: 1, cumulativeCount: 2 }];
    m.native = {
      schema: 0,
      zeroThreshold: 0.001,
      zeroCount: 0,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveCounts: [2, 1],
      negativeSpans: [],
      negativeCounts: [],
      integer: true,
      exemplars: [{ labels: [{ name: "trace_id", value: "abc" }], value: 0.75, timestampMs: T - 500 }],
    };
    return encodeDelimitedFamilies([{ name: "lat", help: "", type: "HISTOGRAM", metrics: [m] }]);
  };

  it("stores native histograms (and their exemplars) only with scrape_native_histograms", async () => {
    protoPage = page();
    const st = new MemoryStorage({ maxExemplars: 100 });
    await scrapeOnce(target("/proto", { nativeHistograms: true }), st, newTargetState(), fetch, T);
    const got = [];
    for await (const s of st.querier().select([newMatcher("=", "__name__", "lat")], { start: T, end: T })) got.push([labelsToRecord(s.labels), s.hs?.map((h) => h?.toString())]);
    expect(got).toEqual([[{ __name__: "lat", instance: "t:1", job: "test", path: "/a" }, ["{count:3, sum:1.5, (0.5,1]:2, (1,2]:1}"]]]);
    const ex = await st.querier().selectExemplars!([[newMatcher("=", "__name__", "lat")]], T - 1000, T);
    expect(ex.flatMap((e) => e.exemplars.map((x) => [x.t, x.v]))).toEqual([[T - 500, 0.75]]);

    const classic = new MemoryStorage();
    await scrapeOnce(target("/proto"), classic, newTargetState(), fetch, T);
    expect(await latest(classic, "lat_bucket", T)).toEqual({
      [JSON.stringify({ __name__: "lat_bucket", instance: "t:1", job: "test", le: "1.0", path: "/a" })]: 2,
      [JSON.stringify({ __name__: "lat_bucket", instance: "t:1", job: "test", le: "+Inf", path: "/a" })]: 3,
    });
  });

  it("a damaged page is a parse error that stores nothing from it", async () => {
    protoPage = page().slice(0, 30);
    const st = new MemoryStorage();
    const s = await scrapeOnce(target("/proto", { nativeHistograms: true }), st, newTargetState(), fetch, T);
    expect(s.health).toBe("down");
    expect(s.lastError).toMatch(/^parse error: /);
    expect(await latest(st, "lat", T)).toEqual({});
    expect(Object.values(await latest(st, "up", T))).toEqual([0]);
  });
});
