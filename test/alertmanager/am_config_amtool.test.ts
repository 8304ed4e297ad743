import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAmConfig } from "../../src/alertmanager/am_config.js";
import { DEFAULT_AM_CONFIG } from "../../src/alertmanager/am_config_kv.js";
import { ConfigError } from "../../src/config/errors.js";
import { requireBinary } from "../e2e/support/processes.js";

// Differential: every config in the corpus is checked by Debian's amtool 0.25
// (`amtool check-config`) and by edgeprom's parser; both must accept or both reject.

const DIR = join(import.meta.dirname, "testdata/configs");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();

async function amtoolAccepts(file: string): Promise<{ ok: boolean; out: string }> {
  const amtool = requireBinary("/usr/bin/amtool", "prometheus-alertmanager");
  try {
    const r = await promisify(execFile)(amtool, ["check-config", file], { cwd: DIR });
    return { ok: true, out: r.stdout };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

function oursAccepts(file: string): { ok: boolean; out: string } {
  try {
    parseAmConfig(readFileSync(join(DIR, file), "utf8"));
    return { ok: true, out: "" };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { ok: false, out: e.message };
  }
}

describe("alertmanager.yml: edgeprom agrees with amtool 0.25 check-config", () => {
  it("has a corpus with both outcomes", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)("%s", async (file) => {
    const theirs = await amtoolAccepts(file);
    const ours = oursAccepts(file);
    expect({ file, accepted: ours.ok, ours: ours.out }).toEqual({ file, accepted: theirs.ok, ours: ours.out });
  });

  // Receivers added after 0.25 (msteams_configs in 0.26, msteamsv2_configs in 0.28):
  // 0.25 does not know the field, edgeprom takes them as the newer releases do.
  const NEWER = join(import.meta.dirname, "testdata/newer_than_0.25");
  it.each(readdirSync(NEWER).sort())("%s: refused by 0.25 for the unknown field only, accepted by edgeprom", async (file) => {
    const path = join(NEWER, file);
    const theirs = await amtoolAccepts(path);
    expect(theirs.ok).toBe(false);
    expect(theirs.out).toMatch(/field msteams(v2)?_configs not found in type config\.plain/);
    expect(parseAmConfig(readFileSync(path, "utf8")).receivers[0]!.name).toBe("r");
  });

  it("the built-in default a tier runs without alertmanager.yml is one amtool accepts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "am-default-"));
    const file = join(dir, "alertmanager.yml");
    writeFileSync(file, DEFAULT_AM_CONFIG.text);
    try {
      expect((await amtoolAccepts(file)).ok).toBe(true);
      expect(parseAmConfig(DEFAULT_AM_CONFIG.text).receivers.map((r) => r.name)).toEqual(["null"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
