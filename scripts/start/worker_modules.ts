import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";

type ModuleType = "ESModule" | "Text" | "Data" | "CompiledWasm";

/** One module of a Worker, as Miniflare's `modules` option takes it. */
export interface WorkerModule {
  type: ModuleType;
  path: string;
  contents: string | Uint8Array;
}

/** How wrangler's output files load: the bundle itself, and the additional modules
 * that wrangler.toml's [[rules]] copy beside it. Anything else in the directory
 * (source maps, wrangler's README.md) is not a module. */
const TYPES: Record<string, ModuleType> = { js: "ESModule", mjs: "ESModule", sql: "Text", txt: "Text", html: "Text", bin: "Data", wasm: "CompiledWasm" };

/** The modules of a bundle that `wrangler deploy --dry-run --outdir dir` wrote, the
 * main script first. Listing them for Miniflare, rather than handing it the script's
 * path, saves it from parsing the 2.6 MB bundle for imports once per tier: that
 * parse was most of a warm start (measured 5-11 s of 6-16 s for three tiers). */
export async function workerModules(dir: string, mainScript: string): Promise<WorkerModule[]> {
  const modules: WorkerModule[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "";
    const type = TYPES[ext];
    if (type === undefined || name === "README.md") continue;
    const path = join(dir, name);
    const contents = type === "ESModule" || type === "Text" ? await readFile(path, "utf8") : new Uint8Array(await readFile(path));
    const module = { type, path, contents };
    if (name === basename(mainScript)) modules.unshift(module);
    else modules.push(module);
  }
  if (modules[0]?.path !== join(dir, basename(mainScript))) throw new Error(`${mainScript} is not in ${dir}`);
  return modules;
}
