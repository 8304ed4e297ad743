// prometheus.yml text -> Config: YAML parsing, schema checks, then the rules that
// span sections (global defaults flowing into scrape configs, unique job names).
import type { z } from "zod";
import { ConfigError, describeIssue, type ConfigIssue } from "./errors.js";
import { findIgnoredFields } from "./ignored.js";
import { configFileSchema, defaultGlobal } from "./schema.js";
import type { Config, GlobalConfig, ScrapeConfig } from "./types.js";
import { parseYamlTree, type YamlTree } from "./yaml_tree.js";

export interface ParseOptions {
  /** The region whose configuration this is; named in error messages. */
  region?: string;
}

const RULE_PATH = /^[^*]*(\*[^/]*)?$/;

function isValueIssue(i: z.core.$ZodIssue): boolean {
  return i.code === "custom" && (i.params as { kind?: string } | undefined)?.kind === "value";
}

function byLine(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

function fail(issue: ConfigIssue, opts: ParseOptions): never {
  throw new ConfigError(withRegion(describeIssue(issue), opts), [issue]);
}

function withRegion(message: string, opts: ParseOptions): string {
  return opts.region === undefined ? message : `region "${opts.region}": ${message}`;
}

function issueAt(tree: YamlTree, message: string, path: (string | number)[]): ConfigIssue {
  const line = tree.lineOf(path);
  return line === undefined ? { message, path } : { message, path, line };
}

/** Applies global defaults to one scrape config, as Prometheus' ScrapeConfig.Validate. */
export function applyGlobalDefaults(sc: ScrapeConfig, g: GlobalConfig): string | undefined {
  if (sc.scrapeInterval === 0) sc.scrapeInterval = g.scrapeInterval;
  if (sc.scrapeTimeout > sc.scrapeInterval) {
    return `scrape timeout greater than scrape interval for scrape config with job name "${sc.jobName}"`;
  }
  if (sc.scrapeTimeout === 0) sc.scrapeTimeout = Math.min(g.scrapeTimeout, sc.scrapeInterval);
  if (sc.bodySizeLimit === 0) sc.bodySizeLimit = g.bodySizeLimit;
  if (sc.sampleLimit === 0) sc.sampleLimit = g.sampleLimit;
  if (sc.targetLimit === 0) sc.targetLimit = g.targetLimit;
  if (sc.labelLimit === 0) sc.labelLimit = g.labelLimit;
  if (sc.labelNameLengthLimit === 0) sc.labelNameLengthLimit = g.labelNameLengthLimit;
  if (sc.labelValueLengthLimit === 0) sc.labelValueLengthLimit = g.labelValueLengthLimit;
  if (sc.keepDroppedTargets === 0) sc.keepDroppedTargets = g.keepDroppedTargets;
  if (sc.scrapeProtocols === undefined && g.scrapeProtocols !== undefined) sc.scrapeProtocols = g.scrapeProtocols;
  if (sc.scrapeNativeHistograms === undefined && g.scrapeNativeHistograms !== undefined) sc.scrapeNativeHistograms = g.scrapeNativeHistograms;
  if (sc.alwaysScrapeClassicHistograms === undefined && g.alwaysScrapeClassicHistograms !== undefined) sc.alwaysScrapeClassicHistograms = g.alwaysScrapeClassicHistograms;
  return undefined;
}

/** Parses and validates a prometheus.yml. Throws {@link ConfigError} with
 * Prometheus' wording plus the field path and line of the problem. */
export function parseConfig(yamlText: string, opts: ParseOptions = {}): Config {
  let tree: YamlTree;
  try {
    tree = parseYamlTree(yamlText);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(withRegion(e.message, opts), e.issues);
    throw e;
  }
  const result = configFileSchema.safeParse(tree.root ?? {});
  const typeIssues: ConfigIssue[] = tree.duplicates.map((d) =>
    d.line === undefined ? { message: `key "${d.key}" already set in map`, path: d.path } : { message: `key "${d.key}" already set in map`, path: d.path, line: d.line },
  );
  if (!result.success) {
    const valueIssues: ConfigIssue[] = [];
    for (const i of result.error.issues) {
      const path = i.path.filter((p): p is string | number => typeof p !== "symbol");
      (isValueIssue(i) ? valueIssues : typeIssues).push(issueAt(tree, i.message, path));
    }
    valueIssues.sort(byLine);
    if (valueIssues.length > 0) fail(valueIssues[0]!, opts);
  }
  if (typeIssues.length > 0) {
    typeIssues.sort(byLine);
    const lines = typeIssues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ""}${i.message}${i.path.length > 0 ? ` (at ${describePath(i)})` : ""}`);
    throw new ConfigError(withRegion(`yaml: unmarshal errors:\n${lines.join("\n")}`, opts), typeIssues);
  }
  if (!result.success) throw new ConfigError(withRegion("invalid configuration", opts));
  const file = result.data;

  const global = file.global ?? defaultGlobal();
  const ruleFiles = file.rule_files ?? [];
  ruleFiles.forEach((rf, i) => {
    if (!RULE_PATH.test(rf)) fail(issueAt(tree, `invalid rule file path "${rf}"`, ["rule_files", i]), opts);
  });

  const scrapeConfigs = file.scrape_configs ?? [];
  const jobs = new Set<string>();
  scrapeConfigs.forEach((sc, i) => {
    const err = applyGlobalDefaults(sc, global);
    if (err !== undefined) fail(issueAt(tree, err, ["scrape_configs", i, "scrape_timeout"]), opts);
    if (jobs.has(sc.jobName)) fail(issueAt(tree, `found multiple scrape configs with job name "${sc.jobName}"`, ["scrape_configs", i, "job_name"]), opts);
    jobs.add(sc.jobName);
  });

  const remoteWrite = file.remote_write ?? [];
  const rwNames = new Set<string>();
  remoteWrite.forEach((rw, i) => {
    if (rw.name === undefined) return;
    if (rwNames.has(rw.name)) fail(issueAt(tree, `found multiple remote write configs with job name "${rw.name}"`, ["remote_write", i, "name"]), opts);
    rwNames.add(rw.name);
  });
  const remoteRead = file.remote_read ?? [];
  const rrNames = new Set<string>();
  remoteRead.forEach((rr, i) => {
    if (rr.name === undefined) return;
    if (rrNames.has(rr.name)) fail(issueAt(tree, `found multiple remote read configs with job name "${rr.name}"`, ["remote_read", i, "name"]), opts);
    rrNames.add(rr.name);
  });

  const config: Config = {
    global,
    alerting: file.alerting ?? { alertRelabelConfigs: [], alertmanagers: [] },
    ruleFiles,
    scrapeConfigs,
    remoteWrite,
    remoteRead,
    storage: file.storage ?? {},
    ignored: findIgnoredFields(tree.root),
  };
  if (file.tracing !== undefined) config.tracing = file.tracing;
  return config;
}

function describePath(i: ConfigIssue): string {
  return describeIssue({ message: "", path: i.path }).replace(/^ \(at (.*)\)$/, "$1");
}
