import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConfigLoader } from "../../src/config/index.js";
import { newMatcher } from "../../src/model/matchers.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { ScrapeScheduler, type SchedulerWiring } from "../../src/scrape/scheduler.js";
import { ShardedStorage, shardClients, type ShardClient } from "../../src/storage/sharded_storage.js";

// The targets one alarm scrapes commit together: one request (and one SQLite
// transaction) per shard for all of them, while each target still gets its own
// rejection counts, report series and errors, and a target that fails costs the
// others nothing. Real shards in workerd; only the targets are played by the test.

const TIER = "sched-g";
const CONFIG = `
scrape_configs:
${["a", "b", "c"].map((j) => `  - job_name: ${j}\n    scrape_interval: 1m\n    static_configs: [{targets: ["${j}.test:9100"]}]`).join("\n")}
`;
/** A time inside the out-of-order window, the same at every scrape. */
const PINNED = Math.floor((Date.now() - 60_000) / 1000) * 1000;

/** Storage over the tier's two shards whose append requests are kept by method; stubs
 * are made by each call, as a stub belongs to the Durable Object that made it. */
function countedStorage() {
  const calls: string[][] = [[], []];
  const storage = () => new ShardedStorage(clients());
  const clients = () => shardClients(env.SERIES, TIER, 2).map(
    (stub, i) =>
      new Proxy(stub, {
        get(target, prop) {
          const f = (target as unknown as Record<string | symbol, unknown>)[prop];
          if (typeof prop !== "string" || !prop.startsWith("append") || typeof f !== "function") return f;
          return (...args: unknown[]) => {
            calls[i]!.push(prop);
            return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!(...args);
          };
        },
      }) as unknown as ShardClient,
  );
  return { storage, calls };
}

/** Ten gauges per target, so that every target has series on both shards; target b
 * also a sample with a fixed timestamp whose value changes (a duplicate from its
 * second scrape on); target c is down from the second scrape on. */
function targets() {
  let round = 0;
  const fetch: SchedulerWiring["targetFetch"] = async (url) => {
    const host = new URL(url).hostname;
    if (host === "c.test" && round > 1) throw new Error("connection refused");
    const lines = Array.from({ length: 10 }, (_, i) => `g${i}{target="${host}"} ${round * 100 + i}`);
    if (host === "b.test") lines.push(`pinned ${round} ${PINNED}`);
    return new Response(lines.join("\n") + "\n", { headers: { "content-type": "text/plain; version=0.0.4" } });
  };
  return { fetch, next: () => round++ };
}

describe("ScrapeScheduler commits", () => {
  it("sends an alarm's targets to each shard in one request, each target with its own rejections, report series and errors", async () => {
    await env.CONFIG.put(`regions/${TIER}/prometheus.yml`, CONFIG);
    const { storage, calls } = countedStorage();
    const t = targets();
    const logs: Record<string, unknown>[] = [];
    const wiring: SchedulerWiring = {
      name: TIER,
      config: new ConfigLoader(env.CONFIG, TIER),
      appendStorage: async () => storage(),
      targetFetch: t.fetch,
      kv: env.CONFIG,
      hasPushgateway: false,
      log: (e) => logs.push(e),
    };
    const stub = env.SCHEDULER.get(env.SCHEDULER.idFromName(`${TIER}/scheduler`));
    const perAlarm: string[][][] = [];
    const status = await runInDurableObject(stub, async (_obj, state) => {
      const s = new ScrapeScheduler(state, env, wiring);
      for (let k = 0; k < 2; k++) {
        t.next();
        (s as unknown as { nextDue: Map<string, number> }).nextDue.clear();
        await s.alarm();
        perAlarm.push(calls.map((c) => c.splice(0)));
      }
      return s.status();
    });
    expect(perAlarm).toEqual([
      [["appendSections"], ["appendSections"]],
      [["appendSections"], ["appendSections"]],
    ]);
    const byJob = Object.fromEntries(status.active.map((a) => [a.labels.find((l) => l.name === "job")!.value, a.state]));
    expect(byJob.a).toMatchObject({ health: "up", lastError: "" });
    expect(byJob.b).toMatchObject({ health: "up", lastError: "1 samples rejected by storage (first: duplicate, 0s behind)" });
    expect(byJob.c).toMatchObject({ health: "down" });
    expect(byJob.c!.lastError).toMatch(/connection refused/);
    expect(logs.filter((l) => l.event === "scrape").map((l) => l.pool).sort()).toEqual(["b", "c"]);

    const values = async (name: string, job: string) => {
      const out: number[] = [];
      for await (const x of storage().querier().select([newMatcher("=", "__name__", name), newMatcher("=", "job", job)], { start: 0, end: Date.now() + 1 })) out.push(...x.vs);
      return out;
    };
    expect(await values("up", "a")).toEqual([1, 1]);
    expect(await values("up", "b")).toEqual([1, 1]);
    expect(await values("up", "c")).toEqual([1, 0]);
    expect(await values("scrape_samples_scraped", "b")).toEqual([11, 11]);
    expect(await values("scrape_samples_scraped", "c")).toEqual([10, 0]);
    expect(await values("g3", "a")).toEqual([103, 203]);
    // The first value at the pinned time stays; the second was refused for b alone.
    expect(await values("pinned", "b")).toEqual([1]);
    // Target c's series go stale when it goes down; its first scrape's samples stay.
    const c3 = await values("g3", "c");
    expect(c3[0]).toBe(103);
    expect(c3.length === 2 && isStaleNaN(c3[1]!)).toBe(true);
  });
});
