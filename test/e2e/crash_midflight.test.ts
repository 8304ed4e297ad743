import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnLocalFederation, type LocalFederation } from "./support/local_process.js";
import { remoteRead, remoteWrite } from "./support/remote.js";
import { waitFor } from "./support/processes.js";

/**
 * SIGKILL of the whole local federation (node and workerd) while remote writes, pushes
 * and scrapes are under way, then a restart on the same data directory. Whatever was
 * acknowledged before the kill must be there afterwards, exactly; what was in flight
 * may or may not be, but nothing that was never sent may appear.
 */
describe("a crash in the middle of ingestion", () => {
  let running: LocalFederation | undefined;
  afterAll(async () => running?.kill());

  it("keeps every acknowledged sample, push and scrape", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "edgeprom-midflight-"));
    running = await spawnLocalFederation(dataDir);
    const a = running.urls["local-a"];
    // Scrapes: wait for the first scrape of the built-in demo target.
    await waitFor("a first scrape", async () => {
      const r = (await (await fetch(`${a}/api/v1/query?query=up`)).json()) as { data: { result: unknown[] } };
      return r.data.result.length > 0 ? true : undefined;
    });

    const base = Date.now() - 600_000;
    const acked = new Map<number, number>(); // remote-write request number -> its value
    const inflight = new Set<number>();
    const pushAcked = new Map<string, number>(); // group -> last acknowledged value
    const pushInflight = new Map<string, number>();
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        inflight.add(i);
        try {
          const res = await remoteWrite(a, {
            timeseries: [{ labels: [{ name: "__name__", value: "midflight_total" }, { name: "job", value: "midflight" }], samples: [{ t: base + i * 100, v: i }] }],
          });
          if (res.status === 204) acked.set(i, i);
          inflight.delete(i);
        } catch {
          return; // the kill cut the connection: i stays in flight
        }
      }
    })();
    const pusher = (async () => {
      for (let i = 0; !stop; i++) {
        const group = `g${i % 5}`;
        pushInflight.set(group, i);
        try {
          const res = await fetch(`${a}/pushgateway/metrics/job/midflight/instance/${group}`, { method: "PUT", body: `midflight_pushed ${i}\n` });
          if (res.status === 200) pushAcked.set(group, i);
        } catch {
          return;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 2500));
    // What the scrapes had stored and readable just before the kill.
    const scrapedBefore = await remoteRead(a, { startMs: 0, endMs: Date.now(), matchers: [{ type: "=", name: "job", value: "demo" }] });
    await running.kill();
    stop = true;
    await Promise.allSettled([writer, pusher]);
    expect(acked.size).toBeGreaterThan(10);
    expect(pushAcked.size).toBe(5);

    running = await spawnLocalFederation(dataDir);
    const b = running.urls["local-a"];
    const [series] = await remoteRead(b, { startMs: base - 1, endMs: Date.now(), matchers: [{ type: "=", name: "__name__", value: "midflight_total" }] });
    const stored = new Map(series!.samples.map((s) => [Math.round((s.t - base) / 100), s.v]));
    for (const [i, v] of acked) expect(stored.get(i), `acknowledged write ${i}`).toBe(v);
    for (const [i, v] of stored) {
      expect(acked.has(i) || inflight.has(i), `write ${i} was stored but never acknowledged or in flight`).toBe(true);
      expect(v).toBe(i);
    }

    const groups = (await (await fetch(`${b}/pushgateway/api/v1/metrics`)).json()) as { data: Record<string, any>[] };
    for (const [group, v] of pushAcked) {
      const g = groups.data.find((x) => x["labels"].instance === group);
      expect(g, `group ${group}`).toBeDefined();
      const got = Number(g!["midflight_pushed"].metrics[0].value);
      // The acknowledged value, or the one whose answer the kill cut off.
      expect([v, pushInflight.get(group)]).toContain(got);
    }

    const scrapedAfter = await remoteRead(b, { startMs: 0, endMs: Date.now(), matchers: [{ type: "=", name: "job", value: "demo" }] });
    const after = new Map(scrapedAfter.map((s) => [JSON.stringify(s.labels), s.samples]));
    let checked = 0;
    for (const s of scrapedBefore) {
      const got = after.get(JSON.stringify(s.labels));
      expect(got, `scraped series ${JSON.stringify(s.labels)}`).toBeDefined();
      const have = new Map(got!.map((x) => [x.t, x.v]));
      for (const x of s.samples) {
        expect(Object.is(have.get(x.t), x.v) || (Number.isNaN(x.v) && Number.isNaN(have.get(x.t)))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
