// `npx edgeprom check rules` and `rules push`, run as a user would, compared with
// Debian's promtool (2.42) wherever Prometheus 3 prints the same thing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../bin/edgeprom.js");
const PROMTOOL = "/usr/bin/promtool";

function run(cmd: string, args: string[], cwd: string, input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, input, encoding: "utf8", timeout: 120_000, env: { ...process.env, EDGEPROM_DATA: join(cwd, ".edgeprom") } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
const edgeprom = (args: string[], cwd: string, input?: string) => run(process.execPath, [BIN, ...args], cwd, input);
const promtool = (args: string[], cwd: string) => run(PROMTOOL, args, cwd);

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeprom-rules-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD = "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        annotations: {summary: '{{ $labels.instance }} is down'}\n";

// Every problem here is reported the same way by Prometheus 2.42 and 3.
const BAD = `groups:
  - name: a
    rules:
      - record: job:x
        expr: sum(x
      - alert: A
        record: foo
        expr: up
      - alert: B
        expr: up == 0
        labels:
          severity: "{{ $labels.foo | nope }}"
        annotations:
          summary: "{{ .Foo"
      - record: y
        expr: up
        for: 5m
  - name: a
    rules: []
  - name: ""
    interval: 10s
    rules:
      - record: x
        expr: up
        labels:
          __name__: y
`;

const DUPS = `groups:
  - name: a
    rules:
      - record: x
        expr: up
      - record: x
        expr: up
        labels: {}
      - alert: x
        expr: up
        labels: {a: b}
  - name: b
    rules:
      - record: x
        expr: up
        labels: {a: b}
`;

describe("edgeprom check rules", () => {
  beforeAll(() => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: install the Debian package "prometheus" (apt-get install -y prometheus)`);
  });

  it("prints what promtool prints for valid files", () => {
    const dir = project({ "a.yml": GOOD, "b.yml": "groups:\n" });
    const ours = edgeprom(["check", "rules", "a.yml", "b.yml"], dir);
    const theirs = promtool(["check", "rules", "a.yml", "b.yml"], dir);
    expect(theirs.code).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toBe("Checking a.yml\n  SUCCESS: 2 rules found\n\nChecking b.yml\n  SUCCESS: 0 rules found\n\n");
  });

  it("reports each problem with its group, rule and position, like promtool", () => {
    const dir = project({ "bad.yml": BAD });
    const ours = edgeprom(["check", "rules", "bad.yml"], dir);
    const theirs = promtool(["check", "rules", "bad.yml"], dir);
    expect([ours.code, theirs.code]).toEqual([1, 1]);
    // Prometheus 3 prints no blank line after a file with errors; 2.42 did.
    expect(ours.stdout).toBe("Checking bad.yml\n");
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.stderr).toContain('bad.yml: 5:15: group "a", rule 1, "job:x": could not parse expression: 1:6: parse error: unclosed left parenthesis\n');
  });

  it("reports YAML problems and bad durations like promtool", () => {
    const dir = project({ "dur.yml": "groups:\n  - name: a\n    interval: abc\n    rules: []\n", "types.yml": "groups:\n  - name: [a]\n    limit: many\n    rules: []\n" });
    for (const f of ["dur.yml", "types.yml"]) {
      const ours = edgeprom(["check", "rules", f], dir);
      const theirs = promtool(["check", "rules", f], dir);
      expect([ours.code, theirs.code]).toEqual([1, 1]);
      expect(ours.stderr).toBe(theirs.stderr);
    }
  });

  it("lints duplicate rules like promtool, with its exit codes", () => {
    const dir = project({ "dup.yml": DUPS });
    for (const flags of [[], ["--lint-fatal"], ["--lint=none"]]) {
      const ours = edgeprom(["check", "rules", ...flags, "dup.yml"], dir);
      const theirs = promtool(["check", "rules", ...flags, "dup.yml"], dir);
      expect(ours.code).toBe(theirs.code);
      expect(ours.stdout).toBe(theirs.stdout);
      expect(ours.stderr).toBe(theirs.stderr);
    }
  });

  it("reads standard input without a file, as Prometheus 3's promtool", () => {
    const ours = edgeprom(["check", "rules"], tmpdir(), GOOD);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe("Checking standard input\n  SUCCESS: 2 rules found\n\n");
  });

  it("fails for a file that does not exist", () => {
    const ours = edgeprom(["check", "rules", "missing.yml"], tmpdir());
    expect(ours.code).toBe(1);
    expect(ours.stderr).toBe("  FAILED:\nmissing.yml: open missing.yml: no such file or directory\n");
  });
});

describe("edgeprom rules push", () => {
  it("stores a valid rule file under its path in the local KV, and refuses a broken one", async () => {
    const dir = project({
      "rules/alerts.yml": GOOD,
      "rules/broken.yml": BAD,
      "prometheus.yml": "rule_files: [rules/alerts.yml]\n",
    });
    const push = edgeprom(["rules", "push", "rules/alerts.yml", "--local"], dir);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain(`pushed rules/alerts.yml -> rules/alerts.yml in local KV (${join(dir, ".edgeprom", "kv")})`);
    const broken = edgeprom(["rules", "push", "rules/broken.yml", "--local"], dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("refusing to push rules/broken.yml: it is not a valid rule file");
    // The region's configuration (none pushed yet) is checked for a reference.
    const cfg = edgeprom(["config", "push", "prometheus.yml", "--region", "r1", "--local"], dir);
    expect(cfg.code, cfg.stderr).toBe(0);
    const unref = project({ "other.yml": GOOD });
    const warn = edgeprom(["rules", "push", join(unref, "other.yml"), "--region", "r1", "--local", "--data", join(dir, ".edgeprom")], unref);
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stdout).toContain('WARNING: rule_files of regions/r1/prometheus.yml do not name "other.yml"');

    const mf = new Miniflare({ script: "", modules: true, kvNamespaces: ["CONFIG"], kvPersist: join(dir, ".edgeprom", "kv") });
    try {
      const kv = await mf.getKVNamespace("CONFIG");
      expect(await kv.get("rules/alerts.yml")).toBe(GOOD);
      expect(await kv.get("rules/broken.yml")).toBeNull();
      expect(await kv.get("other.yml")).toBe(GOOD);
    } finally {
      await mf.dispose();
    }
    // Four CLI runs, each opening the local KV through Miniflare.
  }, 120_000);
});
