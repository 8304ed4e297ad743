// Differential test against the real promtool (Debian package `prometheus`):
// every valid file must pass both `promtool check config` and parseConfig, and
// every broken one must fail both, with the same message where we word it alike.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { configToYaml } from "../../src/config/print.js";
import { BROKEN, VALID } from "./fixtures.js";

const PROMTOOL = "/usr/bin/promtool";

/** Fails (never skips) when promtool is missing, so the comparison cannot silently stop running. */
function requirePromtool(): void {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} not found: install the Debian package "prometheus" (apt-get install -y prometheus)`);
  }
}

/** Files every case can refer to. */
const SIDE_FILES: Record<string, string> = {
  "rules/node.yml": "groups:\n  - name: node\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
  "rules/alerts.yml": "groups:\n  - name: alerts\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 5m\n",
  "targets/web.json": '[{"targets": ["web-1:8080"], "labels": {"team": "web"}}]\n',
  "targets/db.yml": "- targets: ['db-1:9187']\n",
  "secrets/password": "pw\n",
  "secrets/token": "tok\n",
};

function checkWithPromtool(yaml: string): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "edgeprom-promtool-"));
  for (const [name, text] of Object.entries(SIDE_FILES)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, "prometheus.yml"), yaml);
  const r = spawnSync(PROMTOOL, ["check", "config", "prometheus.yml"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function checkWithOurs(yaml: string): { ok: true } | { ok: false; message: string } {
  try {
    parseConfig(yaml);
    return { ok: true };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, message: e.message };
    throw e;
  }
}

describe("promtool check config agrees", () => {
  beforeAll(requirePromtool);

  for (const [name, yaml] of Object.entries(VALID)) {
    it(`accepts: ${name}`, () => {
      const p = checkWithPromtool(yaml);
      expect(p.code, `promtool rejected it:\n${p.output}`).toBe(0);
      const ours = checkWithOurs(yaml);
      expect(ours, JSON.stringify(ours)).toEqual({ ok: true });
    });
  }

  for (const [name, yaml] of Object.entries(VALID)) {
    it(`accepts what we print (secrets masked) for: ${name}`, () => {
      const printed = configToYaml(parseConfig(yaml));
      const p = checkWithPromtool(printed);
      expect(p.code, `promtool rejected our printed config:\n${p.output}\n${printed}`).toBe(0);
    });
  }

  for (const [name, { yaml, expect: text }] of Object.entries(BROKEN)) {
    it(`rejects: ${name}`, () => {
      const p = checkWithPromtool(yaml);
      expect(p.code, `promtool accepted it:\n${p.output}`).toBe(1);
      expect(p.output).toContain(text);
      const ours = checkWithOurs(yaml);
      expect(ours.ok).toBe(false);
      if (!ours.ok) expect(ours.message).toContain(text);
    });
  }

  it("a missing rule file fails promtool, as it fails our CLI (tested in cli.test.ts)", () => {
    const p = checkWithPromtool("rule_files: [missing.yml]\n");
    expect(p.code).toBe(1);
    expect(p.output).toContain(`"missing.yml" does not point to an existing file`);
  });
});
