// The edgeprom CLI (scripts/edgeprom.ts through bin/edgeprom.js), run as a user
// would, and compared with promtool's output where they do the same thing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../bin/edgeprom.js");
const PROMTOOL = "/usr/bin/promtool";

function run(cmd: string, args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, EDGEPROM_DATA: join(cwd, ".edgeprom") } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
const edgeprom = (args: string[], cwd: string) => run(process.execPath, [BIN, ...args], cwd);

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeprom-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const RULES = "groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up\n      - alert: Down\n        expr: up == 0\n";
const VALID = `
global:
  scrape_interval: 15s
rule_files: [rules/*.yml, extra.yml]
scrape_configs:
  - job_name: node
    basic_auth: {username: u, password: topsecret}
    static_configs: [{targets: ['node:9100']}]
    file_sd_configs: [{files: [targets/web.json]}]
`;

describe("edgeprom check config", () => {
  beforeAll(() => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: install the Debian package "prometheus" (apt-get install -y prometheus)`);
  });

  it("prints what promtool prints for a valid file", () => {
    const dir = project({ "prometheus.yml": VALID, "rules/a.yml": RULES, "rules/b.yml": RULES, "extra.yml": RULES, "targets/web.json": "[]" });
    const ours = edgeprom(["check", "config", "prometheus.yml"], dir);
    const theirs = run(PROMTOOL, ["check", "config", "prometheus.yml"], dir);
    expect(theirs.code).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain("  SUCCESS: 3 rule files found\n SUCCESS: prometheus.yml is valid prometheus config file syntax\n");
    expect(ours.stdout).toContain("Checking rules/a.yml\n  SUCCESS: 2 rules found\n");
  });

  it("fails like promtool for a broken file", () => {
    const dir = project({ "prometheus.yml": "scrape_configs:\n  - job_name: x\n    scrape_interval: 5s\n    scrape_timeout: 10s\n" });
    const ours = edgeprom(["check", "config", "prometheus.yml"], dir);
    const theirs = run(PROMTOOL, ["check", "config", "prometheus.yml"], dir);
    expect([ours.code, theirs.code]).toEqual([1, 1]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(theirs.stderr).toBe('  FAILED: parsing YAML file prometheus.yml: scrape timeout greater than scrape interval for scrape config with job name "x"\n');
    expect(ours.stderr).toBe(
      '  FAILED: parsing YAML file prometheus.yml: scrape timeout greater than scrape interval for scrape config with job name "x" (at scrape_configs[0].scrape_timeout, line 4)\n',
    );
  });

  it("fails like promtool when a rule file is missing", () => {
    const dir = project({ "prometheus.yml": "rule_files: [missing.yml]\n" });
    const ours = edgeprom(["check", "config", "prometheus.yml"], dir);
    const theirs = run(PROMTOOL, ["check", "config", "prometheus.yml"], dir);
    expect([ours.code, theirs.code]).toEqual([1, 1]);
    expect(ours.stderr).toBe(theirs.stderr);
  });

  it("warns for missing file_sd files like promtool, and for https on custom ports", () => {
    const dir = project({
      "prometheus.yml": "scrape_configs:\n  - job_name: x\n    scheme: https\n    static_configs: [{targets: ['a:9100']}]\n    file_sd_configs: [{files: [nope.json]}]\n",
    });
    const ours = edgeprom(["check", "config", "prometheus.yml"], dir);
    const theirs = run(PROMTOOL, ["check", "config", "prometheus.yml"], dir);
    expect([ours.code, theirs.code]).toEqual([0, 0]);
    const edgepromOnly = '  WARNING: scrape job "x": target "a:9100" is https on port 9100: deployed Workers cannot reach it';
    expect(ours.stdout).toContain(edgepromOnly);
    expect(ours.stdout.split("\n").filter((l) => !l.startsWith(edgepromOnly)).join("\n")).toBe(theirs.stdout);
    expect(theirs.stdout).toContain('  WARNING: file "nope.json" for file_sd in scrape job "x" does not exist\n');
  });

  it("checks several files and fails if any fails", () => {
    const dir = project({ "a.yml": "", "b.yml": "foo: 1\n" });
    const ours = edgeprom(["check", "config", "a.yml", "b.yml"], dir);
    expect(ours.code).toBe(1);
    expect(ours.stdout).toBe("Checking a.yml\n SUCCESS: a.yml is valid prometheus config file syntax\n\nChecking b.yml\n\n");
  });
});

describe("edgeprom config push/show (local KV)", () => {
  it("stores the file and what it refers to, and shows it with secrets masked", () => {
    const dir = project({ "prometheus.yml": VALID, "rules/a.yml": RULES, "extra.yml": RULES, "targets/web.json": "[]", "eu.yml": "global:\n  scrape_interval: 5s\n" });
    const push = edgeprom(["config", "push", "prometheus.yml", "--local"], dir);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain("pushed prometheus.yml -> prometheus.yml in local KV");
    expect(push.stdout).toContain("pushed rules/a.yml -> rules/a.yml");
    expect(push.stdout).toContain("pushed extra.yml -> extra.yml");
    expect(push.stdout).toContain("pushed targets/web.json -> targets/web.json");

    const show = edgeprom(["config", "show", "--region", "eu"], dir);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^# CONFIG\/prometheus.yml\nglobal:\n {2}scrape_interval: 15s\n/);
    expect(show.stdout).toContain("password: <secret>");
    expect(show.stdout).not.toContain("topsecret");

    expect(edgeprom(["config", "push", "eu.yml", "--region", "eu"], dir).code).toBe(0);
    const eu = edgeprom(["config", "show", "--region", "eu", "--raw"], dir);
    expect(eu.stdout).toBe("# CONFIG/regions/eu/prometheus.yml\nglobal:\n  scrape_interval: 5s\n");
    const other = edgeprom(["config", "show", "--region", "us"], dir);
    expect(other.stdout).toMatch(/^# CONFIG\/prometheus.yml\n/);
  }, 120_000);

  it("refuses to push an invalid file", () => {
    const dir = project({ "prometheus.yml": "scrape_configs:\n  - job_name: x\n  - job_name: x\n" });
    const push = edgeprom(["config", "push", "prometheus.yml"], dir);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('found multiple scrape configs with job name "x"');
    expect(push.stderr).toContain("refusing to push prometheus.yml");
    const show = edgeprom(["config", "show"], dir);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain("no configuration in the CONFIG KV namespace: prometheus.yml is not set");
  }, 120_000);
});
