import { describe, expect, it } from "vitest";
import { ConfigLoader } from "../../src/config/index.js";

const GOOD = "scrape_configs: [{job_name: a, static_configs: [{targets: ['x:1']}]}]\n";

function kv(entries: Record<string, string>) {
  const reads: string[] = [];
  return { reads, get: async (k: string) => (reads.push(k), entries[k] ?? null), entries };
}

describe("ConfigLoader", () => {
  it("reads KV at most once per TTL unless forced", async () => {
    let now = 1_000;
    const store = kv({ "regions/r/prometheus.yml": GOOD });
    const l = new ConfigLoader(store, "r", { ttlMs: 60_000, now: () => now });
    expect((await l.get()).config?.scrapeConfigs.map((s) => s.jobName)).toEqual(["a"]);
    const reads = store.reads.length;
    now += 59_000;
    await l.get();
    expect(store.reads.length).toBe(reads);
    await l.get(true);
    expect(store.reads.length).toBe(reads + 1);
    now += 61_000;
    await l.get();
    expect(store.reads.length).toBe(reads + 2);
  });

  it("keeps the last good configuration when the stored one breaks, and says why", async () => {
    let now = 0;
    const store = kv({ "regions/r/prometheus.yml": GOOD });
    const events: Record<string, unknown>[] = [];
    const l = new ConfigLoader(store, "r", { now: () => now, log: (e) => events.push(e) });
    const first = await l.get();
    store.entries["regions/r/prometheus.yml"] = "global: {scrape_interval: nope}\n";
    now += 120_000;
    const second = await l.get();
    expect(second.config).toBe(first.config);
    expect(second.text).toBe(GOOD);
    expect(second.error).toMatch(/^invalid configuration in KV key regions\/r\/prometheus.yml/);
    expect(events.map((e) => e["event"])).toEqual(["config_loaded", "config_error"]);
    store.entries["regions/r/prometheus.yml"] = GOOD;
    l.invalidate();
    const third = await l.get();
    expect(third.error).toBe("");
    // The same text: the same Config object, and nothing logged.
    expect(third.config).toBe(first.config);
    expect(events).toHaveLength(2);
  });

  it("has no configuration and an error when none is stored", async () => {
    const l = new ConfigLoader(kv({}), "r");
    const st = await l.get();
    expect(st.config).toBeNull();
    expect(st.error).toMatch(/no configuration in the CONFIG KV namespace/);
  });
});
