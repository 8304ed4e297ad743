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
    // The region scrapes nothing itself here: everything it holds comes from Prometheus.
    await fed.putConfig("regions/local-a/prometheus.yml", "global: {}\n");
    expect((await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" })).status).toBe(200);
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
        const res = await fetch(`${fed.urls["local-a"]}/api/v1/series?match[]=${encodeURIComponent('up{job="node"}')}`);
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

  // Prometheus as the oracle for PromQL over the same samples. Query times sit between
  // scrapes, so 2.42's closed range boundaries and 3.x's left-open ones agree.
  it("answers PromQL like Prometheus over the same data", async () => {
    const at = Date.now() - 2_345;
    // up{job="node"}: the region also scrapes its own Pushgateway, Prometheus does not.
    const instant = [
      'up{job="node"}',
      'node_memory_MemFree_bytes{job="node"}',
      "rate(node_cpu_seconds_total[5s])",
      'sum by (mode) (rate(node_cpu_seconds_total{mode=~"idle|user|system"}[5s]))',
      "count(node_cpu_seconds_total)",
      "topk(3, node_memory_MemFree_bytes)",
      "node_memory_MemFree_bytes / node_memory_MemTotal_bytes * 100",
      "avg_over_time(node_load1[10s])",
      "max_over_time(rate(node_network_receive_bytes_total[3s])[8s:2s])",
      "increase(node_context_switches_total[6s])",
      "count by (__name__) ({job=\"node\", __name__=~\"node_memory_.*\"})",
      "absent(nonexistent_metric)",
      'scalar(count(up{job="node"}))',
      "sum without (cpu) (node_cpu_seconds_total) > 10",
      "deriv(node_memory_MemFree_bytes[8s])",
      "quantile(0.9, node_cpu_seconds_total)",
    ];
    for (const q of instant) {
      const [ours, theirs] = await Promise.all([query(fed.urls["local-a"], q, at), query(reader!.url, q, at)]);
      expect(normalise(ours), q).toEqual(normalise(theirs));
    }
    const range = ["rate(node_cpu_seconds_total{cpu=\"0\"}[4s])", "sum(node_memory_MemFree_bytes)", 'up{job="node"} == 1'];
    for (const q of range) {
      const qs = `query=${encodeURIComponent(q)}&start=${(at - 10_000) / 1000}&end=${at / 1000}&step=2`;
      const [ours, theirs] = await Promise.all([get(`${fed.urls["local-a"]}/api/v1/query_range?${qs}`), get(`${reader!.url}/api/v1/query_range?${qs}`)]);
      expect(normalise(ours), q).toEqual(normalise(theirs));
    }
  });
});

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

async function query(base: string, q: string, at: number): Promise<any> {
  return get(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`);
}

/** Results in a canonical order with values rounded to 12 significant digits: the
 * two engines sum in different orders (and 3.x compensates), so the last bits differ. */
function normalise(body: any): unknown {
  expect(body.status, JSON.stringify(body)).toBe("success");
  const round = (v: string) => (Number.isFinite(Number(v)) ? Number(Number(v).toPrecision(12)) : v);
  const { resultType, result } = body.data;
  if (resultType === "scalar") return { resultType, result: [result[0], round(result[1])] };
  const rows = (result as any[]).map((r) => ({
    metric: sortObj(r.metric),
    ...(r.value ? { value: [r.value[0], round(r.value[1])] } : { values: r.values.map((p: [number, string]) => [p[0], round(p[1])]) }),
  }));
  rows.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
  return { resultType, result: rows };
}

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
