/**
 * OTLP metric and attribute names as Prometheus 3 writes them under its default
 * translation strategy, UnderscoreEscapingWithSuffixes: the name is cut into tokens of
 * [a-zA-Z0-9:], the unit (UCUM) becomes a suffix (`s` -> `seconds`, `By/s` ->
 * `bytes_per_second`, `1` -> nothing, `{...}` units are annotations and ignored),
 * monotonic sums end in `total`, unit-`1` gauges in `ratio`, and the tokens are joined
 * with `_`. Attribute names have every character outside [a-zA-Z0-9_] replaced by `_`
 * and get `key_`/`key` before a leading digit or single underscore.
 */

export type OtlpMetricType = "gauge" | "monotonic_counter" | "non_monotonic_counter" | "histogram" | "exponential_histogram" | "summary";

const UNITS: Readonly<Record<string, string>> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  Cel: "celsius",
  Hz: "hertz",
  "1": "",
  "%": "percent",
};

const PER_UNITS: Readonly<Record<string, string>> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

function isMetricChar(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === ":";
}

/** The runs of [a-zA-Z0-9:] in `s` (Go's strings.FieldsFunc over runes). */
function tokens(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const c of s) {
    if (isMetricChar(c)) cur += c;
    else if (cur !== "") {
      out.push(cur);
      cur = "";
    }
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** A unit word with invalid characters as `_`, runs of `_` collapsed and a leading
 * one dropped. */
function cleanUnit(u: string): string {
  let s = "";
  for (const c of u) s += isMetricChar(c) ? c : "_";
  return s.replace(/__+/g, "_").replace(/^_/, "");
}

function lookup(map: Readonly<Record<string, string>>, k: string): string {
  return Object.hasOwn(map, k) ? map[k]! : k;
}

/** The unit's main and `per_` suffixes before cleaning. */
function unitSuffixes(unit: string): [string, string] {
  const slash = unit.indexOf("/");
  const mainPart = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perRaw = slash < 0 ? "" : unit.slice(slash + 1);
  let main = "";
  let per = "";
  if (mainPart !== "" && !/[{}]/.test(mainPart)) main = lookup(UNITS, mainPart);
  if (perRaw !== "") {
    const perPart = perRaw.trim();
    if (perPart !== "" && !/[{}]/.test(perPart)) per = lookup(PER_UNITS, perPart);
    if (per !== "") per = "per_" + per;
  }
  return [main, per];
}

function without(list: string[], word: string): string[] {
  return list.filter((t) => t !== word);
}

/** The Prometheus metric name of an OTLP metric, or "" when nothing valid is left
 * (Prometheus drops such metrics with an error). */
export function metricNameOf(name: string, unit: string, type: OtlpMetricType): string {
  let toks = tokens(name);
  const [mainRaw, perRaw] = unitSuffixes(unit);
  let main = cleanUnit(mainRaw);
  let per = cleanUnit(perRaw);
  if (toks.includes(main)) main = "";
  if (per === "per_") per = "";
  else {
    per = per.replace(/_$/, "");
    if (toks.includes(per)) per = "";
  }
  if (per !== "") main = main.replace(/_$/, "");
  if (main !== "") toks.push(main);
  if (per !== "") toks.push(per);
  if (type === "monotonic_counter") toks = [...without(toks, "total"), "total"];
  if (unit === "1" && type === "gauge") toks = [...without(toks, "ratio"), "ratio"];
  let out = toks.join("_");
  if (out !== "" && out[0]! >= "0" && out[0]! <= "9") out = "_" + out;
  if (out !== name && /^_*$/.test(out)) return "";
  return out;
}

// The same few attribute keys come with every point: their names are kept (bounded).
const labelNames = new Map<string, string>();
const MAX_CACHED_NAMES = 4096;

/** An attribute key as a Prometheus label name. */
export function labelNameOf(key: string): string {
  let name = labelNames.get(key);
  if (name === undefined) {
    name = sanitizeLabelName(key);
    if (labelNames.size >= MAX_CACHED_NAMES) labelNames.clear();
    labelNames.set(key, name);
  }
  return name;
}

function sanitizeLabelName(key: string): string {
  if (key === "") return key;
  let s = "";
  for (const c of key) s += (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "_" ? c : "_";
  if (s[0]! >= "0" && s[0]! <= "9") return "key_" + s;
  if (s.startsWith("_") && !s.startsWith("__")) return "key" + s;
  return s;
}
