import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCATION_HINTS, upsertRegion } from "../../scripts/edgeprom/region_env.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOML = readFileSync(resolve(ROOT, "wrangler.toml"), "utf8");
const withId = TOML.replace(/(\[\[kv_namespaces\]\]\s*binding = "CONFIG"\s*id = )"0+"/, '$1"0123456789abcdef0123456789abcdef"');

function ok(toml: string, spec: Parameters<typeof upsertRegion>[1]) {
  const r = upsertRegion(toml, spec);
  if (r.kind === "error") throw new Error(r.message);
  return r;
}

describe("npx edgeprom region add", () => {
  it("knows exactly the location hints of the installed workers-types", () => {
    const dts = readFileSync(resolve(ROOT, "node_modules/@cloudflare/workers-types/index.d.ts"), "utf8");
    const union = /type DurableObjectLocationHint =([^;]+);/.exec(dts)![1]!;
    const hints = [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(Object.keys(LOCATION_HINTS).sort()).toEqual(hints.sort());
  });

  it("adds the environment with every binding an environment does not inherit, once", () => {
    const added = ok(withId, { name: "eu", location: "weur", shards: 4 });
    expect(added.kind).toBe("added");
    expect(added.env).toBe("region-eu");
    expect(added.warnings).toEqual([]);
    expect(added.text.startsWith(withId.replace(/\n*$/, ""))).toBe(true);
    const block = added.text.slice(withId.replace(/\n*$/, "").length);
    expect(block).toContain("[env.region-eu]\n");
    expect(block).toContain('name = "edgeprom-region-eu"');
    expect(block).toContain('vars = { TIER = "eu", SHARDS = "4", LOCATION_HINT = "weur" }');
    for (const cls of ["SeriesStore", "ScrapeScheduler", "RemoteWriteQueue", "PushGateway", "RuleEvaluator"]) expect(block).toContain(`class_name = "${cls}"`);
    expect(block).toContain('kv_namespaces = [{ binding = "CONFIG", id = "0123456789abcdef0123456789abcdef" }]');
    expect(block).toContain('triggers = { crons = ["* * * * *"] }');
    const again = ok(added.text, { name: "eu", location: "weur", shards: 4 });
    expect(again.kind).toBe("unchanged");
    expect(again.text).toBe(added.text);
  });

  it("rewrites its own block when run with other options, leaving the rest alone", () => {
    const first = ok(withId, { name: "eu", location: "weur", shards: 1 }).text;
    const both = ok(first, { name: "us", location: "enam", shards: 1 }).text;
    const updated = ok(both, { name: "eu", location: "eeur", shards: 2 });
    expect(updated.kind).toBe("updated");
    expect(updated.text).toContain('vars = { TIER = "eu", SHARDS = "2", LOCATION_HINT = "eeur" }');
    expect(updated.text).not.toContain('TIER = "eu", SHARDS = "1", LOCATION_HINT = "weur"');
    expect(updated.text).toContain('vars = { TIER = "us", SHARDS = "1", LOCATION_HINT = "enam" }');
    expect(updated.text.match(/\[env\.region-eu\]/g)).toHaveLength(1);
  });

  it("refuses bad names and hints, and environments written by hand", () => {
    expect(upsertRegion(withId, { name: "eu", location: "mars", shards: 1 })).toMatchObject({ kind: "error", message: expect.stringContaining("weur") });
    expect(upsertRegion(withId, { name: "EU", location: "weur", shards: 1 }).kind).toBe("error");
    expect(upsertRegion(withId, { name: "e_u", location: "weur", shards: 1 }).kind).toBe("error");
    expect(upsertRegion(withId, { name: "eu", location: "weur", shards: 0 }).kind).toBe("error");
    const byHand = `${withId}\n[env.region-eu]\nname = "mine"\n`;
    expect(upsertRegion(byHand, { name: "eu", location: "weur", shards: 1 })).toMatchObject({ kind: "error", message: expect.stringContaining("by hand") });
  });

  it("warns while the CONFIG namespace id is the placeholder", () => {
    expect(ok(TOML, { name: "eu", location: "weur", shards: 1 }).warnings).toEqual([expect.stringContaining("infra/create-config-namespace.sh")]);
  });
});
