// Every shell command of the README's "Using it" and "Deploying" sections, run as
// written against `npm start` (only the ports are this test's own), in order. A
// command that cannot run here must be listed below with the reason, and every
// listed one must still be in the README.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descendants, killGroup, npmStart, type NpmStart } from "./support/npm_start.js";
import { requireBinary } from "./support/processes.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** Commands that need what this machine has not got, and why. */
const NOT_RUN: [RegExp, string][] = [
  [/^npm install && npm start$|npm start$/, "starts a federation on the default ports (test/e2e/start.test.ts runs npm start with the same vars and .dev.vars)"],
  [/^npm test$/, "the whole suite, which runs this test"],
  [/^infra\/create-config-namespace\.sh$/, "creates a KV namespace in a Cloudflare account"],
  [/^infra\/deploy\.sh (region-eu|global)$/, "deploys to a Cloudflare account"],
  [/--env region-eu$/, "writes to a deployed KV namespace"],
];

/** The `sh` code blocks under the given level-2 headings, one command a line, without
 * trailing comments. */
export function readmeCommands(readme: string, sections: string[]): string[] {
  const commands: string[] = [];
  let section = "";
  let inBlock: "sh" | "other" | undefined;
  for (const line of readme.split("\n")) {
    if (inBlock === undefined && line.startsWith("## ")) section = line.slice(3).trim();
    if (line.startsWith("```")) {
      inBlock = inBlock === undefined ? (line.trim() === "```sh" ? "sh" : "other") : undefined;
      continue;
    }
    if (inBlock !== "sh" || !sections.includes(section) || line.trim() === "") continue;
    commands.push(line.replace(/\s{2,}#.*$/, "").trim());
  }
  return commands;
}

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const commands = readmeCommands(readme, ["Using it", "Deploying"]);
const topCommands = readmeCommands(readme.replace(/^# edgeprom\n/, "## top\n"), ["top"]);

let fed: NpmStart | undefined;
let dir = "";
let wranglerCopy = "";
let shim = "";

beforeAll(async () => {
  requireBinary("/usr/bin/promtool", "prometheus");
  dir = mkdtempSync(join(tmpdir(), "edgeprom-readme-"));
  // curl that fails on HTTP errors, so `curl -s` in the README cannot hide a 4xx/5xx.
  shim = join(dir, "bin");
  execFileSync("mkdir", ["-p", shim]);
  writeFileSync(join(shim, "curl"), '#!/bin/sh\nexec /usr/bin/curl --fail-with-body "$@"\n', { mode: 0o755 });
  // `region add` and the dry run of its environment work on a copy of wrangler.toml.
  wranglerCopy = join(ROOT, `.wrangler-test-readme-${process.pid}.toml`);
  copyFileSync(join(ROOT, "wrangler.toml"), wranglerCopy);
  fed = await npmStart(join(dir, "data"));
}, 240_000);

afterAll(async () => {
  if (fed) {
    // As Ctrl-C would; the group is killed as well in case that failed.
    const pids = descendants(fed.proc.pid!).map((p) => p.pid);
    process.kill(fed.proc.pid!, "SIGTERM");
    await Promise.race([fed.exited, new Promise((r) => setTimeout(r, 20_000))]);
    killGroup(fed.proc, pids);
  }
  rmSync(wranglerCopy, { force: true });
  rmSync(join(ROOT, "dist/region-eu"), { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The command with this test's ports and, for wrangler.toml, its copy. */
function adapt(cmd: string, f: NpmStart): string {
  let c = cmd
    .replace(/localhost:9090/g, `127.0.0.1:${f.ports.global}`)
    .replace(/localhost:9091/g, `127.0.0.1:${f.ports["local-a"]}`)
    .replace(/localhost:9092/g, `127.0.0.1:${f.ports["local-b"]}`);
  if (/^npx edgeprom region add |^infra\/deploy\.sh \S+ --dry-run$/.test(c)) c += ` --config ${wranglerCopy}`;
  return c;
}

function sh(cmd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const p = spawn("bash", ["-c", cmd], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr.on("data", (b: Buffer) => (out += b.toString()));
    p.on("error", fail);
    p.on("close", (code) => done({ code, out }));
  });
}

describe("README commands", () => {
  it("finds the commands, and every command it does not run is still in the README", () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(topCommands).toEqual(["npm install && npm start", "npm test"]);
    for (const [re] of NOT_RUN) expect([...commands, ...topCommands].some((c) => re.test(c)), String(re)).toBe(true);
  });

  it("runs every command of Using it and Deploying as written", async () => {
    const env = { ...process.env, PATH: `${shim}:${process.env.PATH}`, EDGEPROM_DATA: join(dir, "data"), WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
    const ran: string[] = [];
    for (const cmd of commands) {
      if (NOT_RUN.some(([re]) => re.test(cmd))) continue;
      const { code, out } = await sh(adapt(cmd, fed!), env);
      expect(code, `${cmd}\n${out}`).toBe(0);
      expect(out, cmd).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      if (/^curl -s '?127|^curl -s '?localhost/.test(cmd) && out.startsWith("{")) expect(JSON.parse(out).status, `${cmd}\n${out}`).toBe("success");
      ran.push(cmd);
    }
    // What the examples pushed is what the tier now runs.
    const rules = (await (await fetch(`${fed!.urls["local-a"]}/api/v1/rules`)).json()) as { data: { groups: { name: string; file: string }[] } };
    expect(rules.data.groups.map((g) => `${g.file}:${g.name}`).sort()).toEqual(["alerts.yml:demo", "alerts.yml:targets"]);
    const targets = (await (await fetch(`${fed!.urls["local-a"]}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: Record<string, string> }[] } };
    expect(targets.data.activeTargets.some((t) => t.labels.job === "demo" && t.labels.team === "demo")).toBe(true);
    expect(ran.length).toBeGreaterThan(18);
  }, 600_000);
});
