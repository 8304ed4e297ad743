import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";

/** Scrapes that carry new exemplars; later scrapes repeat the last ones, which
 * Prometheus drops as duplicates, so both sides end with a fixed set. */
const CHANGING_SCRAPES = 6;

/** An OpenMetrics target whose counter and histogram buckets carry exemplars that
 * change with every scrape until CHANGING_SCRAPES. */
function openMetrics(n: number, base: number): string {
  const k = Math.min(n, CHANGING_SCRAPES);
  const ts = (base + k * 1000) / 1000;
  return [
    "# TYPE demo_requests counter",
    "# HELP demo_requests Requests served.",
    `demo_requests_total{path="/a"} ${10 * k} # {trace_id="a-${k}"} 1.0 ${ts.toFixed(3)}`,
    `demo_requests_total{path="/b"} ${k} # {trace_id="b-${k}",span_id="s${k}"} ${k}.5 ${(ts + 0.25).toFixed(3)}`,
    "# TYPE demo_latency_seconds histogram",
    `demo_latency_seconds_bucket{le="0.1"} ${k} # {trace_id="fast-${k}"} 0.05 ${ts.toFixed(3)}`,
    `demo_latency_seconds_bucket{le="1.0"} ${2 * k} # {trace_id="slow-${k}"} 0.${k} ${(ts + 0.5).toFixed(3)}`,
    `demo_latency_seconds_bucket{le="+Inf"} ${2 * k}`,
    `demo_latency_seconds_sum ${k}`,
    `demo_latency_seconds_count ${2 * k}`,
    "# EOF",
    "",
  ].join("\n");
}

describe("exemplars remote-written by Prometheus 2.42", () => {
  let fed: Federation;
  let target: Server;
  let prom: Peer | undefined;
  let scrapes = 0;
  const base = Date.now() - 30_000;

  beforeAll(async () => {
    fed = await startTestFederation();
    await fed.putConfig("regions/local-a/prometheus.yml", "global: {}\n");
    expect((await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" })).status).toBe(200);
    target = createServer((_req, res) => {
      scrapes++;
      res.writeHead(200, { "content-type": "application/openmetrics-text; version=1.0.0; charset=utf-8" });
      res.end(openMetrics(scrapes, base));
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    await prom?.stop();
    await new Promise((r) => target?.close(r));
    await fed?.stop();
  });

  it("query_exemplars answers as Prometheus does", async () => {
    const port = (target.address() as AddressInfo).port;
    prom = await startPrometheus(
      `
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: ["127.0.0.1:${port}"]
remote_write:
  - url: ${fed.urls["local-a"]}/api/v1/write
    send_exemplars: true
    queue_config:
      batch_send_deadline: 500ms
`,
      ["--enable-feature=exemplar-storage"],
    );
    const query = 'demo_requests_total or {__name__="demo_latency_seconds_bucket", le=~"0.1|1.0"}';
    const params = `query=${encodeURIComponent(query)}&start=${(base - 60_000) / 1000}&end=${(Date.now() + 600_000) / 1000}`;
    const theirs = await waitFor(
      "Prometheus holding every exemplar",
      async () => {
        if (scrapes <= CHANGING_SCRAPES + 1) return undefined;
        const body = await exemplars(prom!.url, params);
        const n = body.data.reduce((a, s) => a + s.exemplars.length, 0);
        return n === 4 * CHANGING_SCRAPES ? body : undefined;
      },
      60_000,
    );
    // Ours catches up once the remote-write queue has shipped the last of them.
    let ours: ExemplarAnswer | undefined;
    await waitFor(
      "the region holding the same exemplars",
      async () => {
        ours = await exemplars(fed.urls["local-a"], params);
        return JSON.stringify(ours) === JSON.stringify(theirs) ? true : undefined;
      },
      30_000,
    ).catch(() => undefined);
    expect(theirs.data).toHaveLength(4);
    expect.assertions(9);
    expect(ours).toEqual(theirs);
    // The raw bodies too: number and timestamp forms are part of the answer.
    const rawOurs = await (await fetch(`${fed.urls["local-a"]}/api/v1/query_exemplars?${params}`)).text();
    const rawTheirs = await (await fetch(`${prom.url}/api/v1/query_exemplars?${params}`)).text();
    expect(rawOurs).toBe(rawTheirs);

    // A narrower window, POST, and the errors, each compared with Prometheus.
    const narrow = `query=${encodeURIComponent("demo_requests_total")}&start=${(base + 2000) / 1000}&end=${(base + 4000) / 1000}`;
    for (const p of [narrow, `query=${encodeURIComponent("1 + 1")}`, "query=up%7B", `query=up&start=10&end=5`, "query=up&start=abc", ""]) {
      const a = await fetch(`${fed.urls["local-a"]}/api/v1/query_exemplars`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: p });
      const b = await fetch(`${prom.url}/api/v1/query_exemplars`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: p });
      expect({ p, status: a.status, body: await a.text() }).toEqual({ p, status: b.status, body: await b.text() });
    }
  }, 180_000);
});

describe("exemplars scraped from OpenMetrics, next to Prometheus 2.42 scraping the same target", () => {
  let fed: Federation;
  let target: Server;
  let prom: Peer | undefined;
  // Each scraper reads its own path so both see the same sequence of pages.
  const scrapes: Record<string, number> = { "/prom": 0, "/edge": 0 };
  const base = Date.now() - 30_000;

  beforeAll(async () => {
    fed = await startTestFederation();
    target = createServer((req, res) => {
      const path = req.url ?? "";
      if (!(path in scrapes)) {
        res.writeHead(404).end();
        return;
      }
      const n = ++scrapes[path]!;
      res.writeHead(200, { "content-type": "application/openmetrics-text; version=1.0.0; charset=utf-8" });
      res.end(openMetrics(n, base));
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    await prom?.stop();
    await new Promise((r) => target?.close(r));
    await fed?.stop();
  });

  it("query_exemplars answers as Prometheus does", async () => {
    const port = (target.address() as AddressInfo).port;
    const config = (path: string) =>
      ["global: {scrape_interval: 1s, scrape_timeout: 900ms}", "scrape_configs:", "  - job_name: demo", `    metrics_path: ${path}`, `    static_configs: [{targets: ["127.0.0.1:${port}"]}]`, ""].join("\n");
    await fed.putConfig("regions/local-a/prometheus.yml", config("/edge"));
    expect((await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" })).status).toBe(200);
    prom = await startPrometheus(config("/prom"), ["--enable-feature=exemplar-storage"]);
    const query = 'demo_requests_total or {__name__="demo_latency_seconds_bucket"}';
    const params = `query=${encodeURIComponent(query)}&start=${(base - 60_000) / 1000}&end=${(Date.now() + 600_000) / 1000}`;
    const settled = async (url: string, path: string) =>
      waitFor(
        `${path} scraped past its changing pages`,
        async () => {
          if (scrapes[path]! <= CHANGING_SCRAPES + 1) return undefined;
          const body = await exemplars(url, params);
          return body.data.reduce((a, s) => a + s.exemplars.length, 0) === 4 * CHANGING_SCRAPES ? body : undefined;
        },
        60_000,
      );
    const [theirs, ours] = await Promise.all([settled(prom.url, "/prom"), settled(fed.urls["local-a"], "/edge")]);
    expect(theirs.data).toHaveLength(4);
    expect(ours).toEqual(theirs);
    const rawOurs = await (await fetch(`${fed.urls["local-a"]}/api/v1/query_exemplars?${params}`)).text();
    const rawTheirs = await (await fetch(`${prom.url}/api/v1/query_exemplars?${params}`)).text();
    expect(rawOurs).toBe(rawTheirs);
  }, 180_000);
});

interface ExemplarAnswer {
  status: string;
  data: { seriesLabels: Record<string, string>; exemplars: unknown[] }[];
}

async function exemplars(url: string, params: string): Promise<ExemplarAnswer> {
  const res = await fetch(`${url}/api/v1/query_exemplars?${params}`);
  return (await res.json()) as ExemplarAnswer;
}
