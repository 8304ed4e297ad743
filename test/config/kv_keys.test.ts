import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { configKey, configKeysFor, fileKey, loadConfigFromKV, regionConfigKey } from "../../src/config/kv_keys.js";

function kv(entries: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    async get(key: string): Promise<string | null> {
      reads.push(key);
      return entries[key] ?? null;
    },
  };
}

const shared = "global:\n  scrape_interval: 30s\n";
const eu = "global:\n  scrape_interval: 10s\n";

describe("KV keys", () => {
  it("names keys", () => {
    expect(configKey()).toBe("prometheus.yml");
    expect(configKey("eu-west")).toBe("regions/eu-west/prometheus.yml");
    expect(configKeysFor("eu")).toEqual(["regions/eu/prometheus.yml", "prometheus.yml"]);
    expect(() => regionConfigKey("../x")).toThrow(ConfigError);
    expect(fileKey("./rules/a.yml")).toBe("rules/a.yml");
    expect(fileKey("targets//x.json")).toBe("targets/x.json");
  });

  it("prefers the region's own file over the shared one", async () => {
    const store = kv({ "prometheus.yml": shared, "regions/eu/prometheus.yml": eu });
    const got = await loadConfigFromKV(store, "eu");
    expect(got.key).toBe("regions/eu/prometheus.yml");
    expect(got.config.global.scrapeInterval).toBe(10_000);
    expect(got.text).toBe(eu);
  });

  it("falls back to the shared file", async () => {
    const store = kv({ "prometheus.yml": shared });
    const got = await loadConfigFromKV(store, "us");
    expect(got.key).toBe("prometheus.yml");
    expect(store.reads).toEqual(["regions/us/prometheus.yml", "prometheus.yml"]);
    expect((await loadConfigFromKV(store)).config.global.scrapeInterval).toBe(30_000);
  });

  it("says clearly when nothing is stored", async () => {
    await expect(loadConfigFromKV(kv({}), "eu")).rejects.toThrow(
      "no configuration in the CONFIG KV namespace: neither regions/eu/prometheus.yml nor prometheus.yml is set (region \"eu\"); store one with `npx edgeprom config push prometheus.yml`",
    );
    await expect(loadConfigFromKV(kv({}))).rejects.toThrow("prometheus.yml is not set");
  });

  it("names the key of an invalid stored file", async () => {
    const err = await loadConfigFromKV(kv({ "regions/eu/prometheus.yml": "foo: 1\n", "prometheus.yml": shared }), "eu").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'invalid configuration in KV key regions/eu/prometheus.yml: region "eu": yaml: unmarshal errors:\n  line 1: field foo not found in type config.Config (at foo)',
    );
    expect((err as ConfigError).line).toBe(1);
  });
});
