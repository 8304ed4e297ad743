import { describe, expect, it } from "vitest";
import { parseStartOptions, type StartOptions } from "../../scripts/start/options.js";

const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
};
const files = (map: Record<string, string>) => (path: string) => (path in map ? map[path]! : noFile(path));

function run(argv: string[], env: NodeJS.ProcessEnv = {}, read = noFile): StartOptions {
  const r = parseStartOptions(argv, env, read);
  if (r.kind !== "run") throw new Error(`expected options, got ${JSON.stringify(r)}`);
  return r.options;
}

describe("npm start's options", () => {
  it("defaults to the documented ports and data dir, with no worker vars", () => {
    const o = run([]);
    expect(o).toMatchObject({ dataDir: ".edgeprom", host: "127.0.0.1", ports: { global: 9090, "local-a": 9091, "local-b": 9092 }, quiet: false });
    expect(o.workerVars.vars).toEqual({});
  });

  it("takes tier settings from the environment and nothing else", () => {
    const o = run([], { WRITE_TOKEN: "w", READ_TOKEN: "r", LIMIT_QUERY_LENGTH: "100", STORAGE_RETENTION: "1d", ENABLE_ADMIN_API: "true", ENABLE_LIFECYCLE: "1", MAX_BODY_BYTES: "10", EXTERNAL_URL: "http://x", WEB_CONFIG: "y", HOME: "/root", TIER: "evil", SHARDS: "9" });
    expect(o.workerVars.vars).toEqual({ WRITE_TOKEN: "w", READ_TOKEN: "r", LIMIT_QUERY_LENGTH: "100", STORAGE_RETENTION: "1d", ENABLE_ADMIN_API: "true", ENABLE_LIFECYCLE: "1", MAX_BODY_BYTES: "10", EXTERNAL_URL: "http://x", WEB_CONFIG: "y" });
    expect(o.workerVars.sources.WRITE_TOKEN).toBe("environment");
  });

  it("reads .dev.vars by default; the environment wins over it; other keys are reported, not passed", () => {
    const o = run([], { READ_TOKEN: "env" }, files({ ".dev.vars": "WRITE_TOKEN=file\nREAD_TOKEN=file\nTIER=x\n" }));
    expect(o.workerVars.vars).toEqual({ WRITE_TOKEN: "file", READ_TOKEN: "env" });
    expect(o.workerVars.sources).toEqual({ WRITE_TOKEN: ".dev.vars", READ_TOKEN: "environment" });
    expect(o.workerVars.ignored).toEqual(["TIER"]);
  });

  it("reads --dev-vars FILE, which must exist", () => {
    expect(run(["--dev-vars", "my.vars"], {}, files({ "my.vars": "WRITE_TOKEN=t" })).workerVars.vars).toEqual({ WRITE_TOKEN: "t" });
    expect(parseStartOptions(["--dev-vars", "missing.vars"], {}, noFile)).toMatchObject({ kind: "error", message: expect.stringContaining("cannot read missing.vars") });
  });

  it("refuses a broken .dev.vars instead of starting without its secrets", () => {
    expect(parseStartOptions([], {}, files({ ".dev.vars": "WRITE_TOKEN='x" }))).toMatchObject({ kind: "error", message: expect.stringContaining(".dev.vars:1") });
  });

  it("takes flags over EDGEPROM_* variables", () => {
    const o = run(["--global-port", "8000", "--quiet"], { EDGEPROM_GLOBAL_PORT: "7000", EDGEPROM_REGION_A_PORT: "7001", EDGEPROM_DATA: "/d" });
    expect(o).toMatchObject({ dataDir: "/d", quiet: true, ports: { global: 8000, "local-a": 7001, "local-b": 9092 } });
  });

  it("answers --help and -h with the usage", () => {
    for (const a of ["--help", "-h"]) expect(parseStartOptions([a], {}, noFile)).toMatchObject({ kind: "help", text: expect.stringContaining("usage: npm start -- [options]") });
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /Unexpected argument 'extra'/],
    [["--global-port", "99999"], /--global-port: not a port number/],
    [["--region-a-port", "9090"], /three different ports/],
  ])("refuses %j", (argv, message) => {
    const r = parseStartOptions(argv, {}, noFile);
    expect(r.kind).toBe("error");
    expect(r.kind === "error" && r.message).toMatch(message);
  });
});
