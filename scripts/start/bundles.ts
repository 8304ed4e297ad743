import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** What goes into a Worker bundle: a change to any of these makes a new one. The UI
 * bundle under src/web/generated is an output of the build, not an input. */
const INPUT_DIRS = ["src", "migrations"];
const INPUT_FILES = ["wrangler.toml", "package-lock.json", "tsconfig.json", "scripts/build_ui.ts"];
const SKIP = new Set([join(ROOT, "src/web/generated")]);

/** The two Worker scripts: local-a and local-b share the region entry point (their
 * differences are vars, which the launcher sets), global has its own. */
export const BUNDLE_ENVS = { region: "local-a", global: "global" } as const;
export type BundleName = keyof typeof BUNDLE_ENVS;

export const BUNDLE_CACHE = join(ROOT, "node_modules/.cache/edgeprom/bundles");
const KEEP = 3;

async function files(dir: string, out: string[]): Promise<void> {
  if (SKIP.has(dir)) return;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await files(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** A content hash of every input, so a warm start knows its bundles are current
 * without asking wrangler. */
export async function inputsHash(): Promise<string> {
  const all: string[] = INPUT_FILES.map((f) => join(ROOT, f)).filter((f) => existsSync(f));
  for (const d of INPUT_DIRS) await files(join(ROOT, d), all);
  all.sort();
  const h = createHash("sha256");
  for (const f of all) {
    h.update(relative(ROOT, f)).update("\0").update(await readFile(f)).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

/** Build processes under way, each the leader of its own process group so that a
 * stop can end wrangler, esbuild and the UI build together. */
export const activeBuilds = new Set<number>();

function wrangler(env: string, outDir: string): Promise<void> {
  return new Promise((done, fail) => {
    const p = spawn("npx", ["wrangler", "deploy", "--dry-run", "--env", env, "--outdir", outDir], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    let output = "";
    p.stdout!.on("data", (b: Buffer) => (output += b.toString()));
    p.stderr!.on("data", (b: Buffer) => (output += b.toString()));
    activeBuilds.add(p.pid!);
    p.on("error", fail);
    p.on("close", (code, signal) => {
      activeBuilds.delete(p.pid!);
      if (code === 0) done();
      else fail(new Error(`wrangler deploy --dry-run --env ${env} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

async function mainScript(dir: string): Promise<string> {
  const main = (await readdir(dir)).find((f) => f.endsWith(".js"));
  if (main === undefined) throw new Error(`wrangler produced no bundle in ${dir}`);
  return join(dir, main);
}

export interface Bundles {
  scripts: Record<BundleName, string>;
  hash: string;
  cached: boolean;
}

/** The region and global bundles, exactly as `wrangler deploy` builds them, from the
 * cache when the inputs have not changed since the last build. */
export async function workerBundles(progress: (line: string) => void = () => {}): Promise<Bundles> {
  const hash = await inputsHash();
  const dir = join(BUNDLE_CACHE, hash);
  const scriptsIn = async (d: string) => ({ region: await mainScript(join(d, "region")), global: await mainScript(join(d, "global")) });
  if (existsSync(join(dir, "complete"))) return { scripts: await scriptsIn(dir), hash, cached: true };
  await mkdir(BUNDLE_CACHE, { recursive: true });
  const tmp = join(BUNDLE_CACHE, `.tmp-${hash}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  const started = Date.now();
  const ticker = setInterval(() => progress(`still bundling (${Math.round((Date.now() - started) / 1000)}s)`), 5000);
  ticker.unref();
  try {
    // Both at once: each is mostly one esbuild run, and the UI build they share writes atomically.
    await Promise.all((Object.keys(BUNDLE_ENVS) as BundleName[]).map((name) => wrangler(BUNDLE_ENVS[name], join(tmp, name))));
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    clearInterval(ticker);
  }
  await mkdir(join(tmp, "complete"));
  try {
    await rename(tmp, dir);
  } catch {
    // Another start built the same inputs first; theirs is as good as ours.
    await rm(tmp, { recursive: true, force: true });
  }
  await prune(hash);
  return { scripts: await scriptsIn(dir), hash, cached: false };
}

/** Keeps the newest few bundle sets so switching branches back and forth stays warm. */
async function prune(keep: string): Promise<void> {
  const entries = await Promise.all(
    (await readdir(BUNDLE_CACHE)).filter((n) => !n.startsWith(".")).map(async (n) => ({ n, t: (await stat(join(BUNDLE_CACHE, n))).mtimeMs })),
  );
  entries.sort((a, b) => b.t - a.t);
  for (const { n } of entries.slice(KEEP)) if (n !== keep) await rm(join(BUNDLE_CACHE, n), { recursive: true, force: true });
}
