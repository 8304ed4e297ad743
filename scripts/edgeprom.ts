// The edgeprom command line (Node): `check config` like promtool's, and pushing
// or showing the configuration stored in the CONFIG KV namespace, locally (the
// Miniflare state `npm start` uses) or in a deployed environment (through wrangler).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseAmConfig } from "../src/alertmanager/am_config.js";
import { ConfigError } from "../src/config/errors.js";
import { CONFIG_BINDING, configKey, fileKey, loadConfigFromKV, type KVReader } from "../src/config/kv_keys.js";
import { parseConfig } from "../src/config/load.js";
import { configToYaml } from "../src/config/print.js";
import type { Config } from "../src/config/types.js";
import { duplicateRules, parseRuleFile } from "../src/config/rule_file.js";
import { configWarnings } from "../src/config/warnings.js";
import { ruleFileChecks } from "../src/rules/rule_checks.js";
import { upsertRegion } from "./edgeprom/region_env.js";
import { COMMANDS, commandUsage, USAGE, type CommandName } from "./edgeprom/usage.js";

const ROOT = resolve(import.meta.dirname, "..");

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

interface RulesLint {
  duplicates: boolean;
  fatal: boolean;
  ignoreUnknownFields: boolean;
}

interface RulesCheck {
  /** Anything printed as FAILED, lint problems included. */
  failed: boolean;
  /** Real errors, not only lint problems. */
  hasErrors: boolean;
}

/** promtool's checkRules for one file's text (`name` as printed). */
function checkRulesText(name: string, text: string | Error, lint: RulesLint): RulesCheck {
  if (text instanceof Error) {
    err("  FAILED:");
    err(`${name}: ${text.message}`);
    return { failed: true, hasErrors: true };
  }
  const parsed = parseRuleFile(text, { checks: ruleFileChecks, ignoreUnknownFields: lint.ignoreUnknownFields });
  for (const w of parsed.warnings) err(`  WARNING: ${w}`);
  if (parsed.errors.length > 0) {
    err("  FAILED:");
    for (const e of parsed.errors) err(`${name}: ${e}`);
    return { failed: true, hasErrors: true };
  }
  if (lint.duplicates) {
    const dups = duplicateRules(parsed.groups);
    if (dups.length > 0) {
      let msg = `lint error ${dups.length} duplicate rule(s) found.\n`;
      for (const d of dups) {
        msg += `Metric: ${d.metric}\nLabel(s):\n`;
        for (const [k, v] of d.labels) msg += `\t${k}: ${v}\n`;
      }
      err("  FAILED:");
      err(msg + "Might cause inconsistency while recording expressions");
      out("");
      return { failed: true, hasErrors: false };
    }
  }
  out(`  SUCCESS: ${parsed.groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
  out("");
  return { failed: false, hasErrors: false };
}

function readText(path: string): string | Error {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return new Error(code === "ENOENT" ? `open ${path}: no such file or directory` : (e as Error).message);
  }
}

function parseLint(value: string | undefined): RulesLint | string {
  const lint: RulesLint = { duplicates: false, fatal: false, ignoreUnknownFields: false };
  for (const opt of (value ?? "duplicate-rules").split(",")) {
    if (opt === "all" || opt === "duplicate-rules") lint.duplicates = true;
    else if (opt !== "none" && opt !== "") return `unknown lint option: "${opt}"`;
  }
  return lint;
}

async function checkRules(files: string[], lint: RulesLint): Promise<number> {
  const results: RulesCheck[] = [];
  if (files.length === 0) {
    out("Checking standard input");
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    results.push(checkRulesText("standard input", Buffer.concat(chunks).toString("utf8"), lint));
  }
  for (const f of files) {
    out(`Checking ${f}`);
    results.push(checkRulesText(f, readText(f), lint));
  }
  if (results.some((r) => r.hasErrors)) return 1;
  if (results.some((r) => r.failed) && lint.fatal) return 3;
  return 0;
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
      if (checkRulesText(rf, readText(rf), { duplicates: true, fatal: false, ignoreUnknownFields: false }).hasErrors) failed = true;
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

/** The KV key a rule file is pushed to: what rule_files in the prometheus.yml it
 * belongs to would say. That is its path relative to the nearest directory, from its
 * own up to the current one, that holds a prometheus.yml (rule_files are relative to
 * the configuration file, and KV keys to the namespace root where prometheus.yml is);
 * without one, relative to the current directory, or its name when it lies outside. */
function ruleFileKey(file: string): string {
  const cwd = process.cwd();
  const abs = resolve(file);
  const rel = relative(cwd, abs);
  const inside = !rel.startsWith("..") && !isAbsolute(rel);
  if (inside) {
    for (let dir = dirname(abs); ; dir = dirname(dir)) {
      if (existsSync(join(dir, "prometheus.yml"))) return fileKey(relative(dir, abs));
      if (dir === cwd || dir === dirname(dir)) break;
    }
  }
  return fileKey(inside ? rel : basename(file));
}

/** Whether a rule_files entry (a path or a glob on its last element) names `key`. */
function ruleFilesMatch(patterns: readonly string[], key: string): boolean {
  return patterns.some((p) => {
    const pat = fileKey(p);
    if (!hasGlob(pat)) return pat === key;
    const re = new RegExp(`^${pat.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
    return re.test(key);
  });
}

async function pushRules(file: string, region: string | undefined, target: Target): Promise<number> {
  out(`Checking ${file}`);
  const check = checkRulesText(file, readText(file), { duplicates: true, fatal: false, ignoreUnknownFields: false });
  if (check.hasErrors) {
    err(`refusing to push ${file}: it is not a valid rule file`);
    return 1;
  }
  const key = ruleFileKey(file);
  const warnUnreferenced = async (kv: KVReader) => {
    if (region === undefined) return;
    try {
      const loaded = await loadConfigFromKV(kv, region);
      if (!ruleFilesMatch(loaded.config.ruleFiles, key)) {
        out(`  WARNING: rule_files of ${loaded.key} do not name "${key}"; add it there for region ${region} to load it`);
      }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      out(`  WARNING: ${e.message}`);
    }
  };
  return putFile(file, key, target, warnUnreferenced);
}

/** Stores a file's text under `key` in the local KV of `npm start` or a deployed
 * namespace, then lets `after` read the namespace (warnings). */
async function putFile(file: string, key: string, target: Target, after: (kv: KVReader) => Promise<void> = async () => {}): Promise<number> {
  if (target.mode === "local") {
    await withLocalKV(target.dataDir, async (kv) => {
      await kv.put(key, readFileSync(file, "utf8"));
      await after(kv);
    });
  } else {
    const r = runWrangler(["kv", "key", "put", "--binding", CONFIG_BINDING, "--env", target.env!, "--remote", key, "--path", file], false);
    if (r.status !== 0) {
      err(`wrangler could not write ${key}`);
      return 1;
    }
    await after(wranglerKV(target.env!));
  }
  const where = target.mode === "local" ? `local KV (${join(target.dataDir, "kv")})` : `environment ${target.env}`;
  out(`pushed ${file} -> ${key} in ${where}`);
  return 0;
}

/** Validates alertmanager.yml as Alertmanager 0.25 does and stores it where the tiers'
 * Alertmanager reads it: alertmanager.yml, or regions/R/alertmanager.yml. */
async function pushAlertmanager(file: string, region: string | undefined, target: Target): Promise<number> {
  out(`Checking ${file}`);
  const text = readText(file);
  if (text instanceof Error) {
    err(`refusing to push ${file}: ${text.message}`);
    return 1;
  }
  try {
    parseAmConfig(text);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(`refusing to push ${file}: ${e.message}`);
    return 1;
  }
  return putFile(file, region === undefined ? "alertmanager.yml" : `regions/${region}/alertmanager.yml`, target);
}

/** Reads of a deployed namespace, through wrangler. */
function wranglerKV(env: string): KVReader {
  return {
    async get(key) {
      const r = runWrangler(["kv", "key", "get", "--binding", CONFIG_BINDING, "--env", env, "--remote", "--text", key], true);
      if (r.status !== 0 || /Value not found/i.test(r.stdout)) return null;
      return r.stdout;
    },
  };
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
      await print(wranglerKV(target.env!));
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(e.message);
    return 1;
  }
  return 0;
}

/** `region add`: writes the region's environment into wrangler.toml. */
function regionAdd(rest: string[], location: string | undefined, shards: string, configPath: string | undefined): number {
  if (rest.length !== 1) throw new UsageError("region add: give exactly one NAME");
  if (location === undefined) throw new UsageError("region add: --location HINT is required (where Cloudflare places the region's Durable Objects)");
  const file = configPath ?? join(ROOT, "wrangler.toml");
  const text = readText(file);
  if (text instanceof Error) {
    err(`edgeprom: region add: ${text.message}`);
    return 1;
  }
  const change = upsertRegion(text, { name: rest[0]!, location, shards: /^\d+$/.test(shards) ? Number(shards) : NaN });
  if (change.kind === "error") {
    err(`edgeprom: region add: ${change.message}`);
    return 2;
  }
  if (change.kind !== "unchanged") writeFileSync(file, change.text);
  const shown = relative(process.cwd(), file) || file;
  out(`${change.kind === "unchanged" ? "unchanged" : change.kind}: [env.${change.env}] in ${shown}`);
  for (const w of change.warnings) out(`  WARNING: ${w}`);
  out(`next: infra/deploy.sh ${change.env} --dry-run (bundle only), infra/deploy.sh ${change.env} (deploy),`);
  out(`      npx edgeprom config push examples/prometheus.yml --region ${rest[0]} --env ${change.env}`);
  return 0;
}

/** Arguments that are not what a command takes: its usage, exit 2. */
class UsageError extends Error {}

function helpFor(words: string[]): string | undefined {
  const name = words.slice(0, 2).join(" ");
  if (name in COMMANDS) return commandUsage(name as CommandName);
  const group = Object.keys(COMMANDS).filter((c) => c.split(" ")[0] === words[0]);
  if (words.length === 1 && group.length > 0) return group.map((c) => commandUsage(c as CommandName)).join("\n");
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        region: { type: "string" },
        local: { type: "boolean", default: false },
        env: { type: "string" },
        data: { type: "string" },
        raw: { type: "boolean", default: false },
        lint: { type: "string" },
        "lint-fatal": { type: "boolean", default: false },
        "ignore-unknown-fields": { type: "boolean", default: false },
        location: { type: "string" },
        shards: { type: "string", default: "1" },
        config: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    // parseArgs names the option; its advice about "--" does not apply here.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const { values, positionals } = parsed;
  const [cmd, sub, ...rest] = positionals;
  if (cmd === "help" || (values.help && cmd !== undefined)) {
    const words = cmd === "help" ? positionals.slice(1) : positionals;
    const text = words.length === 0 ? USAGE : helpFor(words);
    if (text === undefined) throw new UsageError(`no command "${words.join(" ")}"`);
    process.stdout.write(text);
    return 0;
  }
  if (values.help || cmd === undefined) {
    (values.help ? process.stdout : process.stderr).write(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.local && values.env !== undefined) throw new UsageError("give either --local or --env ENV, not both");
  // The state of `npm start`, which npm runs in the repository whatever the current directory.
  const dataDir = values.data ?? resolve(ROOT, process.env.EDGEPROM_DATA ?? ".edgeprom");
  const target: Target = values.env !== undefined ? { mode: "env", env: values.env, dataDir } : { mode: "local", dataDir };
  try {
    if (cmd === "check" && sub === "config") return checkConfig(rest);
    if (cmd === "check" && sub === "rules") {
      const lint = parseLint(values.lint);
      if (typeof lint === "string") throw new UsageError(lint);
      return await checkRules(rest, { ...lint, fatal: values["lint-fatal"]!, ignoreUnknownFields: values["ignore-unknown-fields"]! });
    }
    if (cmd === "rules" && sub === "push") {
      if (rest.length !== 1) throw new UsageError("rules push: give exactly one FILE");
      return await pushRules(rest[0]!, values.region, target);
    }
    if (cmd === "alertmanager" && sub === "push") {
      if (rest.length !== 1) throw new UsageError("alertmanager push: give exactly one FILE");
      return await pushAlertmanager(rest[0]!, values.region, target);
    }
    if (cmd === "config" && sub === "push") {
      if (rest.length !== 1) throw new UsageError("config push: give exactly one FILE");
      return await push(rest[0]!, values.region, target);
    }
    if (cmd === "config" && sub === "show") return await show(values.region, target, values.raw!);
    if (cmd === "region" && sub === "add") return regionAdd(rest, values.location, values.shards!, values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  throw new UsageError(`unknown command "${positionals.join(" ")}"`);
}

/** The command a usage error is about, for pointing at its help. */
function helpHint(argv: string[]): string {
  const words = argv.filter((a) => !a.startsWith("-")).slice(0, 2);
  const name = words.join(" ");
  return name in COMMANDS ? `npx edgeprom ${name} --help` : "npx edgeprom --help";
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    err(`edgeprom: ${e.message}\nRun \`${helpHint(process.argv.slice(2))}\` for usage.`);
    process.exitCode = 2;
  } else {
    // Not a bad argument: a bug or the environment. The message, and the stack on request.
    err(`edgeprom: ${(e as Error).message ?? String(e)}${process.env.EDGEPROM_DEBUG ? `\n${(e as Error).stack}` : "\n(EDGEPROM_DEBUG=1 shows where)"}`);
    process.exitCode = 1;
  }
}
