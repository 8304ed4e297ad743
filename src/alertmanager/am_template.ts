// Alertmanager's notification templates on edgeprom's Go text/template engine
// (rules/template): its data (template.Data with KV, Pairs and Alerts and their
// methods), its function map, and the default templates under any user ones.
import { BUILTINS } from "../rules/template/builtins.js";
import { FuncError, TemplateError } from "../rules/template/errors.js";
import { execute, type FuncMap, type GoFunc } from "../rules/template/exec.js";
import { prometheusFuncs } from "../rules/template/funcs.js";
import { TIME, timeValue } from "../rules/template/gotime.js";
import { parseTrees, type TreeSet } from "../rules/template/parser.js";
import { GoType, GoValue, STRING, sliceOf, sliceType, structType, type GoSlice, type Value } from "../rules/template/values.js";
import { DEFAULT_TEMPLATES } from "./default_templates.js";

/** What a notification template sees, in plain form (see toGo below). */
export interface TemplateAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** 0 for a firing alert (Go's zero time). */
  endsAt: number;
  generatorURL: string;
  fingerprint: string;
}

export interface TemplateData {
  receiver: string;
  status: "firing" | "resolved";
  alerts: TemplateAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

const STRINGS = sliceType(STRING);
const KV = new GoType("map", "template.KV", true, "map[string]string");
KV.key = STRING;
KV.elem = STRING;
const PAIR = structType("template.Pair", true, [
  { name: "Name", type: STRING },
  { name: "Value", type: STRING },
]);
const PAIRS = sliceType(PAIR, "template.Pairs");
const ALERT = structType("template.Alert", true, [
  { name: "Status", type: STRING },
  { name: "Labels", type: KV },
  { name: "Annotations", type: KV },
  { name: "StartsAt", type: TIME },
  { name: "EndsAt", type: TIME },
  { name: "GeneratorURL", type: STRING },
  { name: "Fingerprint", type: STRING },
]);
const ALERTS = sliceType(ALERT, "template.Alerts");
const DATA = structType("template.Data", true, [
  { name: "Receiver", type: STRING },
  { name: "Status", type: STRING },
  { name: "Alerts", type: ALERTS },
  { name: "GroupLabels", type: KV },
  { name: "CommonLabels", type: KV },
  { name: "CommonAnnotations", type: KV },
  { name: "ExternalURL", type: STRING },
]);

const str = (s: string) => new GoValue(STRING, s);
const strings = (xs: string[]) => sliceOf(STRINGS, xs.map(str));
const kvEntries = (v: GoValue): [string, string][] =>
  [...((v.v as Map<string, GoValue> | null) ?? new Map()).entries()].map(([k, x]) => [k, x.v as string] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const sliceItems = (v: GoValue): GoValue[] => {
  const s = v.v as GoSlice | null;
  return s === null ? [] : s.arr.slice(s.off, s.off + s.len);
};

function kv(rec: Record<string, string>): GoValue {
  return new GoValue(KV, new Map(Object.entries(rec).map(([k, v]) => [k, str(v)])));
}

function pairs(entries: [string, string][]): GoValue {
  return sliceOf(
    PAIRS,
    entries.map(([n, v]) => new GoValue(PAIR, [str(n), str(v)])),
  );
}

KV.methods.set("SortedPairs", { params: [], result: PAIRS, call: (r) => pairs(kvEntries(r)) });
KV.methods.set("Names", { params: [], result: STRINGS, call: (r) => strings(kvEntries(r).map((e) => e[0])) });
KV.methods.set("Values", { params: [], result: STRINGS, call: (r) => strings(kvEntries(r).map((e) => e[1])) });
KV.methods.set("Remove", {
  params: [STRINGS],
  result: KV,
  call: (r, [keys]) => {
    const drop = new Set(sliceItems(keys!).map((k) => k.v as string));
    return kv(Object.fromEntries(kvEntries(r).filter(([k]) => !drop.has(k))));
  },
});
PAIRS.methods.set("Names", { params: [], result: STRINGS, call: (r) => strings(sliceItems(r).map((p) => (p.v as GoValue[])[0]!.v as string)) });
PAIRS.methods.set("Values", { params: [], result: STRINGS, call: (r) => strings(sliceItems(r).map((p) => (p.v as GoValue[])[1]!.v as string)) });
const byStatus = (status: string) => (r: GoValue) => sliceOf(ALERTS, sliceItems(r).filter((a) => (a.v as GoValue[])[0]!.v === status));
ALERTS.methods.set("Firing", { params: [], result: ALERTS, call: byStatus("firing") });
ALERTS.methods.set("Resolved", { params: [], result: ALERTS, call: byStatus("resolved") });

/** Go's zero time.Time is year 1; its offset from the Unix epoch in ns. */
const GO_ZERO_TIME_NS = -62135596800n * 1_000_000_000n;

function alertValue(a: TemplateAlert): GoValue {
  const t = (ms: number) => timeValue(ms === 0 ? GO_ZERO_TIME_NS : BigInt(ms) * 1_000_000n);
  return new GoValue(ALERT, [str(a.status), kv(a.labels), kv(a.annotations), t(a.startsAt), t(a.endsAt), str(a.generatorURL), str(a.fingerprint)]);
}

export function templateDataValue(d: TemplateData): GoValue {
  return new GoValue(DATA, [
    str(d.receiver),
    str(d.status),
    sliceOf(ALERTS, d.alerts.map(alertValue)),
    kv(d.groupLabels),
    kv(d.commonLabels),
    kv(d.commonAnnotations),
    str(d.externalURL),
  ]);
}

function fn(params: GoFunc["params"], call: GoFunc["call"], variadic?: GoFunc["variadic"]): GoFunc {
  return variadic ? { params, call, variadic } : { params, call };
}

/** Alertmanager's DefaultFuncs: toUpper, toLower, title, join, match, safeHtml,
 * reReplaceAll, stringSlice (the first six behave as Prometheus' do). */
function amFuncs(): FuncMap {
  const prom = prometheusFuncs({ query: async () => [], timeMs: 0, externalURL: "" });
  const m = new Map<string, GoFunc>();
  for (const n of ["toUpper", "toLower", "title", "match", "safeHtml", "reReplaceAll"]) m.set(n, prom.get(n)!);
  m.set(
    "join",
    fn([STRING, STRINGS], ([sep, xs]) => str(sliceItems(xs!).map((x) => x.v as string).join(sep!.v as string))),
  );
  m.set(
    "stringSlice",
    fn([], (args) => strings(args.map((a) => (a as GoValue).v as string)), STRING),
  );
  return m;
}

const FUNCS = amFuncs();
const hasFunction = (n: string) => FUNCS.has(n) || BUILTINS.has(n);

/** The defaults plus the user's template files, parsed once per configuration. */
export class AmTemplates {
  private readonly trees: TreeSet;

  /** Throws TemplateError when a file does not parse (Alertmanager refuses the config). */
  constructor(files: { name: string; text: string }[] = []) {
    this.trees = parseTrees("", DEFAULT_TEMPLATES, hasFunction);
    for (const f of files) for (const [k, t] of parseTrees(f.name, f.text, hasFunction)) this.trees.set(k, t);
  }

  /** tmpl.ExecuteTextString: the text is parsed as a template of the set and run over data. */
  async text(text: string, data: Value): Promise<string> {
    if (text === "") return "";
    const trees = new Map(this.trees);
    const name = "__text";
    for (const [k, t] of parseTrees(name, text, hasFunction)) trees.set(k, t);
    return execute({ name, trees }, data, FUNCS, BUILTINS);
  }
}

export { TemplateError, FuncError };
