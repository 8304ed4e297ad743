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

const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/** Runs wrangler with this Node (npx would add a second or more of its own). */
function wrangler(env: string, outDir: string): Promise<void> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [WRANGLER, "deploy", "--dry-run", "--env", env, "--outdir", outDir], {
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
  /** The directory each bundle's modules were written to. */
  dirs: Record<BundleName, string>;
  hash: string;
  cached: boolean;
}

const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`;

/** The region and global bundles, exactly as `wrangler deploy` builds them, from the
 * cache when the inputs have not changed since the last build. `progress` hears each
 * step as it starts and ends. */
export async function workerBundles(progress: (line: string) => void = () => {}): Promise<Bundles> {
  let t = Date.now();
  const hash = await inputsHash();
  const dir = join(BUNDLE_CACHE, hash);
  const found = async (d: string, cached: boolean): Promise<Bundles> => {
    const dirs = { region: join(d, "region"), global: join(d, "global") };
    return { scripts: { region: await mainScript(dirs.region), global: await mainScript(dirs.global) }, dirs, hash, cached };
  };
  if (existsSync(join(dir, "complete"))) {
    progress(`sources unchanged since the last build (inputs ${hash}, checked in ${since(t)}): reusing its bundles`);
    return found(dir, true);
  }
  progress(`sources changed or never built (inputs ${hash}): building, once for every tier and later start`);
  await mkdir(BUNDLE_CACHE, { recursive: true });
  const tmp = join(BUNDLE_CACHE, `.tmp-${hash}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  t = Date.now();
  const ticker = setInterval(() => progress(`  ... ${since(t)}`), 5000);
  ticker.unref();
  try {
    // The UI first, once: wrangler's [build] step then finds it current for both bundles.
    progress("  web UI (esbuild: src/web/client -> src/web/generated/ui_bundle.js)");
    const { ensureUiBundle } = await import("../build_ui.js");
    const ui = await ensureUiBundle();
    progress(`  web UI ${ui.built ? "built" : "unchanged"} in ${since(t)}`);
    t = Date.now();
    progress(`  Workers (wrangler deploy --dry-run, envs ${Object.values(BUNDLE_ENVS).join(" and ")}, side by side)`);
    await Promise.all(
      (Object.keys(BUNDLE_ENVS) as BundleName[]).map(async (name) => {
        await wrangler(BUNDLE_ENVS[name], join(tmp, name));
        progress(`  ${name} Worker bundled in ${since(t)}`);
      }),
    );
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
  return found(dir, false);
}

/** Keeps the newest few bundle sets so switching branches back and forth stays warm. */
async function prune(keep: string): Promise<void> {
  const entries = await Promise.all(
    (await readdir(BUNDLE_CACHE)).filter((n) => !n.startsWith(".")).map(async (n) => ({ n, t: (await stat(join(BUNDLE_CACHE, n))).mtimeMs })),
  );
  entries.sort((a, b) => b.t - a.t);
  for (const { n } of entries.slice(KEEP)) if (n !== keep) await rm(join(BUNDLE_CACHE, n), { recursive: true, force: true });
}
