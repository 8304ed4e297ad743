// alertmanager.yml text -> AmConfig: YAML, the section schemas, then Alertmanager
// 0.25's cross-section checks (Config.UnmarshalYAML) and global defaults.
import type { z } from "zod";
import { ConfigError, describeIssue, type ConfigIssue } from "../config/errors.js";
import type { HTTPClientConfig } from "../config/types.js";
import { parseYamlTree, type YamlTree } from "../config/yaml_tree.js";
import { combineMatchers } from "./am_config_schema.js";
import { amConfigFileSchema, type RawAmConfig, type RawInhibitRule, type RawReceiver, type RawRoute } from "./am_config_schema.js";
import type { AmMatcher } from "./am_matcher.js";
import { ROUTE_DEFAULTS, routeKey, type Route, type RouteOpts } from "./route.js";
import type { TimeInterval } from "./time_interval.js";

export interface AmGlobal {
  resolveTimeoutMs: number;
  httpConfig: HTTPClientConfig | undefined;
  slackApiUrl?: string;
  pagerdutyUrl: string;
  opsgenieApiUrl: string;
  opsgenieApiKey?: string;
  telegramApiUrl: string;
}

type Configs<K extends keyof RawReceiver> = NonNullable<RawReceiver[K]>;

/** A receiver with the global defaults filled in (URLs, keys, http_config). */
export interface AmReceiver {
  name: string;
  webhook: Configs<"webhook_configs">;
  slack: Configs<"slack_configs">;
  pagerduty: Configs<"pagerduty_configs">;
  opsgenie: Configs<"opsgenie_configs">;
  discord: Configs<"discord_configs">;
  telegram: Configs<"telegram_configs">;
  msteams: Configs<"msteams_configs">;
  msteamsv2: Configs<"msteamsv2_configs">;
  /** Integrations 0.25 knows that edgeprom cannot send from a Worker. */
  unsupported: string[];
}

export interface InhibitRule {
  source: AmMatcher[];
  target: AmMatcher[];
  equal: string[];
}

export interface AmConfig {
  global: AmGlobal;
  route: Route;
  receivers: AmReceiver[];
  inhibitRules: InhibitRule[];
  timeIntervals: Map<string, TimeInterval[]>;
  templates: string[];
}

export const DEFAULT_GLOBAL: AmGlobal = {
  resolveTimeoutMs: 300_000,
  httpConfig: undefined,
  pagerdutyUrl: "https://events.pagerduty.com/v2/enqueue",
  opsgenieApiUrl: "https://api.opsgenie.com/",
  telegramApiUrl: "https://api.telegram.org",
};

function isValueIssue(i: z.core.$ZodIssue): boolean {
  return i.code === "custom" && (i.params as { kind?: string } | undefined)?.kind === "value";
}

function issueAt(tree: YamlTree, message: string, path: (string | number)[]): ConfigIssue {
  const line = tree.lineOf(path);
  return line === undefined ? { message, path } : { message, path, line };
}

/** Parses and validates alertmanager.yml as Alertmanager 0.25 (`amtool check-config`)
 * does; throws ConfigError with its wording. */
export function parseAmConfig(text: string): AmConfig {
  const tree = parseYamlTree(text);
  const result = amConfigFileSchema.safeParse(tree.root ?? {});
  const typeIssues: ConfigIssue[] = tree.duplicates.map((d) => ({ message: `key "${d.key}" already set in map`, path: d.path, ...(d.line === undefined ? {} : { line: d.line }) }));
  if (!result.success) {
    const values: ConfigIssue[] = [];
    for (const i of result.error.issues) {
      const path = i.path.filter((p): p is string | number => typeof p !== "symbol");
      (isValueIssue(i) ? values : typeIssues).push(issueAt(tree, i.message, path));
    }
    if (typeIssues.length === 0 && values.length > 0) throw new ConfigError(describeIssue(values[0]!), [values[0]!]);
  }
  if (typeIssues.length > 0) {
    const lines = typeIssues.map((i) => `  ${i.line !== undefined ? `line ${i.line}: ` : ""}${i.message}`);
    throw new ConfigError(`yaml: unmarshal errors:\n${lines.join("\n")}`, typeIssues);
  }
  if (!result.success) throw new ConfigError("invalid configuration");
  return resolve(result.data);
}

function fail(message: string): never {
  throw new ConfigError(message);
}

function resolveGlobal(raw: RawAmConfig["global"]): AmGlobal {
  const g = raw ?? {};
  if (g.slack_api_url !== undefined && (g.slack_api_url_file ?? "") !== "") fail("at most one of slack_api_url & slack_api_url_file must be configured");
  if ((g.opsgenie_api_key ?? "") !== "" && (g.opsgenie_api_key_file ?? "") !== "") fail("at most one of opsgenie_api_key & opsgenie_api_key_file must be configured");
  const out: AmGlobal = {
    resolveTimeoutMs: g.resolve_timeout ?? DEFAULT_GLOBAL.resolveTimeoutMs,
    httpConfig: g.http_config,
    pagerdutyUrl: g.pagerduty_url ?? DEFAULT_GLOBAL.pagerdutyUrl,
    opsgenieApiUrl: g.opsgenie_api_url ?? DEFAULT_GLOBAL.opsgenieApiUrl,
    telegramApiUrl: g.telegram_api_url ?? DEFAULT_GLOBAL.telegramApiUrl,
  };
  if (g.slack_api_url !== undefined) out.slackApiUrl = g.slack_api_url;
  else if ((g.slack_api_url_file ?? "") !== "") out.slackApiUrl = "";
  if ((g.opsgenie_api_key ?? "") !== "") out.opsgenieApiKey = g.opsgenie_api_key!;
  else if ((g.opsgenie_api_key_file ?? "") !== "") out.opsgenieApiKey = "";
  return out;
}

function resolveReceiver(r: RawReceiver, g: AmGlobal): AmReceiver {
  const withHttp = <T extends { http_config?: HTTPClientConfig | undefined }>(cs: T[] | undefined): T[] =>
    (cs ?? []).map((c) => (c.http_config === undefined && g.httpConfig !== undefined ? { ...c, http_config: g.httpConfig } : c));
  const slack = withHttp(r.slack_configs).map((c) => {
    if (c.api_url !== undefined || (c.api_url_file ?? "") !== "") return c;
    if (g.slackApiUrl === undefined) fail("no global Slack API URL set either inline or in a file");
    return { ...c, api_url: g.slackApiUrl };
  });
  const opsgenie = withHttp(r.opsgenie_configs).map((c) => {
    let apiUrl = c.api_url ?? g.opsgenieApiUrl;
    if (!new URL(apiUrl).pathname.endsWith("/")) apiUrl += "/";
    if ((c.api_key ?? "") === "" && (c.api_key_file ?? "") === "") {
      if (g.opsgenieApiKey === undefined) fail("no global OpsGenie API Key set either inline or in a file");
      return { ...c, api_url: apiUrl, api_key: g.opsgenieApiKey };
    }
    return { ...c, api_url: apiUrl };
  });
  const unsupported: string[] = [];
  for (const k of ["email_configs", "pushover_configs", "victorops_configs", "wechat_configs", "sns_configs", "webex_configs"] as const) {
    if ((r[k]?.length ?? 0) > 0) unsupported.push(k);
  }
  return {
    name: r.name!,
    webhook: withHttp(r.webhook_configs),
    slack,
    pagerduty: withHttp(r.pagerduty_configs).map((c) => ({ ...c, url: c.url ?? g.pagerdutyUrl })),
    opsgenie,
    discord: withHttp(r.discord_configs),
    telegram: withHttp(r.telegram_configs).map((c) => ({ ...c, api_url: c.api_url ?? g.telegramApiUrl })),
    msteams: withHttp(r.msteams_configs),
    msteamsv2: withHttp(r.msteamsv2_configs),
    unsupported,
  };
}

function buildRoute(raw: RawRoute, parent: Route | undefined): Route {
  const p: RouteOpts = parent?.opts ?? {
    receiver: "",
    groupBy: [],
    groupWaitMs: ROUTE_DEFAULTS.groupWaitMs,
    groupIntervalMs: ROUTE_DEFAULTS.groupIntervalMs,
    repeatIntervalMs: ROUTE_DEFAULTS.repeatIntervalMs,
    muteTimeIntervals: [],
    activeTimeIntervals: [],
  };
  const groupBy = raw.group_by === undefined ? p.groupBy : raw.group_by.includes("...") ? null : [...raw.group_by].sort();
  const opts: RouteOpts = {
    receiver: raw.receiver !== undefined && raw.receiver !== "" ? raw.receiver : p.receiver,
    groupBy,
    groupWaitMs: raw.group_wait ?? p.groupWaitMs,
    groupIntervalMs: raw.group_interval ?? p.groupIntervalMs,
    repeatIntervalMs: raw.repeat_interval ?? p.repeatIntervalMs,
    // Time intervals belong to the route that names them; children do not inherit them.
    muteTimeIntervals: raw.mute_time_intervals ?? [],
    activeTimeIntervals: raw.active_time_intervals ?? [],
  };
  const matchers = combineMatchers(raw.match, raw.match_re, raw.matchers);
  const route: Route = { matchers, continue: raw.continue ?? false, opts, routes: [], key: routeKey(parent?.key, matchers) };
  route.routes = (raw.routes ?? []).map((c) => buildRoute(c, route));
  return route;
}

function checkReceivers(r: RawRoute, names: Set<string>): void {
  if (r.receiver !== undefined && r.receiver !== "" && !names.has(r.receiver)) fail(`undefined receiver "${r.receiver}" used in route`);
  for (const c of r.routes ?? []) checkReceivers(c, names);
}

function checkTimeIntervals(r: RawRoute, names: Set<string>): void {
  for (const n of [...(r.mute_time_intervals ?? []), ...(r.active_time_intervals ?? [])]) {
    if (!names.has(n)) fail(`undefined time interval "${n}" used in route`);
  }
  for (const c of r.routes ?? []) checkTimeIntervals(c, names);
}

function inhibitRule(r: RawInhibitRule): InhibitRule {
  return {
    source: combineMatchers(r.source_match, r.source_match_re, r.source_matchers),
    target: combineMatchers(r.target_match, r.target_match_re, r.target_matchers),
    equal: r.equal ?? [],
  };
}

function resolve(raw: RawAmConfig): AmConfig {
  const global = resolveGlobal(raw.global);
  const names = new Set<string>();
  const receivers: AmReceiver[] = [];
  for (const r of raw.receivers ?? []) {
    if (names.has(r.name!)) fail(`notification config name "${r.name}" is not unique`);
    receivers.push(resolveReceiver(r, global));
    names.add(r.name!);
  }
  const root = raw.route;
  if (root === undefined) fail("no routes provided");
  if ((root.receiver ?? "") === "") fail("root route must specify a default receiver");
  if (Object.keys(root.match ?? {}).length > 0 || Object.keys(root.match_re ?? {}).length > 0 || (root.matchers?.length ?? 0) > 0) {
    fail("root route must not have any matchers");
  }
  if (root.continue === true) fail("cannot have continue in root route");
  if ((root.mute_time_intervals?.length ?? 0) > 0) fail("root route must not have any mute time intervals");
  if ((root.active_time_intervals?.length ?? 0) > 0) fail("root route must not have any active time intervals");
  checkReceivers(root, names);

  const timeIntervals = new Map<string, TimeInterval[]>();
  for (const mt of raw.mute_time_intervals ?? []) {
    if (timeIntervals.has(mt.name ?? "")) fail(`mute time interval "${mt.name}" is not unique`);
    timeIntervals.set(mt.name ?? "", mt.time_intervals ?? []);
  }
  for (const ti of raw.time_intervals ?? []) {
    if (timeIntervals.has(ti.name ?? "")) fail(`time interval "${ti.name}" is not unique`);
    timeIntervals.set(ti.name ?? "", ti.time_intervals ?? []);
  }
  checkTimeIntervals(root, new Set(timeIntervals.keys()));

  return {
    global,
    route: buildRoute(root, undefined),
    receivers,
    inhibitRules: (raw.inhibit_rules ?? []).map(inhibitRule),
    timeIntervals,
    templates: raw.templates ?? [],
  };
}
