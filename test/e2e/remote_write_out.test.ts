import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";
import { remoteWrite } from "./support/remote.js";

/** Region local-a's `remote_write` ships what it ingests (remote-written samples and
 * its own scrapes) to a real Prometheus 2.42 with the remote-write receiver, with the
 * region's external labels; while the receiver is down nothing is lost. The receiver
 * sits behind a small proxy so that it can be restarted on another port. */
describe("remote_write to Prometheus 2.42", () => {
  let fed: Federation;
  let prom: Peer | undefined;
  let upstream = "";
  let proxy: Server;
  let proxyUrl = "";
  let dataDir = "";
  /** Requests the proxy could not forward (the receiver was down). */
  let cut = 0;

  beforeAll(async () => {
    fed = await startTestFederation();
    prom = await startPrometheus("global: {}\n", ["--web.enable-remote-write-receiver"]);
    dataDir = /--storage.tsdb.path=(\S+)/.exec(prom.proc.spawnargs.join(" "))![1]!;
    upstream = prom.url;
    // Forwards to the current Prometheus; with none, the connection is cut (a network
    // error for the sender).
    proxy = createServer((req, res) => {
      const u = new URL(req.url ?? "/", upstream);
      const fwd = request(u, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on("error", () => {
        cut++;
        req.socket.destroy();
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    await fed.putConfig(
      "regions/local-a/prometheus.yml",
      `global:
  scrape_interval: 1s
  external_labels:
    region: local-a
scrape_configs:
  - job_name: edgeprom
    static_configs:
      - targets: ["${fed.urls["local-a"].replace("http://", "")}"]
remote_write:
  - url: ${proxyUrl}/api/v1/write
    name: longterm
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    write_relabel_configs:
      - source_labels: [__name__]
        regex: rw_out_private
        action: drop
`,
    );
    const r = await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" });
    expect(r.status, await r.text()).toBe(200);
  });

  afterAll(async () => {
    await prom?.stop();
    await new Promise((r) => proxy?.close(r));
    await fed?.stop();
  });

  const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const values = [1.5, -2.25, 1e-9, 123456789.125, 0, 42, 3.14159, 7, 8.5, 1e21];
  const write = async (name: string, from: number, to: number) => {
    const res = await remoteWrite(fed.urls["local-a"], {
      timeseries: [
        {
          labels: [
            { name: "__name__", value: name },
            { name: "job", value: "pushed" },
          ],
          samples: values.slice(from, to).map((v, i) => ({ t: base + (from + i) * 1000, v })),
        },
      ],
    });
    expect(res.status, await res.text()).toBe(204);
  };

  /** Every sample of the series in the receiver, by label set. */
  async function samplesAt(url: string, selector: string): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
    const q = `${selector}[10m]`;
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}&time=${Date.now() / 1000}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
    expect(body.status).toBe("success");
    return body.data.result;
  }

  it("ships remote-written and scraped samples with the region's external labels, exactly", async () => {
    await write("rw_out_test", 0, 5);
    await write("rw_out_private", 0, 5);
    const got = await waitFor(
      "samples in the receiving Prometheus",
      async () => {
        const r = await samplesAt(prom!.url, "rw_out_test");
        return r.length === 1 && r[0]!.values.length === 5 ? r : undefined;
      },
      60_000,
    );
    expect(got[0]!.metric).toEqual({ __name__: "rw_out_test", job: "pushed", region: "local-a" });
    expect(got[0]!.values.map(([t, v]) => [Math.round(t * 1000), Number(v)])).toEqual(values.slice(0, 5).map((v, i) => [base + i * 1000, v]));
    // Its own scrapes go out too.
    await waitFor(
      "scraped up series in the receiver",
      async () => {
        const r = await samplesAt(prom!.url, 'up{job="edgeprom"}');
        return r.length === 1 && r[0]!.metric.region === "local-a" && r[0]!.values.length >= 2 ? r : undefined;
      },
      60_000,
    );
    // write_relabel_configs applied.
    expect(await samplesAt(prom!.url, "rw_out_private")).toEqual([]);
  });

  it("loses nothing while the receiver is down", async () => {
    await prom!.stop();
    prom = undefined;
    await write("rw_out_test", 5, 10);
    await write("rw_out_during_outage", 0, 10);
    // Several failed attempts with backoff while nobody listens.
    await new Promise((r) => setTimeout(r, 4000));
    // The queue kept trying (with backoff between min_backoff and max_backoff).
    expect(cut).toBeGreaterThanOrEqual(2);
    prom = await startPrometheus("global: {}\n", ["--web.enable-remote-write-receiver"], dataDir);
    upstream = prom.url;
    const got = await waitFor(
      "samples written during the outage",
      async () => {
        const a = await samplesAt(prom!.url, "rw_out_test");
        const b = await samplesAt(prom!.url, "rw_out_during_outage");
        return a.length === 1 && a[0]!.values.length === 10 && b.length === 1 && b[0]!.values.length === 10 ? { a, b } : undefined;
      },
      90_000,
      500,
    );
    const expected = values.map((v, i) => [base + i * 1000, v]);
    expect(got.a[0]!.values.map(([t, v]) => [Math.round(t * 1000), Number(v)])).toEqual(expected);
    expect(got.b[0]!.metric).toEqual({ __name__: "rw_out_during_outage", job: "pushed", region: "local-a" });
    expect(got.b[0]!.values.map(([t, v]) => [Math.round(t * 1000), Number(v)])).toEqual(expected);
    // The scrapes of the outage arrived as well: no gap in up{job="edgeprom"} longer
    // than a few scrape intervals.
    const up = (await samplesAt(prom.url, 'up{job="edgeprom"}'))[0]!.values.map(([t]) => t * 1000);
    let gap = 0;
    for (let i = 1; i < up.length; i++) gap = Math.max(gap, up[i]! - up[i - 1]!);
    expect(gap).toBeLessThan(5000);
  });
});
