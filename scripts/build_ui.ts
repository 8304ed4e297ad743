/**
 * Builds the web UI (src/web/client) into src/web/generated/ui_bundle.js: every
 * output file gzipped and base64-encoded in one ES module that the Worker imports.
 * A module, rather than Workers static assets, works unchanged under `wrangler deploy`,
 * Miniflare (scripts/federation.ts runs wrangler's bundle) and vitest-pool-workers
 * (which runs src/ directly): nothing else needs to know the UI exists.
 *
 * Run by wrangler's [build] command, by npm's pretest hook and by the workers test
 * project; `--report` prints the transferred (gzip) size of each page.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { PAGES } from "../src/web/pages.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const UI_SOURCE_DIR = join(ROOT, "src/web/client");
export const UI_BUNDLE_PATH = join(ROOT, "src/web/generated/ui_bundle.js");
/** Which files the last build read and a hash of them: a build whose inputs are
 * unchanged is skipped (wrangler runs this for every environment it bundles). */
const UI_INPUTS_PATH = join(ROOT, "src/web/generated/ui_bundle.inputs.json");
const THIS_FILE = fileURLToPath(import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

/** Each page's code lives in its own chunk; the shell preloads the current one. */
const PAGE_IDS = PAGES.map((p) => p.id);

export interface UiBuild {
  /** Every file esbuild read, relative to the repository (node_modules included). */
  inputs: string[];
  /** Output file name -> [content type, gzip bytes]. */
  files: Map<string, { contentType: string; raw: number; gzip: Uint8Array }>;
  entry: string;
  /** main and the chunks it imports statically: loaded by every page. */
  core: string[];
  styles: string[];
  /** Page -> the chunks it loads (its own and everything it imports statically). */
  pages: Record<string, string[]>;
}

export async function buildUi(): Promise<UiBuild> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(UI_SOURCE_DIR, "main.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    write: false,
    outdir: "ui",
    entryNames: "[name]-[hash]",
    chunkNames: "[name]-[hash]",
    metafile: true,
    legalComments: "linked",
    logLevel: "silent",
  });
  const files = new Map<string, { contentType: string; raw: number; gzip: Uint8Array }>();
  for (const f of result.outputFiles) {
    const name = relative(join(ROOT, "ui"), f.path);
    const ext = name.endsWith(".LEGAL.txt") ? "txt" : (name.split(".").pop() ?? "");
    const contentType = CONTENT_TYPES[ext];
    if (contentType === undefined || name.endsWith(".map")) continue;
    // mtime 0 and no name keep the gzip bytes a function of the content alone.
    files.set(name, { contentType, raw: f.contents.length, gzip: gzipSync(f.contents, { level: 9 }) });
  }
  return { files, inputs: Object.keys(result.metafile.inputs).sort(), ...layout(result.metafile) };
}

function layout(meta: Metafile): Pick<UiBuild, "entry" | "core" | "styles" | "pages"> {
  const outName = (p: string) => p.replace(/^ui\//, "");
  let entry = "";
  const styles: string[] = [];
  const bySource = new Map<string, string>();
  for (const [out, info] of Object.entries(meta.outputs)) {
    if (info.entryPoint === undefined || !out.endsWith(".js")) continue;
    bySource.set(info.entryPoint, out);
    if (info.entryPoint.endsWith("client/main.ts")) {
      entry = outName(out);
      // The CSS that main imports (all of the UI's CSS) comes out as its bundle.
      if (info.cssBundle !== undefined) styles.push(outName(info.cssBundle));
    }
  }
  if (entry === "") throw new Error("build_ui: esbuild produced no main entry");
  if (styles.length === 0) throw new Error("build_ui: esbuild produced no stylesheet");
  // The static import closure of an output: what the browser fetches before it runs.
  const closure = (out: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(out)) return seen;
    seen.add(out);
    for (const imp of meta.outputs[out]?.imports ?? []) {
      if (imp.kind === "import-statement" && !imp.external) closure(imp.path, seen);
    }
    return seen;
  };
  const mainClosure = closure(`ui/${entry}`);
  const pages: Record<string, string[]> = {};
  for (const page of PAGE_IDS) {
    const src = [...bySource.keys()].find((s) => s.endsWith(`client/pages/${page}_page.ts`));
    if (src === undefined) throw new Error(`build_ui: no chunk for page ${page} (src/web/client/pages/${page}_page.ts)`);
    pages[page] = [...closure(bySource.get(src)!)].filter((o) => !mainClosure.has(o)).map(outName);
  }
  return { entry, core: [...mainClosure].map(outName), styles: styles.sort(), pages };
}

export function generatedModule(b: UiBuild): string {
  const assets: Record<string, [string, string]> = {};
  for (const [name, f] of [...b.files].sort(([a], [c]) => (a < c ? -1 : 1))) {
    assets[name] = [f.contentType, Buffer.from(f.gzip).toString("base64")];
  }
  const manifest = { entry: b.entry, core: b.core, styles: b.styles, pages: b.pages };
  return [
    "// Generated by scripts/build_ui.ts from src/web/client; not checked in.",
    `export const manifest = ${JSON.stringify(manifest)};`,
    `export const assets = ${JSON.stringify(assets)};`,
    "",
  ].join("\n");
}

/** Bytes a browser transfers (gzip) to show a page from a cold cache. */
export function pageTransferBytes(b: UiBuild, page: string): { gzip: number; raw: number } {
  const names = new Set([...b.core, ...b.styles, ...(b.pages[page] ?? [])]);
  let gzip = 0;
  let raw = 0;
  for (const n of names) {
    const f = b.files.get(n);
    if (f === undefined) continue;
    gzip += f.gzip.length;
    raw += f.raw;
  }
  return { gzip, raw };
}

/** Writes the module only when it changed, through a rename, so that concurrent
 * builds (several wrangler bundles at once) never expose a half-written file. */
export async function writeUiBundle(b: UiBuild, path = UI_BUNDLE_PATH): Promise<boolean> {
  const text = generatedModule(b);
  const old = await readFile(path, "utf8").catch(() => "");
  const changed = old !== text;
  if (changed) await writeAtomically(path, text);
  if (path === UI_BUNDLE_PATH) {
    const hash = await inputsHash(b.inputs);
    if (hash !== undefined) await writeAtomically(UI_INPUTS_PATH, JSON.stringify({ inputs: b.inputs, hash }));
  }
  return changed;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** A hash of the named files and of this script; undefined when one is gone. */
async function inputsHash(inputs: string[]): Promise<string | undefined> {
  const h = createHash("sha256");
  for (const f of [THIS_FILE, ...inputs.map((i) => join(ROOT, i))]) {
    const bytes = await readFile(f).catch(() => undefined);
    if (bytes === undefined) return undefined;
    h.update(f).update("\0").update(bytes).update("\0");
  }
  return h.digest("hex");
}

/** Whether the generated module was built from exactly the files there are now. */
export async function uiBundleCurrent(): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(UI_INPUTS_PATH, "utf8")) as { inputs: string[]; hash: string };
    await readFile(UI_BUNDLE_PATH);
    return (await inputsHash(stamp.inputs)) === stamp.hash;
  } catch {
    return false;
  }
}

/** Builds the UI module unless it is current; returns whether it built. */
export async function ensureUiBundle(): Promise<{ built: boolean; changed: boolean; build?: UiBuild }> {
  if (await uiBundleCurrent()) return { built: false, changed: false };
  const b = await buildUi();
  return { built: true, changed: await writeUiBundle(b), build: b };
}

async function main(): Promise<void> {
  const started = Date.now();
  const report = process.argv.includes("--report");
  let b: UiBuild | undefined;
  let changed = false;
  if (report) {
    b = await buildUi();
    changed = await writeUiBundle(b);
  } else {
    ({ build: b, changed } = await ensureUiBundle());
  }
  const ms = Date.now() - started;
  if (b === undefined) {
    if (!process.argv.includes("--quiet")) console.log(`build_ui: inputs unchanged since the last build of ${relative(ROOT, UI_BUNDLE_PATH)} (${ms} ms)`);
    return;
  }
  if (report) {
    for (const page of PAGE_IDS) {
      const { gzip, raw } = pageTransferBytes(b, page);
      console.log(`${page.padEnd(11)} ${(gzip / 1024).toFixed(1).padStart(7)} KiB gzip  ${(raw / 1024).toFixed(1).padStart(7)} KiB raw`);
    }
  }
  if (!process.argv.includes("--quiet")) {
    console.log(`build_ui: ${b.files.size} files ${changed ? "written to" : "unchanged in"} ${relative(ROOT, UI_BUNDLE_PATH)} (${ms} ms)`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
