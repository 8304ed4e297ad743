import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRoutes } from "../../src/api/query_routes.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";

/** Values whose text differs between JavaScript and Go, and a label value with the
 * characters Go's JSON encoder escapes. */
const EXPOSITION = [
  "# TYPE v gauge",
  'v{c="a"} 4.61e-07',
  'v{c="b"} 1e+22',
  'v{c="c"} 1e21',
  'v{c="d"} -0',
  'v{c="e"} NaN',
  'v{c="f"} +Inf',
  'v{c="g"} 0.30000000000000004',
  'v{c="h"} 123456789012345680000',
  'v{c="i"} 1.5e-300',
  'v{c="j"} 12345678.9',
  'v{c="<k&>"} -1e-7',
  "",
].join("\n");

interface ApiBody {
  status: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]> }>; stats?: { timings: unknown; samples: Record<string, unknown> } };
}

/** Prometheus 2.42 scrapes a target; the same samples go into edgeprom's storage; the
 * two APIs must then answer the same queries with the same bytes (timings aside). */
describe("query API output matches Prometheus 2.42 byte for byte", () => {
  let target: Server;
  let prom: Peer;
  let app: ReturnType<typeof queryRoutes>;
  let at = "";

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(EXPOSITION);
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    const addr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    prom = await startPrometheus(
      ["global: {scrape_interval: 1s}", "scrape_configs:", "  - job_name: t", `    static_configs: [{targets: ["${addr}"]}]`, ""].join("\n"),
      ["--enable-feature=promql-per-step-stats"],
    );
    // Enough samples for windows and a range query, then read them all back raw.
    const raw = await waitFor("five scrapes", async () => {
      const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent("v[1m]")}`)).json()) as ApiBody;
      const series = r.data?.result ?? [];
      return series.length === 11 && series.every((s) => (s.values?.length ?? 0) >= 5) ? series : undefined;
    });
    const storage = new MemoryStorage();
    const a = storage.appender();
    let last = 0;
    for (const s of raw) {
      const labels = Object.entries(s.metric)
        .map(([name, value]) => ({ name, value }))
        .sort((x, y) => (x.name < y.name ? -1 : 1));
      for (const [t, v] of s.values!) {
        const ms = Math.round(t * 1000);
        last = Math.max(last, ms);
        a.append(labels, ms, v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v));
      }
    }
    await a.commit();
    // Evaluate a little after the newest raw sample so later scrapes do not matter.
    at = String((last + 250) / 1000);
    app = queryRoutes({ querier: () => storage.querier(), engine: new Engine() });
  });

  afterAll(async () => {
    await prom?.stop();
    target?.close();
  });

  const both = async (path: string) => {
    const p = await fetch(`${prom.url}/api/v1${path}`);
    const e = await app.request(path);
    return { prom: { status: p.status, text: await p.text() }, edge: { status: e.status, text: await e.text() } };
  };

  it.each([
    ["instant vector", () => `/query?query=v&time=${at}`],
    ["negated vector", () => `/query?query=${encodeURIComponent("-v")}&time=${at}`],
    ["scalar", () => `/query?query=${encodeURIComponent('scalar(v{c="a"})')}&time=${at}`],
    ["scalar with an integer value", () => `/query?query=${encodeURIComponent('scalar(v{c="b"})')}&time=${at}`],
    ["string", () => `/query?query=${encodeURIComponent('"a<b"')}&time=${at}`],
    ["string at a whole second and a tenth", () => `/query?query=${encodeURIComponent('"x"')}&time=1700000000.5`],
    ["matrix", () => `/query?query=${encodeURIComponent("v[3s]")}&time=${at}`],
    ["range query", () => `/query_range?query=v&start=${Number(at) - 3.5}&end=${at}&step=0.5`],
    ["instant parse error", () => `/query?query=${encodeURIComponent("foo(")}&time=${at}`],
    ["range parse error", () => `/query_range?query=${encodeURIComponent("foo(")}&start=1&end=2&step=1`],
    ["format_query parse error", () => `/format_query?query=${encodeURIComponent("sum by (")}`],
  ])("%s", async (_name, path) => {
    const r = await both(path());
    expect(r.edge.status).toBe(r.prom.status);
    expect(r.edge.text).toBe(r.prom.text);
  });

  const withoutTimings = (text: string) => {
    const body = JSON.parse(text) as ApiBody;
    expect(body.data?.stats?.timings).toEqual({
      evalTotalTime: expect.any(Number),
      resultSortTime: expect.any(Number),
      queryPreparationTime: expect.any(Number),
      innerEvalTime: expect.any(Number),
      execQueueTime: expect.any(Number),
      execTotalTime: expect.any(Number),
    });
    // The rest of the text, stats' sample counts included, must match exactly.
    return text.replace(/"timings":\{[^}]*\}/, '"timings":{}');
  };

  it.each([
    ["instant selector, stats=all", () => `/query?query=v&time=${at}&stats=all`],
    ["range selector, stats=all", () => `/query_range?query=v&start=${Number(at) - 3}&end=${at}&step=1&stats=all`],
    ["range selector, stats=1 (no per-step counts)", () => `/query_range?query=v&start=${Number(at) - 3}&end=${at}&step=1&stats=1`],
    ["matrix selector, stats=all", () => `/query?query=${encodeURIComponent("v[3s]")}&time=${at}&stats=all`],
  ])("%s", async (_name, path) => {
    expect.assertions(4);
    const r = await both(path());
    expect(r.edge.status).toBe(r.prom.status);
    expect(withoutTimings(r.edge.text)).toBe(withoutTimings(r.prom.text));
  });

  it("counts the samples a range function reads per step as Prometheus does", async () => {
    const q = `/query_range?query=${encodeURIComponent("sum_over_time(v[2s])")}&start=${Number(at) - 3}&end=${at}&step=1&stats=all`;
    const r = await both(q);
    const samples = (t: string) => {
      const s = (JSON.parse(t) as ApiBody).data!.stats!.samples;
      return { perStep: s["totalQueryableSamplesPerStep"], total: s["totalQueryableSamples"] };
    };
    expect(samples(r.edge.text)).toEqual(samples(r.prom.text));
    expect(samples(r.edge.text).total).toBeGreaterThan(0);
  });
});
