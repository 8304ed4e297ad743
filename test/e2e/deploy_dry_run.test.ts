import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
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
