import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Every [env.<name>] table of wrangler.toml (sub-tables such as [env.x.vars] count once). */
function environments(): string[] {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const names = new Set<string>();
  for (const m of toml.matchAll(/^\s*\[\[?\s*env\.("[^"]+"|[A-Za-z0-9_-]+)/gm)) names.add(m[1]!.replace(/^"|"$/g, ""));
  return [...names];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (b: Buffer) => (output += b.toString()));
    p.stderr.on("data", (b: Buffer) => (output += b.toString()));
    p.on("error", reject);
    p.on("close", (code) => resolvePromise({ code, output }));
  });
}

/** The platform's limit is 10 MiB gzipped on paid plans and 3 MiB on free ones; a
 * region worker should stay far below both, so the budget here is 1 MiB. */
const GZIP_BUDGET_KIB = 1024;

/** `wrangler deploy --dry-run` bundles each environment exactly as a deploy would:
 * it must succeed for every environment in wrangler.toml and stay small. */
describe("wrangler deploy --dry-run", () => {
  const envs = environments();
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("wrangler.toml names the local federation's environments", () => {
    expect(envs).toEqual(expect.arrayContaining(["local-a", "local-b", "global"]));
  });

  it.each(envs)("bundles env %s under the size budget", async (env) => {
    const outdir = await mkdtemp(join(tmpdir(), `edgeprom-dry-run-${env}-`));
    dirs.push(outdir);
    const { code, output } = await run("npx", ["wrangler", "deploy", "--dry-run", "--env", env, "--outdir", outdir], {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      CI: "true",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    });
    expect(code, output).toBe(0);
    const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
    expect(m, output).not.toBeNull();
    const total = Number(m![1]);
    const gzip = Number(m![2]);
    console.log(`wrangler deploy --dry-run --env ${env}: Total Upload ${total} KiB / gzip ${gzip} KiB`);
    expect(gzip).toBeGreaterThan(0);
    expect(gzip).toBeLessThan(GZIP_BUDGET_KIB);
    expect(total).toBeGreaterThanOrEqual(gzip);
    // The bundle really was written where asked.
    expect((await readdir(outdir)).some((f) => f.endsWith(".js"))).toBe(true);
  }, 300_000);
});

/** A copy of wrangler.toml beside it (wrangler resolves `main` and runs [build] from
 * the configuration's directory), removed afterwards. */
async function configCopy(extra = ""): Promise<string> {
  const path = join(ROOT, `.wrangler-test-${process.pid}-${Math.random().toString(36).slice(2)}.toml`);
  await copyFile(join(ROOT, "wrangler.toml"), path);
  if (extra !== "") await writeFile(path, `${await readFile(path, "utf8")}\n${extra}\n`);
  return path;
}

describe("infra/deploy.sh", () => {
  const files: string[] = [];
  afterAll(async () => {
    for (const f of files) await rm(f, { force: true });
    await rm(join(ROOT, "dist/region-eu"), { recursive: true, force: true });
  });
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };

  it("deploys a region that `npx edgeprom region add` wrote, with no hand edits", async () => {
    const config = await configCopy();
    files.push(config);
    const before = await run("infra/deploy.sh", ["region-eu", "--dry-run", "--config", config], env);
    expect(before.code, before.output).toBe(2);
    expect(before.output).toContain("npx edgeprom region add eu --location");
    const add = await run(process.execPath, ["bin/edgeprom.js", "region", "add", "eu", "--location", "weur", "--config", config], env);
    expect(add.code, add.output).toBe(0);
    expect(add.output).toMatch(/^added: \[env\.region-eu\]/m);
    const written = await readFile(config, "utf8");
    const again = await run(process.execPath, ["bin/edgeprom.js", "region", "add", "eu", "--location", "weur", "--config", config], env);
    expect(again.output).toMatch(/^unchanged: \[env\.region-eu\]/m);
    expect(await readFile(config, "utf8")).toBe(written);
    const bad = await run(process.execPath, ["bin/edgeprom.js", "region", "add", "eu", "--location", "europe", "--config", config], env);
    expect(bad.code).toBe(2);
    expect(bad.output).not.toMatch(/\n\s+at /);
    const { code, output } = await run("infra/deploy.sh", ["region-eu", "--dry-run", "--config", config], env);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^region-eu: Total Upload: [\d.]+ KiB \/ gzip: [\d.]+ KiB -> dist\/region-eu\/$/m);
    expect((await readdir(join(ROOT, "dist/region-eu"))).some((f) => f.endsWith(".js"))).toBe(true);
  }, 300_000);

  it("--dry-run exits non-zero, with wrangler's message, when wrangler fails", async () => {
    const config = await configCopy('[env.broken]\nname = "edgeprom-broken"\nmain = "src/workers/no_such_entry.ts"');
    files.push(config);
    const { code, output } = await run("infra/deploy.sh", ["broken", "--dry-run", "--config", config], env);
    expect(code, output).toBe(1);
    expect(output).toContain("no_such_entry");
    expect(output).toContain("wrangler could not bundle env broken");
  }, 300_000);
});
