import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { startTestFederation } from "./support/federation.js";
import { startNodeExporter, startPrometheus, type Peer } from "./support/peers.js";
import { freePort, waitFor } from "./support/processes.js";
import { remoteWrite } from "./support/remote.js";

type Vector = { metric: Record<string, string>; value: [number, string] }[];

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

const host = (u: string) => u.replace(/^http:\/\//, "");

async function query(base: string, q: string): Promise<Vector> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: Vector } };
  if (body.status !== "success") throw new Error(`${base} query ${q}: ${body.error}`);
  return body.data.result;
}

async function targets(base: string): Promise<Target[]> {
  const body = (await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } };
  return body.data.activeTargets;
}

/** Federation in both directions between edgeprom and Debian's Prometheus 2.42:
 * each side's /federate output is scraped by the other, labels and values intact. */
describe("federation interop with Prometheus 2.42", () => {
  let fed: Federation;
  const peers: Peer[] = [];

  beforeAll(async () => {
    fed = await startTestFederation();
  });
  afterAll(async () => {
    for (const p of peers) await p.stop();
    await fed?.stop();
  });

  it("a real Prometheus federates from an edgeprom region (honor_labels, external labels, exact values)", async () => {
    const regionA = fed.urls["local-a"];
    await fed.putConfig("regions/local-a/prometheus.yml", ["global:", "  external_labels: {region: local-a}", ""].join("\n"));
    expect((await fetch(`${regionA}/-/reload`, { method: "POST" })).status).toBe(200);

    // Recent timestamps, so that both edgeprom's and Prometheus' 5m lookback see them;
    // the last sample of each series is the one /federate must hand over.
    const now = Date.now() - 2000;
    const written: { labels: Record<string, string>; samples: { t: number; v: number }[] }[] = [
      { labels: { __name__: "interop_temperature_celsius", job: "x", instance: "src-1:9100", room: "kitchen" }, samples: [{ t: now - 10_000, v: 20.25 }, { t: now, v: 21.5 }] },
      { labels: { __name__: "interop_temperature_celsius", job: "x", instance: "src-2:9100", room: "cellar" }, samples: [{ t: now, v: -3.125 }] },
      { labels: { __name__: "interop_requests_total", job: "x", instance: "src-1:9100", code: "200" }, samples: [{ t: now - 5000, v: 41 }, { t: now, v: 1234567 }] },
      // Escaping across the text format: quote, backslash, newline and non-ASCII.
      { labels: { __name__: "interop_info", job: "x", instance: "src-1:9100", path: 'a"b\\c\nd ü' }, samples: [{ t: now, v: 1 }] },
      // Not matched by {job="x"}: must not cross.
      { labels: { __name__: "interop_temperature_celsius", job: "y", instance: "src-3:9100", room: "attic" }, samples: [{ t: now, v: 99 }] },
    ];
    const res = await remoteWrite(regionA, {
      timeseries: written.map((s) => ({ labels: labelsFromRecord(s.labels), samples: s.samples })),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);

    // edgeprom's own /federate answers before Prometheus is involved.
    const own = await waitFor(
      "local-a /federate to list the written series",
      async () => {
        const r = await fetch(`${regionA}/federate?match[]=${encodeURIComponent('{job="x"}')}`);
        const t = await r.text();
        return r.ok && t.includes("interop_info") ? t : undefined;
      },
      60_000,
      500,
    );
    expect(own).not.toMatch(/job="y"/);

    const prom = await startPrometheus(
      [
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: federate",
        "    honor_labels: true",
        "    metrics_path: /federate",
        "    scrape_interval: 1s",
        "    params:",
        "      'match[]': ['{job=\"x\"}']",
        `    static_configs: [{targets: ["${host(regionA)}"]}]`,
        "",
      ].join("\n"),
    );
    peers.push(prom);

    const expected = written.filter((s) => s.labels.job === "x");
    const got = await waitFor(
      "Prometheus to have the federated series",
      async () => {
        const r = await query(prom.url, '{__name__=~"interop_.+"}');
        return r.length >= expected.length ? r : undefined;
      },
      90_000,
      1000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${prom.output().slice(-3000)}`);
    });

    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const gotByKey = new Map(got.map((r) => [key(r.metric), Number(r.value[1])]));
    // Exactly the matched series, each with every original label (job and instance kept
    // by honor_labels) plus the region's external label, and its newest value.
    expect(got).toHaveLength(expected.length);
    for (const s of expected) {
      const labels = { ...s.labels, region: "local-a" };
      expect(gotByKey.get(key(labels)), `series ${JSON.stringify(labels)} in ${JSON.stringify(got.map((g) => g.metric))}`).toBe(s.samples.at(-1)!.v);
    }
    // The samples keep their original timestamps (honor_timestamps is Prometheus' default).
    const ts = await query(prom.url, 'timestamp(interop_requests_total{job="x"})');
    expect(Number(ts[0]!.value[1]) * 1000).toBe(now);
    // And Prometheus' scrape of the region is healthy.
    const up = await query(prom.url, 'up{job="federate"}');
    expect(up.map((r) => r.value[1])).toEqual(["1"]);
  });

  describe("edgeprom's global tier federates from a real Prometheus", () => {
    let prom: Peer;
    let deadTarget = "";

    beforeAll(async () => {
      const exporter = await startNodeExporter();
      peers.push(exporter);
      prom = await startPrometheus(
        [
          "global:",
          "  scrape_interval: 1s",
          "  external_labels: {region: legacy}",
          "scrape_configs:",
          "  - job_name: node",
          `    static_configs: [{targets: ["${host(exporter.url)}"]}]`,
          "",
        ].join("\n"),
      );
      peers.push(prom);
      // Prometheus itself must have scraped node_exporter before anyone federates it.
      await waitFor("Prometheus to scrape node_exporter", async () => ((await query(prom.url, 'up{job="node"} == 1')).length === 1 ? true : undefined), 60_000, 500);

      // A "region" that stopped answering: a loopback port nothing listens on.
      deadTarget = `127.0.0.1:${await freePort()}`;
      await fed.putConfig(
        "regions/global/prometheus.yml",
        [
          "global:",
          "  scrape_interval: 1s",
          "  scrape_timeout: 1s",
          "scrape_configs:",
          "  - job_name: federate",
          "    honor_labels: true",
          "    metrics_path: /federate",
          "    scrape_interval: 1s",
          "    params:",
          "      'match[]': ['{job=\"node\"}']",
          `    static_configs: [{targets: ["${host(prom.url)}", "${deadTarget}"]}]`,
          "",
        ].join("\n"),
      );
      expect((await fetch(`${fed.urls.global}/-/reload`, { method: "POST" })).status).toBe(200);
    });

    it("has node_exporter's series with region=\"legacy\" and up{job=\"federate\"} = 1", async () => {
      const g = fed.urls.global;
      const cpu = await waitFor(
        "node_exporter series on the global tier",
        async () => {
          const r = await query(g, 'node_cpu_seconds_total{region="legacy"}');
          return r.length > 0 ? r : undefined;
        },
        90_000,
        1000,
      );
      // honor_labels keeps the legacy Prometheus' job and instance, not the federate scrape's.
      for (const s of cpu) {
        expect(s.metric).toMatchObject({ job: "node", region: "legacy" });
        expect(s.metric["instance"]).not.toBe(host(prom.url));
        expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
      }
      // The legacy Prometheus' own up for node_exporter comes across too.
      const nodeUp = await query(g, 'up{job="node",region="legacy"}');
      expect(nodeUp.map((r) => r.value[1])).toEqual(["1"]);
      // The number of CPU series equals what the legacy Prometheus has.
      const theirs = await query(prom.url, 'node_cpu_seconds_total{job="node"}');
      expect(cpu.length).toBe(theirs.length);

      const fedUp = await waitFor(
        "up of the federate scrape",
        async () => {
          const r = await query(g, `up{job="federate",instance="${host(prom.url)}"}`);
          return r.length === 1 ? r : undefined;
        },
        60_000,
        500,
      );
      expect(fedUp[0]!.value[1]).toBe("1");
    });

    it("marks a region that stops answering down with a clear error while the other stays up", async () => {
      const g = fed.urls.global;
      const ts = await waitFor(
        "both federate targets scraped",
        async () => {
          const t = (await targets(g)).filter((x) => x.scrapePool === "federate");
          return t.length === 2 && t.every((x) => x.health !== "unknown") ? t : undefined;
        },
        60_000,
        500,
      );
      const byInstance = Object.fromEntries(ts.map((t) => [t.labels["instance"], t]));
      expect(byInstance[host(prom.url)]).toMatchObject({ health: "up", lastError: "" });
      const dead = byInstance[deadTarget]!;
      expect(dead.health).toBe("down");
      // Names the scrape URL and says the connection failed (workerd's fetch reports a
      // refused connection as "Network connection lost."; Prometheus says "connection refused").
      expect(dead.lastError).toContain(`Get "http://${deadTarget}/federate?`);
      expect(dead.lastError).toMatch(/connection (refused|lost)|ECONNREFUSED/i);
      console.log(`dead target lastError: ${dead.lastError}`);

      const up = await waitFor(
        "up for both federate targets",
        async () => {
          const r = await query(g, 'up{job="federate"}');
          return r.length === 2 ? r : undefined;
        },
        60_000,
        500,
      );
      expect(Object.fromEntries(up.map((r) => [r.metric["instance"], r.value[1]]))).toEqual({ [host(prom.url)]: "1", [deadTarget]: "0" });

      // The healthy side keeps flowing: the federated up of node_exporter gets new samples.
      const count = async () => Number((await query(g, `count_over_time(up{job="federate",instance="${host(prom.url)}"}[1m])`))[0]!.value[1]);
      const c1 = await count();
      await new Promise((r) => setTimeout(r, 3500));
      expect(await count()).toBeGreaterThan(c1);
    });
  });
});
