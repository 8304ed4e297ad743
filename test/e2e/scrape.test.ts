import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { startNodeExporter, startPrometheus, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  health: string;
  lastError: string;
  lastScrape: string;
}

/** A region scrapes what its prometheus.yml (pushed into KV) names: a real
 * node_exporter, a real Prometheus' own /metrics, and targets that misbehave. Each
 * bad target is `up 0` with a clear error; the good ones keep being scraped. */
describe("scraping from a pushed prometheus.yml", () => {
  let fed: Federation;
  let exporter: Peer;
  let prom: Peer;
  let bad: Server;
  let badAddr = "";

  beforeAll(async () => {
    [fed, exporter, prom] = await Promise.all([startTestFederation(), startNodeExporter(), startPrometheus("global: {}\n")]);
    bad = createServer((req, res) => {
      if (req.url === "/slow/metrics") return void setTimeout(() => res.end("late 1\n"), 3000).unref();
      if (req.url === "/500/metrics") {
        res.statusCode = 500;
        return void res.end("internal error");
      }
      if (req.url === "/garbage/metrics") return void res.end("<html>this is not metrics</html>\n");
      if (req.url === "/dups/metrics") return void res.end("dup 1\ndup 2\nok 1\n");
      if (req.url === "/endless/metrics") {
        const write = () => {
          while (res.write("endless_metric_with_a_long_name 1\n")) {
            /* until the client stops reading */
          }
        };
        res.on("drain", write);
        req.on("close", () => res.destroy());
        return void write();
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => bad.listen(0, "127.0.0.1", r));
    badAddr = `127.0.0.1:${(bad.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fed?.stop();
    await exporter?.stop();
    await prom?.stop();
    bad?.close();
  });

  it("scrapes real and misbehaving targets, each with its own health", async () => {
    const host = (u: string) => u.replace("http://", "");
    const bads = ["slow", "500", "garbage", "dups", "endless"];
    await fed.putConfig(
      "regions/local-a/prometheus.yml",
      [
        "global:",
        "  scrape_interval: 2s",
        "  scrape_timeout: 1s",
        "  external_labels: {region: local-a}",
        "scrape_configs:",
        "  - job_name: node",
        `    static_configs: [{targets: ["${host(exporter.url)}"]}]`,
        "  - job_name: prometheus",
        `    static_configs: [{targets: ["${host(prom.url)}"]}]`,
        ...bads.flatMap((b) => [
          `  - job_name: ${b}`,
          `    metrics_path: /${b}/metrics`,
          "    body_size_limit: 64KB",
          `    static_configs: [{targets: ["${badAddr}"]}]`,
        ]),
        "",
      ].join("\n"),
    );
    const reload = await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" });
    expect(reload.status).toBe(200);

    const targets = await waitFor(
      "every target scraped",
      async () => {
        const body = (await (await fetch(`${fed.urls["local-a"]}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } };
        const ts = body.data.activeTargets;
        // The seven configured jobs and the region's own Pushgateway.
        return ts.length === 8 && ts.every((t) => t.health !== "unknown") ? ts : undefined;
      },
      60_000,
      500,
    );
    const byPool = Object.fromEntries(targets.map((t) => [t.scrapePool, t]));
    expect(byPool["node"]).toMatchObject({ health: "up", lastError: "" });
    expect(byPool["prometheus"]).toMatchObject({ health: "up", lastError: "" });
    expect(byPool["dups"]).toMatchObject({ health: "up" });
    expect(byPool["pushgateway"]).toMatchObject({ health: "up", lastError: "", scrapeUrl: "http://pushgateway.edgeprom.internal/pushgateway/metrics" });
    expect(byPool["slow"]!.health).toBe("down");
    expect(byPool["slow"]!.lastError).toMatch(/context deadline exceeded/);
    expect(byPool["500"]!.lastError).toMatch(/server returned HTTP status 500/);
    expect(byPool["garbage"]!.lastError).toMatch(/parse error/);
    expect(byPool["endless"]!.lastError).toMatch(/body size limit exceeded/);

    // The samples are there, with the target labels, and up says who is up.
    const q = async (query: string) =>
      ((await (await fetch(`${fed.urls["local-a"]}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    const up = await q("up");
    expect(Object.fromEntries(up.map((r) => [r.metric["job"], r.value[1]]))).toEqual({
      node: "1",
      prometheus: "1",
      pushgateway: "1",
      dups: "1",
      slow: "0",
      "500": "0",
      garbage: "0",
      endless: "0",
    });
    const cpu = await q('count(node_cpu_seconds_total{job="node"})');
    expect(Number(cpu[0]!.value[1])).toBeGreaterThan(0);
    const promOwn = await q('prometheus_build_info{job="prometheus"}');
    expect(promOwn[0]!.metric["instance"]).toBe(host(prom.url));

    // Metadata from the exposition's TYPE/HELP lines, per target and per metric.
    const md = (await (await fetch(`${fed.urls["local-a"]}/api/v1/targets/metadata?match_target=${encodeURIComponent('{job="node"}')}&metric=node_cpu_seconds_total`)).json()) as { data: { metric: string; type: string; help: string }[] };
    expect(md.data).toHaveLength(1);
    expect(md.data[0]).toMatchObject({ metric: "node_cpu_seconds_total", type: "counter" });
    const all = (await (await fetch(`${fed.urls["local-a"]}/api/v1/metadata?metric=prometheus_build_info`)).json()) as { data: Record<string, { type: string }[]> };
    expect(all.data["prometheus_build_info"]![0]!.type).toBe("gauge");

    // The loaded configuration is served with Prometheus' shape.
    const cfg = (await (await fetch(`${fed.urls["local-a"]}/api/v1/status/config`)).json()) as { data: { yaml: string } };
    expect(cfg.data.yaml).toMatch(/job_name: endless/);

    // Samples keep flowing from the good targets while the bad ones fail.
    const before = Number((await q('scrape_samples_scraped{job="node"}'))[0]!.value[1]);
    expect(before).toBeGreaterThan(100);
    const count1 = Number((await q('count_over_time(up{job="node"}[1m])'))[0]!.value[1]);
    await new Promise((r) => setTimeout(r, 4500));
    const count2 = Number((await q('count_over_time(up{job="node"}[1m])'))[0]!.value[1]);
    expect(count2).toBeGreaterThan(count1);
  });
});
