/**
 * Prometheus' template functions (template/template.go, NewTemplateExpander), with their
 * Go signatures so that argument conversion and errors behave as in Prometheus.
 */
import { FuncError } from "./errors.js";
import type { FuncMap, GoFunc } from "./exec.js";
import { GoPanic, NIL_DEREF, concrete } from "./fmt.js";
import { goToLower, goToUpper } from "../../relabel/gocase.js";
import { durationPtr, timePtr } from "./gotime.js";
import { parseDurationAllowNegative } from "./duration.js";
import {
  convertToFloat,
  goInt64,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
  toTimeNs,
} from "./humanize.js";
import { isIP, joinHostPort, queryEscape, splitHostPort, urlPath } from "./netutil.js";
import type { Regex } from "../../model/regex.js";
import { compileGo, matchString, mustCompileMessage, replaceAllString } from "./regexp.js";
import { title } from "./title.js";
import {
  ANY,
  BOOL,
  FLOAT64,
  GoValue,
  type GoPtr,
  type GoSlice,
  HTML,
  MAP_STRING_ANY,
  MAP_STRING_STRING,
  STRING,
  type Value,
  compareStrings,
  f64,
  iface,
  ptrTo,
  ptrType,
  sliceOf,
  sliceType,
  stringMap,
  structType,
} from "./values.js";

/** Prometheus' template.sample: what `query` returns a list of. */
export const SAMPLE = structType("template.sample", true, [
  { name: "Labels", type: MAP_STRING_STRING },
  { name: "Value", type: ANY },
]);
export const SAMPLE_PTR = ptrType(SAMPLE);
export const QUERY_RESULT = sliceType(SAMPLE_PTR, "template.queryResult");

export interface TemplateSample {
  labels: Record<string, string>;
  value: number;
}

export type TemplateQuery = (expr: string, timeMs: number) => Promise<TemplateSample[]>;

/** What the functions need from the evaluation: the query callback, the time, the URL. */
export interface FuncContext {
  readonly query: TemplateQuery;
  readonly timeMs: number;
  readonly externalURL: string;
}

export function sampleValue(s: TemplateSample): GoValue {
  return ptrTo(new GoValue(SAMPLE, [stringMap(s.labels), iface(f64(s.value))]));
}

function sampleFields(v: Value): GoValue[] {
  const p = v === null ? null : (v.v as GoPtr | null);
  if (p === null) throw new GoPanic(NIL_DEREF);
  return p.ref.v as GoValue[];
}

function labelOf(v: Value, name: string): string {
  const labels = sampleFields(v)[0]!.v as Map<string, GoValue> | null;
  return (labels?.get(name)?.v as string | undefined) ?? "";
}

const s = (v: Value): string => v!.v as string;
const out = (x: string): GoValue => new GoValue(STRING, x);

function fn(params: GoFunc["params"], call: GoFunc["call"], variadic?: GoFunc["variadic"]): GoFunc {
  return variadic ? { params, call, variadic } : { params, call };
}

function stripPort(hostPort: string): string {
  try {
    return splitHostPort(hostPort).host;
  } catch {
    return hostPort;
  }
}

function stripDomain(hostPort: string): string {
  let host: string;
  let port = "";
  try {
    ({ host, port } = splitHostPort(hostPort));
  } catch {
    host = hostPort;
  }
  if (isIP(host)) return hostPort;
  host = host.split(".")[0]!;
  return port !== "" ? joinHostPort(host, port) : host;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The names every template may call, known before any evaluation (parse checks them). */
export const PROMETHEUS_FUNC_NAMES: ReadonlySet<string> = new Set([
  "query",
  "first",
  "label",
  "value",
  "strvalue",
  "args",
  "reReplaceAll",
  "safeHtml",
  "match",
  "title",
  "toUpper",
  "toLower",
  "graphLink",
  "tableLink",
  "sortByLabel",
  "stripPort",
  "stripDomain",
  "humanize",
  "humanize1024",
  "humanizeDuration",
  "humanizePercentage",
  "humanizeTimestamp",
  "toTime",
  "toDuration",
  "now",
  "pathPrefix",
  "externalURL",
  "parseDuration",
  "urlQueryEscape",
]);

export function prometheusFuncs(ctx: FuncContext): FuncMap {
  const m = new Map<string, GoFunc>([
    [
      "query",
      fn([STRING], async ([q]) => {
        let result: TemplateSample[];
        try {
          result = await ctx.query(s(q!), ctx.timeMs);
        } catch (e) {
          throw new FuncError(errorMessage(e));
        }
        return sliceOf(QUERY_RESULT, result.map(sampleValue));
      }),
    ],
    [
      "first",
      fn([QUERY_RESULT], ([v]) => {
        const sl = v!.v as GoSlice | null;
        if (sl !== null && sl.len > 0) return sl.arr[sl.off]!;
        throw new FuncError("first() called on vector with no elements");
      }),
    ],
    ["label", fn([STRING, SAMPLE_PTR], ([l, smp]) => out(labelOf(smp!, s(l!))))],
    ["value", fn([SAMPLE_PTR], ([smp]) => sampleFields(smp!)[1]!)],
    ["strvalue", fn([SAMPLE_PTR], ([smp]) => out(labelOf(smp!, "__value__")))],
    [
      "args",
      fn(
        [],
        (args) => {
          const res = new Map<string, GoValue>();
          args.forEach((a, i) => res.set(`arg${i}`, iface(concrete(a))));
          return new GoValue(MAP_STRING_ANY, res);
        },
        ANY,
      ),
    ],
    [
      "reReplaceAll",
      fn([STRING, STRING, STRING], ([pattern, repl, text]) => {
        let re: Regex;
        try {
          re = compileGo(s(pattern!));
        } catch (e) {
          throw new GoPanic(mustCompileMessage(s(pattern!), errorMessage(e)));
        }
        return out(replaceAllString(re, s(text!), s(repl!)));
      }),
    ],
    ["safeHtml", fn([STRING], ([t]) => new GoValue(HTML, s(t!)))],
    [
      "match",
      fn([STRING, STRING], ([pattern, str]) => {
        let re: Regex;
        try {
          re = compileGo(s(pattern!));
        } catch (e) {
          throw new FuncError(errorMessage(e));
        }
        return new GoValue(BOOL, matchString(re, s(str!)));
      }),
    ],
    ["title", fn([STRING], ([t]) => out(title(s(t!))))],
    ["toUpper", fn([STRING], ([t]) => out(goToUpper(s(t!))))],
    ["toLower", fn([STRING], ([t]) => out(goToLower(s(t!))))],
    ["graphLink", fn([STRING], ([e]) => out(`/graph?g0.expr=${queryEscape(s(e!))}&g0.tab=0`))],
    ["tableLink", fn([STRING], ([e]) => out(`/graph?g0.expr=${queryEscape(s(e!))}&g0.tab=1`))],
    [
      "sortByLabel",
      fn([STRING, QUERY_RESULT], ([l, v]) => {
        const sl = v!.v as GoSlice | null;
        if (sl === null) return v!;
        const label = s(l!);
        const window = sl.arr.slice(sl.off, sl.off + sl.len);
        // Array.prototype.sort is stable, as sort.Stable is.
        window.sort((a, b) => compareStrings(labelOf(a, label), labelOf(b, label)));
        window.forEach((x, i) => {
          sl.arr[sl.off + i] = x;
        });
        return v!;
      }),
    ],
    ["stripPort", fn([STRING], ([h]) => out(stripPort(s(h!))))],
    ["stripDomain", fn([STRING], ([h]) => out(stripDomain(s(h!))))],
    ["humanize", fn([ANY], ([i]) => out(humanize(convertToFloat(i!))))],
    ["humanize1024", fn([ANY], ([i]) => out(humanize1024(convertToFloat(i!))))],
    ["humanizeDuration", fn([ANY], ([i]) => out(humanizeDuration(convertToFloat(i!))))],
    ["humanizePercentage", fn([ANY], ([i]) => out(humanizePercentage(convertToFloat(i!))))],
    ["humanizeTimestamp", fn([ANY], ([i]) => out(humanizeTimestamp(convertToFloat(i!))))],
    ["toTime", fn([ANY], ([i]) => timePtr(toTimeNs(convertToFloat(i!))))],
    ["toDuration", fn([ANY], ([i]) => durationPtr(goInt64(convertToFloat(i!) * 1e9)))],
    ["now", fn([], () => new GoValue(FLOAT64, ctx.timeMs / 1000))],
    ["pathPrefix", fn([], () => out(urlPath(ctx.externalURL)))],
    ["externalURL", fn([], () => out(ctx.externalURL))],
    ["parseDuration", fn([STRING], ([d]) => new GoValue(FLOAT64, Number(parseDurationAllowNegative(s(d!))) / 1e9))],
    ["urlQueryEscape", fn([STRING], ([t]) => out(queryEscape(s(t!))))],
  ]);
  return m;
}
