import { Hono } from "hono";
import { labelsToRecord, type Labels } from "../model/labels.js";
import { matchesLabels, type Matcher } from "../model/matchers.js";
import { isZeroTime } from "../rules/alert.js";
import type { AlertView, GroupView, RulesStatus, RuleView } from "../rules/views.js";
import { Params } from "./params.js";
import { ApiError, success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface RulesDeps {
  /** The tier's RuleEvaluator's groups, rules and alerts. */
  status(): Promise<RulesStatus>;
}

/** Go's zero time.Time in JSON. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** A time as Go marshals time.Time (RFC 3339 with the fraction's trailing zeros
 * dropped), UTC. */
export function goTime(ms: number): string {
  if (isZeroTime(ms)) return GO_ZERO_TIME;
  // toISOString always ends in ".mmmZ"; the route formats a time per rule on every
  // poll, so the zeros are cut by arithmetic rather than a regular expression.
  const iso = new Date(ms).toISOString();
  const frac = ((Math.trunc(ms) % 1000) + 1000) % 1000;
  if (frac === 0) return `${iso.slice(0, -5)}Z`;
  if (frac % 100 === 0) return `${iso.slice(0, -3)}Z`;
  if (frac % 10 === 0) return `${iso.slice(0, -2)}Z`;
  return iso;
}

/** strconv.FormatFloat(v, 'e', -1, 64): the shortest exact digits, exponent with
 * at least two digits. */
export function goExponent(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const s = Object.is(v, -0) ? "-0e+0" : v.toExponential();
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function alertJSON(a: AlertView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    labels: labelsToRecord(a.labels),
    annotations: labelsToRecord(a.annotations),
    state: a.state,
    activeAt: goTime(a.activeAt),
  };
  if (!isZeroTime(a.keepFiringSince)) out["keepFiringSince"] = goTime(a.keepFiringSince);
  out["value"] = goExponent(a.value);
  return out;
}

/** The fields every rule ends with, after its type's own. */
function ruleTail(r: RuleView, x: Record<string, unknown>): Record<string, unknown> {
  x["health"] = r.health;
  if (r.lastError !== "") x["lastError"] = r.lastError;
  x["evaluationTime"] = r.evaluationTimeMs / 1000;
  x["lastEvaluation"] = goTime(r.lastEvaluation);
  x["type"] = r.type;
  return x;
}

function ruleJSON(r: RuleView, excludeAlerts: boolean): Record<string, unknown> {
  if (r.type === "alerting") {
    return ruleTail(r, {
      state: r.state,
      name: r.name,
      query: r.query,
      duration: r.durationMs / 1000,
      keepFiringFor: r.keepFiringForMs / 1000,
      labels: labelsToRecord(r.labels),
      annotations: labelsToRecord(r.annotations),
      alerts: excludeAlerts ? null : r.alerts.map(alertJSON),
    });
  }
  return ruleTail(r, { name: r.name, query: r.query, labels: labelsToRecord(r.labels) });
}

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

function invalidParam(name: string, message: string): ApiError {
  return new ApiError("bad_data", `invalid parameter "${name}": ${message}`);
}

/** The pagination token of a group: sha256 of `file;name`, hex. */
async function groupToken(g: GroupView): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${g.file};${g.name}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function matchesAny(sets: readonly Matcher[][], ls: Labels): boolean {
  return sets.length === 0 || sets.some((ms) => matchesLabels(ms, ls));
}

async function rules(p: Params, deps: RulesDeps): Promise<Response> {
  const ruleNames = new Set(p.all("rule_name[]"));
  // rule_group[] is Prometheus' name; group_name[] is accepted as well.
  const groupNames = new Set([...p.all("rule_group[]"), ...p.all("group_name[]")]);
  const files = new Set(p.all("file[]"));
  const matcherSets = p.matchers(false);
  const type = (p.get("type") ?? "").toLowerCase();
  if (type !== "" && type !== "alert" && type !== "record") throw invalidParam("type", `not supported value "${type}"`);
  const ex = (p.get("exclude_alerts") ?? "").toLowerCase();
  let excludeAlerts = false;
  if (ex !== "") {
    const b = parseBool(ex);
    if (b === undefined) throw invalidParam("exclude_alerts", `error converting exclude_alerts: strconv.ParseBool: parsing "${ex}": invalid syntax`);
    excludeAlerts = b;
  }
  const limitText = p.get("group_limit") ?? "";
  const nextToken = p.get("group_next_token") ?? "";
  if (nextToken !== "" && limitText === "") throw invalidParam("group_next_token", "group_limit needs to be present in order to paginate over the groups");
  let maxGroups = -1;
  if (limitText !== "") {
    if (!/^[-+]?\d+$/.test(limitText) || Math.abs(Number(limitText)) > 2 ** 31 - 1) {
      throw invalidParam("group_limit", `group_limit needs to be a valid number: strconv.ParseInt: parsing "${limitText}": invalid syntax`);
    }
    maxGroups = Number(limitText);
    if (maxGroups <= 0) throw invalidParam("group_limit", "group_limit needs to be greater than 0");
  }
  const { groups } = await deps.status();
  const out: Record<string, unknown>[] = [];
  let foundToken = false;
  let groupNextToken: string | undefined;
  for (const g of groups) {
    if (maxGroups > 0 && nextToken !== "" && !foundToken) {
      if ((await groupToken(g)) !== nextToken) continue;
      foundToken = true;
    }
    if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
    if (files.size > 0 && !files.has(g.file)) continue;
    const list: Record<string, unknown>[] = [];
    for (const r of g.rules) {
      if (!matchesAny(matcherSets, r.labels)) continue;
      if (ruleNames.size > 0 && !ruleNames.has(r.name)) continue;
      if (r.type === "alerting" && type === "record") continue;
      if (r.type === "recording" && type === "alert") continue;
      list.push(ruleJSON(r, excludeAlerts));
    }
    if (list.length === 0) continue;
    if (maxGroups > 0 && out.length === maxGroups) {
      groupNextToken = await groupToken(g);
      break;
    }
    out.push({
      name: g.name,
      file: g.file,
      rules: list,
      interval: g.intervalMs / 1000,
      limit: g.limit,
      evaluationTime: g.evaluationTimeMs / 1000,
      lastEvaluation: goTime(g.lastEvaluation),
    });
  }
  if (maxGroups > 0 && nextToken !== "" && !foundToken) {
    throw invalidParam("group_next_token", `invalid group_next_token '${nextToken}'. were rule groups changed?`);
  }
  const data: Record<string, unknown> = { groups: out };
  if (groupNextToken !== undefined) data["groupNextToken"] = groupNextToken;
  return success(data);
}

async function alerts(deps: RulesDeps): Promise<Response> {
  const { groups } = await deps.status();
  const out: Record<string, unknown>[] = [];
  for (const g of groups) for (const r of g.rules) if (r.type === "alerting") out.push(...r.alerts.map(alertJSON));
  return success({ alerts: out });
}

/** /api/v1/rules and /api/v1/alerts in Prometheus' JSON shapes. */
export function rulesRoutes(deps: RulesDeps): Hono {
  const app = new Hono();
  app.get("/rules", (c) => handle(async () => rules(await Params.from(c), deps)));
  app.get("/alerts", () => handle(() => alerts(deps)));
  return app;
}
