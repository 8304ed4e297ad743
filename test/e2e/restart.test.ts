import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { spawnLocalFederation, type LocalFederation } from "./support/local_process.js";
import { remoteRead, remoteWrite } from "./support/remote.js";

/** Acknowledged samples survive a crash: the local federation is killed with SIGKILL
 * (node and workerd together) right after the last acknowledged write, started again
 * on the same data directory, and every sample is read back. */
describe("durability across a crash of the local federation", () => {
  let running: LocalFederation | undefined;
  afterAll(async () => running?.kill());

  it("loses no acknowledged sample", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "edgeprom-crash-"));
    running = await spawnLocalFederation(dataDir);
    const base = Date.now() - 3_600_000;
    const sent = new Map<string, { t: number; v: number }[]>();
    // 200 series x 150 samples in 15 requests: enough to seal chunks (120 samples)
    // and leave open heads and WAL records behind.
    for (let req = 0; req < 15; req++) {
      const timeseries = [];
      for (let s = 0; s < 200; s++) {
        const samples = [];
        for (let k = 0; k < 10; k++) {
          const i = req * 10 + k;
          const v = i === 149 && s % 10 === 0 ? STALE_NAN : s * 1000 + i + (s % 3) * 0.25;
          samples.push({ t: base + i * 15_000, v });
        }
        const key = `crash_test_${s % 4}/${s}`;
        sent.set(key, [...(sent.get(key) ?? []), ...samples]);
        timeseries.push({
          labels: [
            { name: "__name__", value: `crash_test_${s % 4}` },
            { name: "instance", value: String(s) },
            { name: "job", value: "crash" },
          ],
          samples,
        });
      }
      for (const region of ["local-a", "local-b"] as const) {
        const res = await remoteWrite(running.urls[region], { timeseries });
        expect(res.status, await res.text()).toBe(204);
      }
    }
    await running.kill();
    running = await spawnLocalFederation(dataDir);

    for (const region of ["local-a", "local-b"] as const) {
      const got = await remoteRead(running.urls[region], {
        startMs: base - 1,
        endMs: Date.now(),
        matchers: [{ type: "=", name: "job", value: "crash" }],
      });
      expect(got).toHaveLength(200);
      let samples = 0;
      for (const s of got) {
        const want = sent.get(`${s.labels["__name__"]}/${s.labels["instance"]}`)!;
        expect(s.samples.map((x) => x.t)).toEqual(want.map((x) => x.t));
        expect(s.samples.map((x) => (isStaleNaN(x.v) ? "stale" : x.v))).toEqual(want.map((x) => (isStaleNaN(x.v) ? "stale" : x.v)));
        samples += s.samples.length;
      }
      expect(samples).toBe(200 * 150);
    }
    const series = (await (await fetch(`${running.urls["local-a"]}/api/v1/series?match[]=${encodeURIComponent('{job="crash"}')}`)).json()) as { data: unknown[] };
    expect(series.data).toHaveLength(200);
  });
});
