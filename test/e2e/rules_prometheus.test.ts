import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, type Peer } from "./support/peers.js";
import { freePort, waitFor } from "./support/processes.js";

// The same rule file, evaluated by Debian's Prometheus 2.42 and by an edgeprom region,
// both scraping the same target: the alerts go through the same states, with the
// same labels, annotations and values, and the groups evaluate on the same slots
// (the rule file has the same path in both, so the same slot offset).

const RULES = `
groups:
  - name: diff
    rules:
      - record: diff:temperature:sum
        expr: sum without (instance) (diff_temperature)
      - alert: Warm
        expr: diff_temperature > 50
        for: 3s
        labels:
          severity: warn
          where: "{{ $labels.room }}-room"
        annotations:
          summary: "{{ $labels.room }} at {{ $value }} ({{ $externalLabels.site }})"
      - alert: Hot
        expr: diff_temperature > 90
        keep_firing_for: 3s
`;

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}

type Timeline = Map<string, string[]>;

async function alerts(base: string): Promise<ApiAlert[]> {
  const body = (await (await fetch(`${base}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
  return body.data.alerts;
}

/** Appends each alert's state to its timeline when it changes; "gone" when it left. */
function observe(timeline: Timeline, list: ApiAlert[]): void {
  const seen = new Set<string>();
  for (const a of list) {
    const key = `${a.labels["alertname"]}/${a.labels["room"]}`;
    seen.add(key);
    const t = timeline.get(key) ?? [];
    if (t.at(-1) !== a.state) t.push(a.state);
    timeline.set(key, t);
  }
  for (const [key, t] of timeline) if (!seen.has(key) && t.at(-1) !== "gone") t.push("gone");
}

describe("rules: edgeprom and Prometheus 2.42 on the same data", () => {
  let fed: Federation | undefined;
  let prom: Peer | undefined;
  let target: Server | undefined;
  const temperature: Record<string, number> = { lab: 20, office: 20 };

  beforeAll(async () => {
    const port = await freePort();
    target = createServer((_req, res) => {
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(Object.entries(temperature).map(([room, v]) => `diff_temperature{room="${room}"} ${v}\n`).join(""));
    });
    await new Promise<void>((r) => target!.listen(port, "127.0.0.1", () => r()));
    const dir = await mkdtemp(join(tmpdir(), "edgeprom-rules-"));
    const rulesPath = join(dir, "rules.yml");
    await writeFile(rulesPath, RULES);
    const config = (extra: string) =>
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "  external_labels: {site: lab1}",
        `rule_files: ["${rulesPath}"]`,
        "scrape_configs:",
        "  - job_name: diff",
        `    static_configs: [{targets: ["127.0.0.1:${port}"]}]`,
        extra,
      ].join("\n");
    prom = await startPrometheus(config(""));
    fed = await startTestFederation();
    // The rule file's KV key is its absolute path, which rule_files names as is.
    await fed.putConfig(rulesPath, RULES);
    await fed.putConfig("regions/local-a/prometheus.yml", config(""));
    const res = await fetch(`${fed.urls["local-a"]}/-/reload`, { method: "POST" });
    expect(res.status, await res.text()).toBe(200);
  });

  afterAll(async () => {
    await fed?.stop();
    await prom?.stop();
    target?.close();
  });

  it("goes through the same alert states", async () => {
    const edge = fed!.urls["local-a"];
    const theirs = prom!.url;
    // Both have evaluated the recording rule on scraped data.
    for (const base of [edge, theirs]) {
      await waitFor(`${base} recording`, async () => {
        const body = (await (await fetch(`${base}/api/v1/query?query=diff:temperature:sum`)).json()) as { data: { result: unknown[] } };
        return body.data.result.length === 2 ? true : undefined;
      });
    }

    const ours: Timeline = new Map();
    const ref: Timeline = new Map();
    const firingSeen: { ours?: ApiAlert; ref?: ApiAlert } = {};
    const poll = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const [a, b] = await Promise.all([alerts(edge), alerts(theirs)]);
        observe(ours, a);
        observe(ref, b);
        firingSeen.ours ??= a.find((x) => x.labels["alertname"] === "Warm" && x.state === "firing");
        firingSeen.ref ??= b.find((x) => x.labels["alertname"] === "Warm" && x.state === "firing");
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    temperature["lab"] = 80;
    await poll(7_000);
    temperature["lab"] = 95;
    await poll(4_000);
    temperature["lab"] = 20;
    await poll(7_000);

    const expected = new Map([
      ["Warm/lab", ["pending", "firing", "gone"]],
      ["Hot/lab", ["firing", "gone"]],
    ]);
    expect(ref).toEqual(expected);
    expect(ours).toEqual(expected);

    // The same alert, label for label.
    const strip = (a: ApiAlert) => ({ labels: a.labels, annotations: a.annotations, value: a.value, state: a.state });
    expect(firingSeen.ours).toBeDefined();
    expect(strip(firingSeen.ours!)).toEqual(strip(firingSeen.ref!));
    expect(firingSeen.ours!.annotations).toEqual({ summary: "lab at 80 (lab1)" });
    // Both saw the alert become active within a scrape and an evaluation of each other.
    expect(Math.abs(Date.parse(firingSeen.ours!.activeAt) - Date.parse(firingSeen.ref!.activeAt))).toBeLessThanOrEqual(2_000);

    // Same slots: recorded samples fall on the same millisecond within the interval.
    const stamps = async (base: string) => {
      const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent("diff:temperature:sum[10s]")}`)).json()) as {
        data: { result: { values: [number, string][] }[] };
      };
      return body.data.result[0]!.values.map(([t]) => Math.round(t * 1000) % 1000);
    };
    const [a, b] = [await stamps(edge), await stamps(theirs)];
    expect(new Set(a)).toEqual(new Set(b));
    expect(new Set(a).size).toBe(1);

    // The rules API agrees on what each rule is.
    const rules = async (base: string) => {
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: { name: string; interval: number; rules: Record<string, unknown>[] }[] } };
      return body.data.groups.map((g) => ({
        name: g.name,
        interval: g.interval,
        // Prometheus 3 always has `labels`; 2.42 left them out when empty.
        rules: g.rules.map((r) => ({ type: r["type"], name: r["name"], query: r["query"], health: r["health"], duration: r["duration"], labels: r["labels"] ?? {}, annotations: r["annotations"] })),
      }));
    };
    expect(await rules(edge)).toEqual(await rules(theirs));
  });
});
