// `npx edgeprom alertmanager push`: what amtool check-config refuses is not stored; a
// valid file lands in the local KV under the key the tiers' Alertmanager reads.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/edgeprom.js");

function edgeprom(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("edgeprom alertmanager push", () => {
  it("stores a valid alertmanager.yml for every tier or one region, and refuses a broken one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeprom-am-push-"));
    const data = join(dir, "data");
    copyFileSync(join(ROOT, "examples/alertmanager.yml"), join(dir, "alertmanager.yml"));
    writeFileSync(join(dir, "broken.yml"), "route:\n  receiver: nobody\nreceivers:\n  - name: team\n");

    const ok = edgeprom(["alertmanager", "push", "alertmanager.yml", "--data", data], dir);
    expect(ok.code, ok.stderr).toBe(0);
    const regional = edgeprom(["alertmanager", "push", "alertmanager.yml", "--region", "eu", "--data", data], dir);
    expect(regional.code, regional.stderr).toBe(0);
    const broken = edgeprom(["alertmanager", "push", "broken.yml", "--region", "us", "--data", data], dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('refusing to push broken.yml: undefined receiver "nobody" used in route');

    const mf = new Miniflare({ script: "", modules: true, kvNamespaces: ["CONFIG"], kvPersist: join(data, "kv") });
    try {
      const kv = await mf.getKVNamespace("CONFIG");
      expect(await kv.get("alertmanager.yml")).toContain("receiver: team");
      expect(await kv.get("regions/eu/alertmanager.yml")).toContain("receiver: team");
      expect(await kv.get("regions/us/alertmanager.yml")).toBeNull();
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});
