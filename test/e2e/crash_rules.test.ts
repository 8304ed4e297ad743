import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestFederation } from "./support/federation.js";
import { spawnLocalFederation, type LocalFederation } from "./support/local_process.js";
import { waitFor } from "./support/processes.js";

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

async function alerts(base: string): Promise<Map<string, ApiAlert>> {
  const body = (await (await fetch(`${base}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
  return new Map(body.data.alerts.map((a) => [a.labels["alertname"]!, a]));
}

/**
 * SIGKILL of the local federation while its rule evaluator runs every second: after
 * the restart a pending alert is still pending from the same moment (it does not
 * start its `for` over) and a firing one is still firing since the same time.
 */
describe("a crash during rule evaluation", () => {
  let running: LocalFederation | undefined;
  afterAll(async () => running?.kill());

  it("keeps pending and firing alerts where they were", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "edgeprom-crash-rules-"));
    // Configure the region through the same KV the local federation keeps in dataDir.
    const setup = await startTestFederation({ dataDir });
    await setup.putConfig(
      "regions/local-a/prometheus.yml",
      ["global:", "  scrape_interval: 15s", "  evaluation_interval: 1s", "  external_labels: {region: local-a}", "rule_files: [crash_rules.yml]", "scrape_configs: []", ""].join("\n"),
    );
    await setup.putConfig(
      "crash_rules.yml",
      [
        "groups:",
        "  - name: crash",
        "    rules:",
        "      - alert: SlowToFire",
        "        expr: vector(1)",
        "        for: 1h",
        "      - alert: FiringNow",
        "        expr: vector(2)",
        "",
      ].join("\n"),
    );
    await setup.stop();

    running = await spawnLocalFederation(dataDir);
    const before = await waitFor("both alerts", async () => {
      const a = await alerts(running!.urls["local-a"]);
      return a.get("SlowToFire")?.state === "pending" && a.get("FiringNow")?.state === "firing" ? a : undefined;
    }, 60_000, 500);
    // Let a few more evaluations run, then crash in the middle of them.
    await new Promise((r) => setTimeout(r, 2500));
    await running.kill();

    running = await spawnLocalFederation(dataDir);
    const after = await waitFor("the alerts after the restart", async () => {
      const a = await alerts(running!.urls["local-a"]);
      return a.size === 2 ? a : undefined;
    }, 60_000, 500);
    for (const name of ["SlowToFire", "FiringNow"]) {
      expect({ name, state: after.get(name)!.state, activeAt: after.get(name)!.activeAt }).toEqual({ name, state: before.get(name)!.state, activeAt: before.get(name)!.activeAt });
    }
  });
});
