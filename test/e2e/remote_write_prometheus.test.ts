import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { startNodeExporter, startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";
import { remoteRead } from "./support/remote.js";

/** Real Prometheus 2.42 scrapes a real node_exporter and remote-writes into region
 * local-a; what the region stored must equal, series for series and sample for
 * sample, what Prometheus stored itself. */
describe("remote write from Prometheus 2.42", () => {
  let fed: Federation;
  let exporter: Peer;
  let prom: Peer | undefined;
  let reader: Peer | undefined;
  const started = Date.now();

  beforeAll(async () => {
    fed = await startTestFederation();
    exporter = await startNodeExporter();
  });

  afterAll(async () => {
    await prom?.stop();
    await reader?.stop();
    await exporter?.stop();
    await fed?.stop();
  });

  it("stores exactly what Prometheus stored", async () => {
    prom = await startPrometheus(`
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["${exporter.url.replace("http://", "")}"]
remote_write:
  - url: ${fed.urls["local-a"]}/api/v1/write
    queue_config:
      batch_send_deadline: 500ms
      max_samples_per_send: 5000
`);
    // Let Prometheus scrape several times and ship them.
    await waitFor(
      "remote-written node series",
      async () => {
        const res = await fetch(`${fed.urls["local-a"]}/api/v1/series?match[]=up`);
        const body = (await res.json()) as { data: unknown[] };
        return body.data.length > 0 ? true : undefined;
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 8000));
    // A clean shutdown flushes the remote-write queues; a second Prometheus on the same
    // data directory (no scraping, no remote write) then answers for what was stored.
    const dataDir = /--storage.tsdb.path=(\S+)/.exec(prom.proc.spawnargs.join(" "))![1]!;
    await prom.stop();
    prom = undefined;
    reader = await startPrometheus("global: {}\n", [], dataDir);

    const ours = await seriesOf(fed.urls["local-a"], '{job="node"}');
    const theirs = await seriesOf(reader.url, '{job="node"}');
    expect(theirs.length).toBeGreaterThan(300);
    expect(ours).toEqual(theirs);

    const end = Date.now();
    const promMatrix = await queryMatrix(reader.url, `{job="node"}[${Math.ceil((end - started) / 1000) + 60}s]`, end);
    const stored = await remoteRead(fed.urls["local-a"], {
      startMs: started - 60_000,
      endMs: end,
      matchers: [{ type: "=", name: "job", value: "node" }],
    });
    const byKey = new Map(stored.map((s) => [JSON.stringify(sortObj(s.labels)), s.samples]));
    let compared = 0;
    for (const s of promMatrix) {
      const mine = byKey.get(JSON.stringify(sortObj(s.metric)));
      expect(mine, `series ${JSON.stringify(s.metric)} missing`).toBeDefined();
      expect(mine!.map((x) => x.t)).toEqual(s.values.map(([t]) => Math.round(t * 1000)));
      expect(mine!.map((x) => fmt(x.v))).toEqual(s.values.map(([, v]) => fmt(Number(v))));
      compared += s.values.length;
    }
    expect(promMatrix.length).toBe(stored.length);
    expect(compared).toBeGreaterThan(2000);
  });
});

function sortObj(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function fmt(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

async function seriesOf(base: string, match: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${base}/api/v1/series?match[]=${encodeURIComponent(match)}`);
  const body = (await res.json()) as { status: string; data: Record<string, string>[] };
  expect(body.status).toBe("success");
  return body.data.map(sortObj).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

async function queryMatrix(base: string, q: string, at: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`);
  const body = (await res.json()) as { data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } };
  expect(body.data.resultType).toBe("matrix");
  return body.data.result;
}
