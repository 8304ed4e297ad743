// `npx edgeprom` and `npm start` as a new user first meets them: --help for every
// command, and bad arguments answered with a line and exit 2, never a stack trace.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../scripts/edgeprom/usage.js";

const ROOT = resolve(import.meta.dirname, "../..");
const STACK = /\n\s+at .+:\d+:\d+\)?$/m;

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, EDGEPROM_DEBUG: "" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    p.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    p.on("error", fail);
    p.on("close", (code) => done({ code, stdout, stderr }));
  });
}
const edgeprom = (...args: string[]) => run(process.execPath, ["bin/edgeprom.js", ...args]);

describe("npx edgeprom --help", () => {
  it("lists every command", async () => {
    const r = await edgeprom("--help");
    expect(r.code).toBe(0);
    for (const c of Object.values(COMMANDS)) expect(r.stdout).toContain(c.synopsis);
  });

  it.each(Object.keys(COMMANDS))("prints the usage of %s with CMD --help", async (name) => {
    const a = await edgeprom(...name.split(" "), "--help");
    expect(a.code).toBe(0);
    expect(a.stdout.startsWith(`usage: npx edgeprom ${COMMANDS[name as keyof typeof COMMANDS].synopsis}\n`)).toBe(true);
  });

  it("prints the same with help CMD", async () => {
    const [a, b] = await Promise.all([edgeprom("region", "add", "--help"), edgeprom("help", "region", "add")]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe("bad arguments", () => {
  it.each([
    [["--bogus"], /Unknown option '--bogus'[\s\S]*npx edgeprom --help/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["config", "push"], /config push: give exactly one FILE[\s\S]*npx edgeprom config push --help/],
    [["config", "push", "a.yml", "--local", "--env", "x"], /either --local or --env/],
    [["check", "rules", "--lint=nope"], /unknown lint option/],
    [["region", "add", "eu"], /--location HINT is required/],
    [["region", "add", "eu", "--location", "mars"], /unknown location hint "mars"[\s\S]*weur/],
    [["help", "nothing"], /no command "nothing"/],
  ])("npx edgeprom %j: one message, exit 2", async (args, message) => {
    const r = await edgeprom(...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  });

  it("npm start -- --help prints the options; a bad flag is one line and exit 2", async () => {
    const help = await run("npm", ["start", "--silent", "--", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--data", "--global-port", "--region-a-port", "--region-b-port", "--host", "--dev-vars", "--quiet"]) expect(help.stdout).toContain(flag);
    const bad = await run("npm", ["start", "--silent", "--", "--bogus"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'/);
    expect(bad.stderr).not.toMatch(STACK);
  });
});
