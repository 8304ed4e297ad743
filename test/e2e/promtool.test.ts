import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { startTestFederation } from "./support/federation.js";
import { requireBinary } from "./support/processes.js";
import { remoteWrite } from "./support/remote.js";

const run = promisify(execFile);

/** promtool (Debian's prometheus 2.42) as a client of the region's query API. */
describe("promtool query against the local federation", () => {
  let fed: Federation;
  const promtool = requireBinary("/usr/bin/promtool", "prometheus");
  const now = Math.floor(Date.now() / 1000) * 1000;

  beforeAll(async () => {
    fed = await startTestFederation();
    const timeseries = ["a", "b"].map((inst, k) => ({
      labels: [
        { name: "__name__", value: "demo_requests_total" },
        { name: "instance", value: inst },
        { name: "job", value: "demo" },
      ],
      samples: Array.from({ length: 21 }, (_, i) => ({ t: now - (20 - i) * 15_000, v: i * 15 * (k + 1) })),
    }));
    const res = await remoteWrite(fed.urls["local-a"], { timeseries });
    expect(res.status).toBe(204);
  });

  afterAll(async () => fed?.stop());

  it("runs instant queries", async () => {
    const { stdout } = await run(promtool, ["query", "instant", "--time", String(now / 1000), fed.urls["local-a"], "sum by (job) (rate(demo_requests_total[1m]))"]);
    // 1/s and 2/s; the extrapolation factor (60s/45s)/60s costs the last bit, as in Prometheus.
    const m = /^\{job="demo"\} => (\S+) @\[(\d+)\]$/.exec(stdout.trim());
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(3, 12);
    expect(Number(m![2])).toBe(now / 1000);
  });

  it("runs range queries", async () => {
    const { stdout } = await run(promtool, [
      "query",
      "range",
      "--start",
      String((now - 60_000) / 1000),
      "--end",
      String(now / 1000),
      "--step",
      "30s",
      fed.urls["local-a"],
      'demo_requests_total{instance="b"}',
    ]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe('demo_requests_total{instance="b", job="demo"} =>');
    expect(lines.slice(1)).toEqual([`480 @[${(now - 60_000) / 1000}]`, `540 @[${(now - 30_000) / 1000}]`, `600 @[${now / 1000}]`]);
  });

  it("reports a bad query with Prometheus' parse error", async () => {
    const err = await run(promtool, ["query", "instant", fed.urls["local-a"], "sum(rate(x[5m])"]).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).not.toBe(0);
    expect((err as { stderr: string }).stderr).toMatch(/bad_data: invalid parameter "query": 1:\d+: parse error: /);
  });
});
