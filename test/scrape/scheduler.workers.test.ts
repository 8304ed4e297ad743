import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigLoader } from "../../src/config/index.js";
import { labelsKey } from "../../src/model/labels.js";
import { ScrapeScheduler, type SchedulerWiring } from "../../src/scrape/scheduler.js";
import { STATE_REFRESH_MS } from "../../src/scrape/target_state_rows.js";
import { tierOf } from "../../src/workers/tier.js";
import { PUSHGATEWAY_HOST } from "../../src/scrape/pushgateway_job.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { newMatcher } from "../../src/model/matchers.js";

// The ScrapeScheduler Durable Object in workerd, on a real object's storage, with the
// tier's real storage and configuration from KV; only the scrape target is played by
// the test (a target that answers when the test lets it), so an alarm can be caught
// in the middle of its work.

const CONFIG = `
scrape_configs:
  - job_name: slow
    scrape_interval: 1m
    static_configs: [{targets: ["slow.test:9100"]}]
`;

/** A scrape target that holds every request until released. */
function heldTarget() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const reached = new Promise<void>((r) => (entered = r));
  const fetch = async (): Promise<Response> => {
    entered();
    await released;
    return new Response("held_metric 1\n", { headers: { "content-type": "text/plain; version=0.0.4" } });
  };
  return { fetch, reached, release };
}

function wiring(tierName: string, fetch: SchedulerWiring["targetFetch"], over: Partial<SchedulerWiring> = {}): SchedulerWiring & { logs: Record<string, unknown>[] } {
  const tier = tierOf(env);
  const logs: Record<string, unknown>[] = [];
  return {
    name: tierName,
    config: new ConfigLoader(env.CONFIG, tierName),
    appendStorage: async () => tier.storage(),
    targetFetch: fetch,
    kv: env.CONFIG,
    hasPushgateway: false,
    log: (e) => logs.push(e),
    logs,
    ...over,
  };
}

/** Runs an alarm with every target due now, whatever its offset. */
async function scrapeNow(s: ScrapeScheduler): Promise<void> {
  (s as unknown as { nextDue: Map<string, number> }).nextDue.clear();
  await s.alarm();
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("ScrapeScheduler", () => {
  it("answers a status read during a running alarm only after the alarm", async () => {
    await env.CONFIG.put("regions/sched-a/prometheus.yml", CONFIG);
    const target = heldTarget();
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-a/scheduler"));
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const s = new ScrapeScheduler(state, env, wiring("sched-a", target.fetch));
      const alarm = s.alarm();
      await target.reached;
      let answered = false;
      const status = s.status().then((st) => {
        answered = true;
        return st;
      });
      await settle();
      const beforeRelease = answered;
      target.release();
      await alarm;
      return { beforeRelease, status: await status };
    });
    expect(got.beforeRelease).toBe(false);
    expect(got.status.active).toHaveLength(1);
    const t = got.status.active[0]!;
    expect(t.url).toBe("http://slow.test:9100/metrics");
    // The answer shows the scrape the alarm was doing, not the state before it.
    expect(t.state.health).toBe("up");
    expect(t.state.lastScrape).toBeGreaterThan(0);
    expect(t.state.series.some((k) => k.includes("held_metric"))).toBe(true);
  });

  it("arms its next alarm when an alarm throws", async () => {
    await env.CONFIG.put("regions/sched-b/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-b/scheduler"));
    const got = await runInDurableObject(stub, async (_obj, state) => {
      await state.storage.deleteAlarm();
      const w = wiring("sched-b", () => Promise.resolve(new Response("x 1\n")), {
        appendStorage: () => Promise.reject(new Error("storage is away")),
      });
      const s = new ScrapeScheduler(state, env, w);
      const before = Date.now();
      await s.alarm();
      return { before, alarm: await state.storage.getAlarm(), logs: w.logs };
    });
    expect(got.alarm).not.toBeNull();
    expect(got.alarm!).toBeGreaterThanOrEqual(got.before + 4_000);
    expect(got.alarm!).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(got.logs).toContainEqual({ event: "scrape_alarm_failed", error: "storage is away" });
  });

  it("reports the configuration's error and keeps the last good one", async () => {
    await env.CONFIG.put("regions/sched-c/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-c/scheduler"));
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const s = new ScrapeScheduler(state, env, wiring("sched-c", () => Promise.resolve(new Response("x 1\n"))));
      const first = await s.reload();
      await s.alarm();
      await env.CONFIG.put("regions/sched-c/prometheus.yml", "scrape_configs: [{job_name: 1m}]\nglobal: {scrape_interval: nope}\n");
      const second = await s.reload();
      return { first, second, status: await s.status() };
    });
    expect(got.first).toEqual({ ok: true, error: "" });
    expect(got.second.ok).toBe(false);
    expect(got.second.error).toMatch(/invalid configuration in KV key regions\/sched-c\/prometheus.yml/);
    expect(got.status.configError).toBe(got.second.error);
    expect(got.status.active.map((a) => a.url)).toEqual(["http://slow.test:9100/metrics"]);
  });

  it("follows file_sd: a changed file's targets are relabelled and scraped from the next alarm after its refresh", async () => {
    const config = `
scrape_configs:
  - job_name: files
    scrape_interval: 1m
    file_sd_configs: [{files: ["sched-sd/targets.json"], refresh_interval: 1s}]
    relabel_configs: [{source_labels: [team], target_label: owner}]
`;
    const file = (host: string, team: string) => JSON.stringify([{ targets: [`${host}:9100`], labels: { team } }]);
    await env.CONFIG.put("regions/sched-sd/prometheus.yml", config);
    await env.CONFIG.put("sched-sd/targets.json", file("one.test", "x"));
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-sd/scheduler"));
    const scraped: string[] = [];
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const s = new ScrapeScheduler(state, env, wiring("sched-sd", (url) => (scraped.push(url), Promise.resolve(new Response("m 1\n")))));
      await s.reload();
      await scrapeNow(s);
      // Alarms before the file's refresh is due keep the targets they had.
      await scrapeNow(s);
      const before = await s.status();
      await env.CONFIG.put("sched-sd/targets.json", file("two.test", "y"));
      await new Promise((r) => setTimeout(r, 1100));
      await scrapeNow(s);
      return { before, after: await s.status() };
    });
    const view = (st: typeof got.before) => st.active.map((a) => ({ url: a.url, owner: a.labels.find((l) => l.name === "owner")?.value }));
    expect(view(got.before)).toEqual([{ url: "http://one.test:9100/metrics", owner: "x" }]);
    expect(view(got.after)).toEqual([{ url: "http://two.test:9100/metrics", owner: "y" }]);
    expect(scraped).toEqual(["http://one.test:9100/metrics", "http://one.test:9100/metrics", "http://two.test:9100/metrics"]);
  });

  it("keeps each target's state in its tables across a restart, writing the series list only when it changes", async () => {
    await env.CONFIG.put("regions/sched-d/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-d/scheduler"));
    let body = "a 1\nb 1\n";
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const seriesRows = () => state.storage.sql.exec<{ keys: string }>("SELECT keys FROM scrape_target_series").toArray();
      const first = new ScrapeScheduler(state, env, wiring("sched-d", () => Promise.resolve(new Response(body))));
      const written = async () => (await first.usage()).rowsWritten;
      await first.reload();
      await scrapeNow(first);
      const afterFirst = seriesRows();
      let w0 = await written();
      await scrapeNow(first);
      const sameWrote = (await written()) - w0;
      const afterSame = seriesRows();
      body = "a 1\nc 1\n";
      w0 = await written();
      await scrapeNow(first);
      const changeWrote = (await written()) - w0;
      const afterChange = seriesRows();
      // A new instance on the same storage (an eviction) reads the state back.
      const second = new ScrapeScheduler(state, env, wiring("sched-d", () => Promise.resolve(new Response(body))));
      return { afterFirst, afterSame, afterChange, sameWrote, changeWrote, status: await second.status() };
    });
    const names = (keys: string[]) => keys.map((k) => k.split("\uffff")[1]).sort();
    expect(got.afterFirst).toHaveLength(1);
    expect(names(JSON.parse(got.afterFirst[0]!.keys))).toEqual(["a", "b"]);
    expect(got.afterSame).toEqual(got.afterFirst);
    expect(names(JSON.parse(got.afterChange[0]!.keys))).toEqual(["a", "c"]);
    // The same series, health and error again: nothing is written; a changed set
    // rewrites its series row.
    expect(got.sameWrote).toBe(0);
    expect(got.changeWrote).toBeGreaterThan(0);
    const t = got.status.active[0]!.state;
    expect(t.health).toBe("up");
    expect(t.lastScrape).toBeGreaterThan(0);
    expect(names(t.series)).toEqual(["a", "c"]);
  });

  it("rewrites a steady target's state row when its health changes, and at least every minute", async () => {
    await env.CONFIG.put("regions/sched-g/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-g/scheduler"));
    let status = 200;
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const stateRow = () => JSON.parse(state.storage.sql.exec<{ state: string }>("SELECT state FROM scrape_targets").one().state) as { health: string; lastScrape: number };
      const s = new ScrapeScheduler(state, env, wiring("sched-g", () => Promise.resolve(new Response("a 1\n", { status }))));
      await s.reload();
      await scrapeNow(s);
      const first = stateRow();
      await scrapeNow(s);
      const steady = stateRow();
      status = 500;
      await scrapeNow(s);
      const down = stateRow();
      status = 200;
      await scrapeNow(s);
      const up = stateRow();
      // A minute on, the next scrape of the steady target writes its row again.
      const realNow = Date.now;
      Date.now = () => realNow() + STATE_REFRESH_MS;
      try {
        await scrapeNow(s);
      } finally {
        Date.now = realNow;
      }
      const later = stateRow();
      const status_ = (await s.status()).active[0]!.state;
      return { first, steady, down, up, later, shown: status_.lastScrape };
    });
    expect(got.steady).toEqual(got.first);
    expect(got.down.health).toBe("down");
    expect(got.up.health).toBe("up");
    expect(got.up.lastScrape).toBeGreaterThan(got.down.lastScrape - 1);
    expect(got.later.lastScrape).toBeGreaterThanOrEqual(got.up.lastScrape + STATE_REFRESH_MS);
    // What the running scheduler shows is always its last scrape, stored or not.
    expect(got.shown).toBe(got.later.lastScrape);
  });

  it("writes a target's metadata only when it changes, and reads it back after a restart", async () => {
    await env.CONFIG.put("regions/sched-f/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-f/scheduler"));
    let body = "# HELP a First help.\n# TYPE a counter\na 1\n";
    const got = await runInDurableObject(stub, async (_obj, state) => {
      // The row's rowid changes when INSERT OR REPLACE rewrites it.
      const metadataRow = () => state.storage.sql.exec<{ rowid: number; metadata: string }>("SELECT rowid, metadata FROM scrape_target_metadata").toArray();
      const first = new ScrapeScheduler(state, env, wiring("sched-f", () => Promise.resolve(new Response(body))));
      await first.reload();
      await scrapeNow(first);
      const afterFirst = metadataRow();
      await scrapeNow(first);
      const afterSame = metadataRow();
      body = "# HELP a Second help.\n# TYPE a counter\na 2\n";
      await scrapeNow(first);
      const afterChange = metadataRow();
      const second = new ScrapeScheduler(state, env, wiring("sched-f", () => Promise.resolve(new Response(body))));
      const restarted = (await second.status()).active[0]!.state.metadata;
      // A row written before the metadata table held its metadata in the state.
      const id = state.storage.sql.exec<{ id: string }>("SELECT id FROM scrape_targets").one().id;
      const legacy = { metadata: { old: { type: "gauge", help: "Kept in the state.", unit: "" } }, health: "up", lastError: "", lastScrape: 1, lastScrapeDurationMs: 2, skewedSamples: 0, maxSkewMs: 0 };
      state.storage.sql.exec("DELETE FROM scrape_target_metadata");
      state.storage.sql.exec("UPDATE scrape_targets SET state = ? WHERE id = ?", JSON.stringify(legacy), id);
      const third = new ScrapeScheduler(state, env, wiring("sched-f", () => Promise.resolve(new Response(body))));
      const fromLegacy = (await third.status()).active[0]!.state.metadata;
      // The next scrape moves the metadata to its table, even though it is unchanged.
      body = "# HELP old Kept in the state.\n# TYPE old gauge\nold 1\n";
      await scrapeNow(third);
      const moved = metadataRow();
      return { afterFirst, afterSame, afterChange, restarted, fromLegacy, moved, stateRow: state.storage.sql.exec<{ state: string }>("SELECT state FROM scrape_targets").one().state };
    });
    expect(JSON.parse(got.afterFirst[0]!.metadata)).toEqual({ a: { type: "counter", help: "First help.", unit: "" } });
    expect(got.afterSame).toEqual(got.afterFirst);
    expect(JSON.parse(got.afterChange[0]!.metadata)).toEqual({ a: { type: "counter", help: "Second help.", unit: "" } });
    expect(got.restarted).toEqual({ a: { type: "counter", help: "Second help.", unit: "" } });
    expect(got.fromLegacy).toEqual({ old: { type: "gauge", help: "Kept in the state.", unit: "" } });
    expect(got.moved.map((r) => JSON.parse(r.metadata))).toEqual([{ old: { type: "gauge", help: "Kept in the state.", unit: "" } }]);
    expect(JSON.parse(got.stateRow)).not.toHaveProperty("metadata");
  });

  it("takes over target states an older version kept in the key-value API", async () => {
    await env.CONFIG.put("regions/sched-e/prometheus.yml", CONFIG);
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-e/scheduler"));
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const w = () => wiring("sched-e", () => Promise.resolve(new Response("x 1\n")));
      const id = (await new ScrapeScheduler(state, env, w()).status()).active[0]!;
      const targetId = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM scrape_targets").one().n;
      const legacyId = `slow\u0000http://slow.test:9100/metrics\u0000${labelsKey(id.labels)}`;
      state.storage.kv.put("target:" + legacyId, { series: ["\uffff__name__\uffffold_metric\uffff"], metadata: {}, health: "down", lastError: "before the upgrade", lastScrape: 1, lastScrapeDurationMs: 2, skewedSamples: 0, maxSkewMs: 0 });
      const s = new ScrapeScheduler(state, env, w());
      return { before: targetId, status: await s.status(), kv: [...state.storage.kv.list({ prefix: "target:" })].length };
    });
    expect(got.before).toBe(0);
    expect(got.kv).toBe(0);
    const t = got.status.active[0]!.state;
    expect([t.health, t.lastError, t.series]).toEqual(["down", "before the upgrade", ["\uffff__name__\uffffold_metric\uffff"]]);
  });

  it("scrapes an unchanged Pushgateway from its last parse: every series at every scrape, a new push at the next", async () => {
    await env.CONFIG.put("regions/sched-p/prometheus.yml", "global:\n  scrape_interval: 1m\n");
    const tier = tierOf(env);
    const gw = (path: string, body: string) => tier.pushgateway()!.fetch(`http://${PUSHGATEWAY_HOST}/pushgateway/metrics/job/sched_p${path}`, { method: "PUT", body });
    expect((await gw("", "sched_p_metric{a=\"1\"} 5\nsched_p_other 1\n")).status).toBe(200);
    const statuses: number[] = [];
    const fetchAndNote: SchedulerWiring["targetFetch"] = async (u, i) => {
      const res = await tier.targetFetch(u, i);
      statuses.push(res.status);
      return res;
    };
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName("sched-p/scheduler"));
    await runInDurableObject(stub, async (_obj, state) => {
      const s = new ScrapeScheduler(state, env, wiring("sched-p", fetchAndNote, { hasPushgateway: true }));
      await s.reload();
      for (let i = 0; i < 4; i++) {
        if (i === 3) expect((await gw("", "sched_p_metric{a=\"1\"} 6\n")).status).toBe(200);
        await scrapeNow(s);
        await settle();
      }
    });
    expect(statuses).toEqual([200, 304, 304, 200]);
    const samples = async (name: string) => {
      const out: [number, number][] = [];
      for await (const x of tier.storage().querier().select([newMatcher("=", "__name__", name), newMatcher("=", "job", "sched_p")], { start: 0, end: Date.now() + 1 })) {
        x.ts.forEach((t, j) => out.push([t, x.vs[j]!]));
      }
      return out;
    };
    const metric = await samples("sched_p_metric");
    expect(metric.map(([, v]) => v)).toEqual([5, 5, 5, 6]);
    const times = metric.map(([t]) => t);
    expect(new Set(times).size).toBe(4);
    // push_time_seconds was re-appended at each scrape's time too; the series the new push dropped went stale.
    expect((await samples("push_time_seconds")).map(([t]) => t)).toEqual(times);
    const other = await samples("sched_p_other");
    expect(other.map(([t]) => t)).toEqual(times);
    expect(other.slice(0, 3).map(([, v]) => v)).toEqual([1, 1, 1]);
    expect(isStaleNaN(other[3]![1])).toBe(true);
  });
});
