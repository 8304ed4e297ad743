// The edgeprom command line (Node): `check config` like promtool's, and pushing
// or showing the configuration stored in the CONFIG KV namespace, locally (the
// Miniflare state `npm start` uses) or in a deployed environment (through wrangler).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as yamlParse } from "yaml";
import { ConfigError } from "../src/config/errors.js";
import { CONFIG_BINDING, configKey, fileKey, loadConfigFromKV, type KVReader } from "../src/config/kv_keys.js";
import { parseConfig } from "../src/config/load.js";
import { configToYaml } from "../src/config/print.js";
import type { Config } from "../src/config/types.js";
import { configWarnings } from "../src/config/warnings.js";

const USAGE = `usage: npx edgeprom <command>

  check config FILE...
      Check prometheus.yml files as \`promtool check config\` does, plus warnings for
      what deployed Workers cannot do (https targets on custom ports, ...).
  config push FILE [--region R] [--local | --env ENV] [--data DIR]
      Validate FILE and store it, with the rule files and file_sd files it refers
      to, in the ${CONFIG_BINDING} KV namespace: as prometheus.yml (every region) or as
      regions/R/prometheus.yml (--region R). --local (default) writes to the state
      of \`npm start\` (DIR/kv, DIR defaults to .edgeprom); --env ENV writes to a
      deployed environment through wrangler.
  config show [--region R] [--local | --env ENV] [--data DIR] [--raw]
      Print the configuration a region loads (secrets shown as <secret>), or with
      --raw the stored text.
`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function hasGlob(p: string): boolean {
  return p.includes("*");
}

/** Files matching `pattern` (relative to `dir`), with `*` allowed in the last
 * path segment as in Prometheus' rule_files; returned as written/relative paths. */
function expand(pattern: string, dir: string): string[] {
  if (!hasGlob(pattern)) return [pattern];
  const d = dirname(pattern);
  const re = new RegExp(`^${basename(pattern).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
  const abs = resolve(dir, d);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => (d === "." ? f : join(d, f)));
}

/** Counts the rules of a rule file: a light check (YAML with `groups`), not the
 * rule engine's full validation. */
function checkRuleFile(path: string): { rules: number } | { error: string } {
  try {
    const cfg = parseRulesShape(readFileSync(path, "utf8"));
    return { rules: cfg };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function parseRulesShape(text: string): number {
  const doc = yamlParse(text) as { groups?: { rules?: unknown[] }[] } | null;
  if (doc === null || typeof doc !== "object") return 0;
  if (doc.groups !== undefined && !Array.isArray(doc.groups)) throw new Error("groups: not a list");
  let n = 0;
  for (const g of doc.groups ?? []) n += Array.isArray(g?.rules) ? g.rules.length : 0;
  return n;
}

function printWarnings(config: Config, dir: string): void {
  for (const sc of config.scrapeConfigs) {
    for (const f of sc.fileSdConfigs) {
      for (const p of f.files) {
        if (!hasGlob(p) && !existsSync(resolve(dir, p))) out(`  WARNING: file "${p}" for file_sd in scrape job "${sc.jobName}" does not exist`);
      }
    }
  }
  for (const w of configWarnings(config)) out(`  WARNING: ${w.message}`);
}

/** Loads FILE; on failure prints promtool's FAILED line and returns undefined. */
function load(file: string): Config | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    err(`  FAILED: ${(e as Error).message}`);
    return undefined;
  }
  try {
    return parseConfig(text);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`  FAILED: parsing YAML file ${file}: ${e.message}`);
    return undefined;
  }
}

function checkConfig(files: string[]): number {
  if (files.length === 0) {
    err("check config: give at least one FILE");
    return 2;
  }
  let failed = false;
  for (const file of files) {
    out(`Checking ${file}`);
    const config = load(file);
    if (config === undefined) {
      out("");
      failed = true;
      continue;
    }
    const dir = dirname(file);
    const ruleFiles: string[] = [];
    let missing = false;
    for (const pattern of config.ruleFiles) {
      for (const p of expand(pattern, dir)) {
        const abs = resolve(dir, p);
        if (!existsSync(abs) || !statSync(abs).isFile()) {
          err(`  FAILED: "${p}" does not point to an existing file`);
          missing = true;
        } else ruleFiles.push(join(dir, p));
      }
    }
    if (missing) {
      out("");
      failed = true;
      continue;
    }
    if (config.ruleFiles.length > 0) out(`  SUCCESS: ${ruleFiles.length} rule files found`);
    printWarnings(config, dir);
    out(` SUCCESS: ${file} is valid prometheus config file syntax`);
    out("");
    for (const rf of ruleFiles) {
      out(`Checking ${rf}`);
      const r = checkRuleFile(rf);
      if ("error" in r) {
        err(`  FAILED: ${r.error}`);
        failed = true;
      } else out(`  SUCCESS: ${r.rules} rules found`);
      out("");
    }
  }
  return failed ? 1 : 0;
}

interface Target {
  mode: "local" | "env";
  env?: string;
  dataDir: string;
}

function runWrangler(args: string[], capture: boolean): { status: number; stdout: string; stderr: string } {
  const r = spawnSync("npx", ["wrangler", ...args], {
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

interface LocalKV extends KVReader {
  put(key: string, value: string): Promise<void>;
}

async function withLocalKV<T>(dataDir: string, fn: (kv: LocalKV) => Promise<T>): Promise<T> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({ script: "", modules: true, kvNamespaces: [CONFIG_BINDING], kvPersist: join(dataDir, "kv") });
  try {
    return await fn(await mf.getKVNamespace(CONFIG_BINDING));
  } finally {
    await mf.dispose();
  }
}

/** The files a configuration refers to that exist next to it: [KV key, path]. */
function referencedFiles(config: Config, dir: string): [string, string][] {
  const found = new Map<string, string>();
  // [KV key, path to read]
  const patterns = [...config.ruleFiles, ...config.scrapeConfigs.flatMap((sc) => sc.fileSdConfigs.flatMap((f) => f.files))];
  for (const pattern of patterns) {
    for (const p of expand(pattern, dir)) {
      const abs = resolve(dir, p);
      if (existsSync(abs) && statSync(abs).isFile()) found.set(fileKey(p), join(dir, p));
    }
  }
  return [...found];
}

async function push(file: string, region: string | undefined, target: Target): Promise<number> {
  out(`Checking ${file}`);
  const config = load(file);
  if (config === undefined) {
    err(`refusing to push ${file}: it is not a valid configuration`);
    return 1;
  }
  const dir = dirname(file);
  printWarnings(config, dir);
  const entries: [string, string][] = [[configKey(region), file], ...referencedFiles(config, dir)];
  if (target.mode === "local") {
    await withLocalKV(target.dataDir, async (kv) => {
      for (const [key, path] of entries) await kv.put(key, readFileSync(path, "utf8"));
    });
  } else {
    for (const [key, path] of entries) {
      const r = runWrangler(["kv", "key", "put", "--binding", CONFIG_BINDING, "--env", target.env!, "--remote", key, "--path", path], false);
      if (r.status !== 0) {
        err(`wrangler could not write ${key}`);
        return 1;
      }
    }
  }
  const where = target.mode === "local" ? `local KV (${join(target.dataDir, "kv")})` : `environment ${target.env}`;
  for (const [key, path] of entries) out(`pushed ${path} -> ${key} in ${where}`);
  return 0;
}

async function show(region: string | undefined, target: Target, raw: boolean): Promise<number> {
  const print = async (kv: KVReader) => {
    const loaded = await loadConfigFromKV(kv, region);
    out(`# ${CONFIG_BINDING}/${loaded.key}`);
    process.stdout.write(raw ? loaded.text : configToYaml(loaded.config));
  };
  try {
    if (target.mode === "local") await withLocalKV(target.dataDir, (kv) => print(kv));
    else {
      await print({
        async get(key) {
          const r = runWrangler(["kv", "key", "get", "--binding", CONFIG_BINDING, "--env", target.env!, "--remote", "--text", key], true);
          if (r.status !== 0 || /Value not found/i.test(r.stdout)) return null;
          return r.stdout;
        },
      });
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(e.message);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      region: { type: "string" },
      local: { type: "boolean", default: false },
      env: { type: "string" },
      data: { type: "string", default: process.env.EDGEPROM_DATA ?? ".edgeprom" },
      raw: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  if (values.help || cmd === undefined || cmd === "help") {
    out(USAGE);
    return cmd === undefined && !values.help ? 2 : 0;
  }
  if (values.local && values.env !== undefined) {
    err("give either --local or --env ENV, not both");
    return 2;
  }
  const target: Target = values.env !== undefined ? { mode: "env", env: values.env, dataDir: values.data! } : { mode: "local", dataDir: values.data! };
  try {
    if (cmd === "check" && sub === "config") return checkConfig(rest);
    if (cmd === "config" && sub === "push") {
      if (rest.length !== 1) {
        err("config push: give exactly one FILE");
        return 2;
      }
      return await push(rest[0]!, values.region, target);
    }
    if (cmd === "config" && sub === "show") return await show(values.region, target, values.raw!);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  err(`unknown command: ${positionals.join(" ")}\n\n${USAGE}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
