// zod schemas for alertmanager.yml as Alertmanager 0.25 reads it: go-yaml's strict
// unmarshalling (unknown fields are errors) and the checks each section's UnmarshalYAML
// makes. Checks that span sections (receivers named by routes, global defaults) are in
// am_config_load.ts.
import { z } from "zod";
import { httpClientShape, resolveHttpClient } from "../config/http_client.js";
import { isValidLabelName } from "../config/names.js";
import { bool, duration, int, list, obj, str, strMap, typeMismatch, uint, valueIssue } from "../config/scalars.js";
import { isYamlMap, YamlScalar } from "../config/yaml_tree.js";
import { AmRegexError, amMatcher, amRegex, sortMatchers, type AmMatcher } from "./am_matcher.js";
import { MatcherParseError, parseMatchers } from "./matcher_parse.js";
import {
  checkLocation,
  parseDayOfMonthRange,
  parseMonthRange,
  parseTimeRange,
  parseWeekdayRange,
  parseYearRange,
  TimeIntervalError,
  type TimeInterval,
} from "./time_interval.js";

/** config.URL / SecretURL: http or https with a host. */
export function checkAmURL(s: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  const scheme = m?.[1]?.toLowerCase() ?? "";
  if (scheme !== "http" && scheme !== "https") return `unsupported scheme "${scheme}" for URL`;
  // Go's url.Parse: the host is what follows "//" up to the path; none means no host.
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(s)?.[1] ?? "";
  if (authority.replace(/^[^@]*@/, "") === "") return "missing host for URL";
  try {
    new URL(s);
  } catch {
    return `parse "${s}": invalid URL`;
  }
  return undefined;
}

export const url = () =>
  str("config.URL").transform((s, ctx) => {
    const err = checkAmURL(s);
    if (err !== undefined) {
      valueIssue(ctx, err);
      return z.NEVER;
    }
    return s;
  });

const labelNameKeyed = <T extends z.ZodType>(value: T, goType: string) =>
  z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, goType) })
    .pipe(z.record(z.string(), value))
    .transform((m, ctx) => {
      for (const k of Object.keys(m)) {
        if (!isValidLabelName(k)) {
          valueIssue(ctx, `invalid label name "${k}"`, [k]);
          return z.NEVER;
        }
      }
      return m as Record<string, z.output<T>>;
    });

const regexValue = () =>
  str("config.Regexp").transform((s, ctx) => {
    try {
      amRegex(s);
    } catch (e) {
      if (!(e instanceof AmRegexError)) throw e;
      valueIssue(ctx, e.message);
      return z.NEVER;
    }
    return s;
  });

/** `matchers:` — a list of strings in the matcher syntax, each possibly several. */
const matcherList = () =>
  list(str(), "config.Matchers").transform((lines, ctx) => {
    const out: AmMatcher[] = [];
    for (const line of lines) {
      try {
        out.push(...parseMatchers(line));
      } catch (e) {
        if (!(e instanceof MatcherParseError) && !(e instanceof AmRegexError)) throw e;
        valueIssue(ctx, e.message);
        return z.NEVER;
      }
    }
    return sortMatchers(out);
  });

const labelNames = () =>
  list(
    str("model.LabelName").transform((s, ctx) => {
      if (!isValidLabelName(s)) {
        valueIssue(ctx, `"${s}" is not a valid label name`);
        return z.NEVER;
      }
      return s;
    }),
    "model.LabelNames",
  );

/** match + match_re + matchers as one sorted list, the way routes and inhibit rules use them. */
export function combineMatchers(match: Record<string, string> | undefined, matchRe: Record<string, string> | undefined, ms: AmMatcher[] | undefined): AmMatcher[] {
  const out: AmMatcher[] = [];
  for (const [k, v] of Object.entries(match ?? {})) out.push(amMatcher("=", k, v));
  for (const [k, v] of Object.entries(matchRe ?? {})) out.push(amMatcher("=~", k, v));
  out.push(...(ms ?? []));
  return sortMatchers(out);
}

// ---- http_config --------------------------------------------------------------

export const httpConfigSchema = obj("config.HTTPClientConfig", httpClientShape).transform((raw, ctx) => {
  const r = resolveHttpClient(raw);
  if (typeof r === "string") {
    valueIssue(ctx, r);
    return z.NEVER;
  }
  return r;
});

// ---- global --------------------------------------------------------------------

export const globalSchema = obj("config.GlobalConfig", {
  resolve_timeout: duration().optional(),
  http_config: httpConfigSchema.optional(),
  smtp_from: str().optional(),
  smtp_hello: str().optional(),
  smtp_smarthost: str().optional(),
  smtp_auth_username: str().optional(),
  smtp_auth_password: str().optional(),
  smtp_auth_password_file: str().optional(),
  smtp_auth_secret: str().optional(),
  smtp_auth_identity: str().optional(),
  smtp_require_tls: bool().optional(),
  slack_api_url: url().optional(),
  slack_api_url_file: str().optional(),
  pagerduty_url: url().optional(),
  opsgenie_api_url: url().optional(),
  opsgenie_api_key: str().optional(),
  opsgenie_api_key_file: str().optional(),
  wechat_api_url: url().optional(),
  wechat_api_secret: str().optional(),
  wechat_api_corp_id: str().optional(),
  victorops_api_url: url().optional(),
  victorops_api_key: str().optional(),
  victorops_api_key_file: str().optional(),
  telegram_api_url: url().optional(),
  webex_api_url: url().optional(),
});

// ---- route ---------------------------------------------------------------------

export interface RawRoute {
  receiver?: string;
  group_by?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  matchers?: AmMatcher[];
  continue?: boolean;
  routes?: RawRoute[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
}

export const routeSchema: z.ZodType<RawRoute> = z.lazy(() =>
  obj("config.Route", {
    receiver: str().optional(),
    group_by: list(str(), "[]string").optional(),
    match: labelNameKeyed(str(), "map[string]string").optional(),
    match_re: labelNameKeyed(regexValue(), "config.MatchRegexps").optional(),
    matchers: matcherList().optional(),
    continue: bool().optional(),
    routes: list(routeSchema, "[]*config.Route").optional(),
    group_wait: duration().optional(),
    group_interval: duration().optional(),
    repeat_interval: duration().optional(),
    mute_time_intervals: list(str(), "[]string").optional(),
    active_time_intervals: list(str(), "[]string").optional(),
  }).superRefine((r, ctx) => {
    const groupBy = r.group_by ?? [];
    let all = false;
    const names: string[] = [];
    for (const l of groupBy) {
      if (l === "...") all = true;
      else if (!isValidLabelName(l)) return valueIssue(ctx, `invalid label name "${l}" in group_by list`, ["group_by"]);
      else names.push(l);
    }
    if (all && names.length > 0) return valueIssue(ctx, "cannot have wildcard group_by (`...`) and other other labels at the same time", ["group_by"]);
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) return valueIssue(ctx, `duplicated label "${n}" in group_by`, ["group_by"]);
      seen.add(n);
    }
    if (r.group_interval === 0) return valueIssue(ctx, "group_interval cannot be zero", ["group_interval"]);
    if (r.repeat_interval === 0) return valueIssue(ctx, "repeat_interval cannot be zero", ["repeat_interval"]);
  }),
) as z.ZodType<RawRoute>;

// ---- inhibit_rules -------------------------------------------------------------

export const inhibitRuleSchema = obj("config.InhibitRule", {
  source_match: labelNameKeyed(str(), "map[string]string").optional(),
  source_match_re: labelNameKeyed(regexValue(), "config.MatchRegexps").optional(),
  source_matchers: matcherList().optional(),
  target_match: labelNameKeyed(str(), "map[string]string").optional(),
  target_match_re: labelNameKeyed(regexValue(), "config.MatchRegexps").optional(),
  target_matchers: matcherList().optional(),
  equal: labelNames().optional(),
});

// ---- time intervals ------------------------------------------------------------

function parsed<T>(fn: () => T, ctx: z.core.$RefinementCtx<unknown>): T | typeof z.NEVER {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof TimeIntervalError)) throw e;
    valueIssue(ctx, e.message);
    return z.NEVER;
  }
}

const rangeList = (goType: string, parse: (s: string) => { begin: number; end: number }) =>
  list(
    str().transform((s, ctx) => parsed(() => parse(s), ctx)),
    goType,
  );

const timeIntervalSchema = obj("timeinterval.TimeInterval", {
  times: list(
    obj("timeinterval.TimeRange", { start_time: str().optional(), end_time: str().optional() }).transform((t, ctx) =>
      parsed(() => parseTimeRange(t.start_time, t.end_time), ctx),
    ),
    "[]timeinterval.TimeRange",
  ).optional(),
  weekdays: rangeList("[]timeinterval.WeekdayRange", parseWeekdayRange).optional(),
  days_of_month: rangeList("[]timeinterval.DayOfMonthRange", parseDayOfMonthRange).optional(),
  months: rangeList("[]timeinterval.MonthRange", parseMonthRange).optional(),
  years: rangeList("[]timeinterval.YearRange", parseYearRange).optional(),
  location: str()
    .transform((s, ctx) => parsed(() => (checkLocation(s), s), ctx))
    .optional(),
}).transform((t): TimeInterval => {
  const out: TimeInterval = {};
  if (t.times !== undefined) out.times = t.times;
  if (t.weekdays !== undefined) out.weekdays = t.weekdays;
  if (t.days_of_month !== undefined) out.daysOfMonth = t.days_of_month;
  if (t.months !== undefined) out.months = t.months;
  if (t.years !== undefined) out.years = t.years;
  if (t.location !== undefined && t.location !== "") out.location = t.location;
  return out;
});

export const namedTimeIntervalSchema = obj("config.TimeInterval", {
  name: str().optional(),
  time_intervals: list(timeIntervalSchema, "[]timeinterval.TimeInterval").optional(),
});

// ---- receivers -------------------------------------------------------------------

const notifierShape = { send_resolved: bool().optional(), http_config: httpConfigSchema.optional() };

const webhookSchema = obj("config.WebhookConfig", {
  ...notifierShape,
  url: url().optional(),
  max_alerts: uint().optional(),
}).superRefine((c, ctx) => {
  if (c.url === undefined) valueIssue(ctx, "one of url or url_file must be configured");
});

const slackConfirm = obj("config.SlackConfirmationField", {
  text: str().optional(),
  title: str().optional(),
  ok_text: str().optional(),
  dismiss_text: str().optional(),
}).superRefine((c, ctx) => {
  if ((c.text ?? "") === "") valueIssue(ctx, "missing text in Slack confirmation configuration");
});

const slackAction = obj("config.SlackAction", {
  type: str().optional(),
  text: str().optional(),
  url: str().optional(),
  style: str().optional(),
  name: str().optional(),
  value: str().optional(),
  confirm: slackConfirm.optional(),
}).superRefine((a, ctx) => {
  if ((a.type ?? "") === "") return valueIssue(ctx, "missing type in Slack action configuration");
  if ((a.text ?? "") === "") return valueIssue(ctx, "missing text in Slack action configuration");
  if ((a.url ?? "") === "" && (a.name ?? "") === "") valueIssue(ctx, "missing name or url in Slack action configuration");
});

const slackField = obj("config.SlackField", { title: str().optional(), value: str().optional(), short: bool().optional() }).superRefine((f, ctx) => {
  if ((f.title ?? "") === "") return valueIssue(ctx, "missing title in Slack field configuration");
  if ((f.value ?? "") === "") valueIssue(ctx, "missing value in Slack field configuration");
});

const slackSchema = obj("config.SlackConfig", {
  ...notifierShape,
  api_url: url().optional(),
  api_url_file: str().optional(),
  channel: str().optional(),
  username: str().optional(),
  color: str().optional(),
  title: str().optional(),
  title_link: str().optional(),
  pretext: str().optional(),
  text: str().optional(),
  fields: list(slackField, "[]*config.SlackField").optional(),
  short_fields: bool().optional(),
  footer: str().optional(),
  fallback: str().optional(),
  callback_id: str().optional(),
  icon_emoji: str().optional(),
  icon_url: str().optional(),
  image_url: str().optional(),
  thumb_url: str().optional(),
  link_names: bool().optional(),
  mrkdwn_in: list(str(), "[]string").optional(),
  actions: list(slackAction, "[]*config.SlackAction").optional(),
}).superRefine((c, ctx) => {
  if (c.api_url !== undefined && (c.api_url_file ?? "") !== "") valueIssue(ctx, "at most one of api_url & api_url_file must be configured");
});

const pagerdutySchema = obj("config.PagerdutyConfig", {
  ...notifierShape,
  service_key: str().optional(),
  service_key_file: str().optional(),
  routing_key: str().optional(),
  routing_key_file: str().optional(),
  url: url().optional(),
  client: str().optional(),
  client_url: str().optional(),
  description: str().optional(),
  details: strMap("map[string]string").optional(),
  images: list(obj("config.PagerdutyImage", { src: str().optional(), alt: str().optional(), href: str().optional() }), "[]config.PagerdutyImage").optional(),
  links: list(obj("config.PagerdutyLink", { href: str().optional(), text: str().optional() }), "[]config.PagerdutyLink").optional(),
  source: str().optional(),
  severity: str().optional(),
  class: str().optional(),
  component: str().optional(),
  group: str().optional(),
}).superRefine((c, ctx) => {
  const has = (v: string | undefined) => (v ?? "") !== "";
  if (!has(c.routing_key) && !has(c.service_key) && !has(c.routing_key_file) && !has(c.service_key_file)) {
    return valueIssue(ctx, "missing service or routing key in PagerDuty config");
  }
  if (has(c.routing_key) && has(c.routing_key_file)) return valueIssue(ctx, "at most one of routing_key & routing_key_file must be configured");
  if (has(c.service_key) && has(c.service_key_file)) valueIssue(ctx, "at most one of service_key & service_key_file must be configured");
});

const OPSGENIE_TYPES = /^(team|teams|user|escalation|schedule)$/;

const opsgenieResponder = obj("config.OpsGenieConfigResponder", {
  id: str().optional(),
  name: str().optional(),
  username: str().optional(),
  type: str().optional(),
}).transform((r, ctx) => {
  if ((r.id ?? "") === "" && (r.username ?? "") === "" && (r.name ?? "") === "") {
    valueIssue(ctx, `opsGenieConfig responder has to have at least one of id, username or name specified`);
    return z.NEVER;
  }
  let type = r.type ?? "";
  if (!type.includes("{{")) {
    type = type.toLowerCase();
    if (!OPSGENIE_TYPES.test(type)) {
      valueIssue(ctx, `opsGenieConfig responder type does not match valid options ${OPSGENIE_TYPES.source}`);
      return z.NEVER;
    }
  }
  return { ...r, type };
});

const opsgenieSchema = obj("config.OpsGenieConfig", {
  ...notifierShape,
  api_key: str().optional(),
  api_key_file: str().optional(),
  api_url: url().optional(),
  message: str().optional(),
  description: str().optional(),
  source: str().optional(),
  details: strMap("map[string]string").optional(),
  entity: str().optional(),
  responders: list(opsgenieResponder, "[]config.OpsGenieConfigResponder").optional(),
  actions: str().optional(),
  tags: str().optional(),
  note: str().optional(),
  priority: str().optional(),
  update_alerts: bool().optional(),
}).superRefine((c, ctx) => {
  if ((c.api_key ?? "") !== "" && (c.api_key_file ?? "") !== "") valueIssue(ctx, "at most one of api_key & api_key_file must be configured");
});

const discordSchema = obj("config.DiscordConfig", {
  ...notifierShape,
  webhook_url: url().optional(),
  title: str().optional(),
  message: str().optional(),
}).superRefine((c, ctx) => {
  if (c.webhook_url === undefined) valueIssue(ctx, "no discord webhook URL provided");
});

// Alertmanager 0.26 added msteams_configs (Office 365 connector cards) and 0.28
// msteamsv2_configs (Power Automate workflows); 0.25 refuses both, but people moving to
// the edge use current Alertmanager files, so both are taken as the newer releases take
// them. A Worker has no files, so webhook_url_file is refused instead of failing later.
const teamsShape = {
  ...notifierShape,
  webhook_url: url().optional(),
  webhook_url_file: str().optional(),
  title: str().optional(),
  text: str().optional(),
};
const teamsRefine = (what: string) => (c: { webhook_url?: string | undefined; webhook_url_file?: string | undefined }, ctx: z.RefinementCtx) => {
  const file = (c.webhook_url_file ?? "") !== "";
  if (c.webhook_url === undefined && !file) return valueIssue(ctx, "one of webhook_url or webhook_url_file must be configured");
  if (c.webhook_url !== undefined && file) return valueIssue(ctx, "at most one of webhook_url & webhook_url_file must be configured");
  if (file) valueIssue(ctx, `${what}: webhook_url_file cannot be read by a Worker (it has no files); put the URL in webhook_url`);
};
const msteamsSchema = obj("config.MSTeamsConfig", { ...teamsShape, summary: str().optional() }).superRefine(teamsRefine("msteams_configs"));
const msteamsV2Schema = obj("config.MSTeamsV2Config", teamsShape).superRefine(teamsRefine("msteamsv2_configs"));

const chatId = () =>
  z.unknown().transform((v, ctx) => {
    if (v instanceof YamlScalar && v.kind === "int" && typeof v.value === "number") return v.value;
    ctx.addIssue({ code: "custom", message: typeMismatch(v, "int64") });
    return z.NEVER;
  });

const telegramSchema = obj("config.TelegramConfig", {
  ...notifierShape,
  api_url: url().optional(),
  bot_token: str().optional(),
  chat_id: chatId().optional(),
  message: str().optional(),
  disable_notifications: bool().optional(),
  parse_mode: str().optional(),
}).superRefine((c, ctx) => {
  if ((c.bot_token ?? "") === "") return valueIssue(ctx, "missing bot_token on telegram_config");
  if ((c.chat_id ?? 0) === 0) return valueIssue(ctx, "missing chat_id on telegram_config");
  const pm = c.parse_mode;
  if (pm !== undefined && pm !== "" && pm !== "Markdown" && pm !== "MarkdownV2" && pm !== "HTML") {
    valueIssue(ctx, "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string");
  }
});

/** Receivers Alertmanager 0.25 knows that cannot run from a Worker (SMTP, SNS
 * signing, ...): parsed loosely so the file is accepted, reported as unsupported. */
const unsupported = (goType: string) => list(z.unknown(), `[]*config.${goType}`);

export const receiverSchema = obj("config.Receiver", {
  name: str().optional(),
  webhook_configs: list(webhookSchema, "[]*config.WebhookConfig").optional(),
  slack_configs: list(slackSchema, "[]*config.SlackConfig").optional(),
  pagerduty_configs: list(pagerdutySchema, "[]*config.PagerdutyConfig").optional(),
  opsgenie_configs: list(opsgenieSchema, "[]*config.OpsGenieConfig").optional(),
  discord_configs: list(discordSchema, "[]*config.DiscordConfig").optional(),
  telegram_configs: list(telegramSchema, "[]*config.TelegramConfig").optional(),
  msteams_configs: list(msteamsSchema, "[]*config.MSTeamsConfig").optional(),
  msteamsv2_configs: list(msteamsV2Schema, "[]*config.MSTeamsV2Config").optional(),
  email_configs: unsupported("EmailConfig").optional(),
  pushover_configs: unsupported("PushoverConfig").optional(),
  victorops_configs: unsupported("VictorOpsConfig").optional(),
  wechat_configs: unsupported("WechatConfig").optional(),
  sns_configs: unsupported("SNSConfig").optional(),
  webex_configs: unsupported("WebexConfig").optional(),
}).superRefine((r, ctx) => {
  if ((r.name ?? "") === "") valueIssue(ctx, "missing name in receiver");
});

export const amConfigFileSchema = obj("config.plain", {
  global: globalSchema.optional(),
  route: routeSchema.optional(),
  inhibit_rules: list(inhibitRuleSchema, "[]*config.InhibitRule").optional(),
  receivers: list(receiverSchema, "[]*config.Receiver").optional(),
  templates: list(str(), "[]string").optional(),
  mute_time_intervals: list(namedTimeIntervalSchema, "[]config.MuteTimeInterval").optional(),
  time_intervals: list(namedTimeIntervalSchema, "[]config.TimeInterval").optional(),
});

export type RawAmConfig = z.output<typeof amConfigFileSchema>;
export type RawReceiver = z.output<typeof receiverSchema>;
export type RawGlobal = z.output<typeof globalSchema>;
export type RawInhibitRule = z.output<typeof inhibitRuleSchema>;
