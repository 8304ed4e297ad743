// The writer checked by the real consumer: Prometheus (Debian's prometheus package)
// scrapes pages we write, once as OpenMetrics and once as text, and its API must show
// exactly the series, values and exemplars we wrote.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, labelsToRecord } from "../../src/model/labels.js";
import {
  OPENMETRICS_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
  writeOpenMetrics,
  writeText,
  type MetricFamily,
} from "../../src/textparse/index.js";
import { nodeExporterFamilies } from "../../bench/textparse.js";
import { freePort, requireBinary, startPeer, waitForHttp, type Peer } from "./peers.js";

const PROMETHEUS = "/usr/bin/prometheus";

const EXEMPLAR_FAMILY: MetricFamily = {
  name: "edge_jobs_total",
  type: "counter",
  help: "Jobs, with an exemplar and awkward label values.",
  samples: [
    {
      labels: labelsFromRecord({ __name__: "edge_jobs_total", queue: 'a "quoted"\\ value\nwith newline' }),
      value: 17,
      exemplar: { labels: labelsFromRecord({ trace_id: "KOO5S4vxi0o" }), value: 0.67, timestamp: Date.now() - 1000 },
    },
    { labels: labelsFromRecord({ __name__: "edge_jobs_total", queue: "ünïcødé 世界" }), value: 1.5e-7 },
  ],
};
const FAMILIES = [...nodeExporterFamilies(), EXEMPLAR_FAMILY];

let server: Server | undefined;
let prometheus: Peer | undefined;
let api = "";
let dataDir = "";
let setupError: unknown;

function ready(): void {
  if (setupError !== undefined) throw setupError;
}

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(q: string): Promise<VectorResult[]> {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: VectorResult[] } };
  if (body.status !== "success") throw new Error(`query ${q} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

async function setUp(): Promise<void> {
  requireBinary(PROMETHEUS, "prometheus");
  const om = writeOpenMetrics(FAMILIES);
  const text = writeText(FAMILIES);
  server = createServer((req, res) => {
    const isOM = req.url === "/om";
    res.writeHead(200, { "Content-Type": isOM ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE });
    res.end(isOM ? om : text);
  });
  const targetPort = await freePort();
  await new Promise<void>((resolve) => server!.listen(targetPort, "127.0.0.1", resolve));

  dataDir = mkdtempSync(join(tmpdir(), "edgeprom-textparse-"));
  const target = `127.0.0.1:${targetPort}`;
  writeFileSync(
    join(dataDir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, scrape_timeout: 1s }",
      "scrape_configs:",
      `  - { job_name: om, metrics_path: /om, static_configs: [{ targets: ["${target}"] }] }`,
      `  - { job_name: text, metrics_path: /text, static_configs: [{ targets: ["${target}"] }] }`,
    ].join("\n"),
  );
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  prometheus = startPeer(PROMETHEUS, [
    `--config.file=${join(dataDir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dataDir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage",
  ]);
  await waitForHttp(prometheus, `${api}/-/ready`, 30000);
  // Wait until both jobs have been scraped once.
  const deadline = Date.now() + 30000;
  for (;;) {
    const up = await query("up");
    if (up.length === 2 && up.every((r) => r.value[1] === "1")) return;
    if (Date.now() > deadline) {
      const targets = await (await fetch(`${api}/api/v1/targets`)).text();
      throw new Error(`targets not up after 30 s: ${targets}\n${prometheus.log()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (e) {
    setupError = e;
  }
}, 90000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
});

/** Every series we wrote, keyed as Prometheus should store it with job/instance. */
function expectedSeries(job: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of FAMILIES) {
    for (const s of f.samples) out.set(labelsKey(labelsFromRecord({ ...labelsToRecord(s.labels), job })), s.value);
  }
  return out;
}

describe("Prometheus scraping the writer's output", () => {
  for (const job of ["om", "text"]) {
    it(`stores exactly the series and values written (${job === "om" ? "OpenMetrics" : "text"})`, async () => {
      ready();
      const got = new Map<string, number>();
      for (const r of await query(`{job="${job}", __name__!~"up|scrape_.*"}`)) {
        const { instance, ...rest } = r.metric;
        void instance;
        got.set(labelsKey(labelsFromRecord(rest)), Number(r.value[1]));
      }
      const want = expectedSeries(job);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [key, v] of want) expect(got.get(key), key).toBe(v);
      const [scraped] = await query(`scrape_samples_scraped{job="${job}"}`);
      expect(Number(scraped!.value[1])).toBe(want.size);
    }, 30000);
  }

  it("keeps the exemplar written in OpenMetrics", async () => {
    ready();
    const now = Date.now() / 1000;
    const res = await fetch(
      `${api}/api/v1/query_exemplars?query=${encodeURIComponent('edge_jobs_total{job="om"}')}&start=${now - 3600}&end=${now + 60}`,
    );
    const body = (await res.json()) as {
      data: Array<{ exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>;
    };
    const ex = body.data.flatMap((d) => d.exemplars);
    expect(ex.length).toBeGreaterThan(0);
    expect(ex[0]!.labels).toEqual({ trace_id: "KOO5S4vxi0o" });
    expect(Number(ex[0]!.value)).toBe(0.67);
    expect(Math.round(ex[0]!.timestamp * 1000)).toBe(EXEMPLAR_FAMILY.samples[0]!.exemplar!.timestamp);
  });
});
