import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAmConfig } from "../../src/alertmanager/am_config.js";
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
});
