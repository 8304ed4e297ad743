import { METRIC_NAME } from "../../model/labels.js";
import type { Matcher } from "../../model/matchers.js";
import type { AtModifier, BinaryExpr, Expr, VectorSelector } from "./ast.js";
import { formatDurationMs, formatFloat } from "./literals.js";
import { goQuote } from "./quote.js";

/** Prints an expression in Prometheus' canonical single-line form (what
 * `/api/v1/format_query` returns): `sum by (job) (rate(x{job="api"}[5m]))`.
 * Parsing the output gives back the same tree. */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case "NumberLiteral":
      return formatFloat(e.val);
    case "StringLiteral":
      return goQuote(e.val);
    case "ParenExpr":
      return `(${formatExpr(e.expr)})`;
    case "UnaryExpr":
      return e.op + formatExpr(e.expr);
    case "BinaryExpr": {
      // Iterative along the left spine: long operator chains are left-deep trees.
      const spine: BinaryExpr[] = [];
      let cur: Expr = e;
      while (cur.type === "BinaryExpr") {
        spine.push(cur);
        cur = cur.lhs;
      }
      // "+Inf ^ x" would read back as +(Inf ^ x): print the bare word there.
      let s = spine[spine.length - 1]!.op === "^" && cur.type === "NumberLiteral" && cur.val === Infinity ? "Inf" : formatExpr(cur);
      for (let i = spine.length - 1; i >= 0; i--) {
        const b = spine[i]!;
        s += ` ${b.op}${b.returnBool ? " bool" : ""}${matchingString(b)} ${formatExpr(b.rhs)}`;
      }
      return s;
    }
    case "AggregateExpr": {
      let s: string = e.op;
      if (e.without) s += ` without (${labelList(e.grouping)}) `;
      else if (e.grouping.length > 0) s += ` by (${labelList(e.grouping)}) `;
      s += "(";
      if (e.param !== null) s += `${formatExpr(e.param)}, `;
      return `${s}${formatExpr(e.expr)})`;
    }
    case "Call":
      // info()'s second argument takes label selectors only: a metric name given
      // there as `{"x"}` must stay inside the braces, where it is a plain matcher.
      if (e.func.name === "info" && e.args[1]?.type === "VectorSelector") {
        const [first, sel, ...rest] = e.args;
        const args = [formatExpr(first!), selectorString(sel, true) + modifiers(sel.at, sel.offset), ...rest.map(formatExpr)];
        return `info(${args.join(", ")})`;
      }
      return `${e.func.name}(${e.args.map(formatExpr).join(", ")})`;
    case "VectorSelector":
      return selectorString(e) + modifiers(e.at, e.offset);
    case "MatrixSelector": {
      const vs = e.vectorSelector;
      return `${selectorString(vs)}[${formatDurationMs(e.range)}]${modifiers(vs.at, vs.offset)}`;
    }
    case "SubqueryExpr": {
      const step = e.step !== 0 ? formatDurationMs(e.step) : "";
      return `${formatExpr(e.expr)}[${formatDurationMs(e.range)}:${step}]${modifiers(e.at, e.offset)}`;
    }
  }
}

function isLegacyLabelName(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alpha = c === 95 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (!alpha && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

function isLegacyMetricName(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alpha = c === 95 || c === 58 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (!alpha && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

function labelName(s: string): string {
  return isLegacyLabelName(s) ? s : goQuote(s);
}

/** Label names that the lexer would not read as a label in a grouping list. Prometheus
 * prints them bare (producing a query it cannot parse); they are quoted here. */
const NOT_GROUPING_LABELS = new Set(["without", "inf", "nan"]);

function groupingLabel(s: string): string {
  return NOT_GROUPING_LABELS.has(s.toLowerCase()) ? goQuote(s) : labelName(s);
}

function labelList(ls: readonly string[]): string {
  return ls.map(groupingLabel).join(", ");
}

function matcherString(m: Matcher): string {
  return `${labelName(m.name)}${m.type}${goQuote(m.value)}`;
}

/** Words that the lexer reads as something other than a metric name even before `{`,
 * so a metric with such a name is printed inside the braces. */
const NOT_METRIC_WORDS = new Set(["on", "ignoring", "group_left", "group_right", "bool", "atan2", "inf", "nan"]);

function selectorString(vs: VectorSelector, nameInBraces = false): string {
  let nameIdx = -1;
  let nameMatchers = 0;
  for (let i = 0; i < vs.matchers.length; i++) {
    const m = vs.matchers[i]!;
    if (m.name !== METRIC_NAME) continue;
    nameMatchers++;
    if (m.type === "=" && m.value === vs.name && vs.name !== "") nameIdx = i;
  }
  let prefix = "";
  let quoted = "";
  if (nameIdx >= 0 && nameMatchers === 1) {
    if (!nameInBraces && isLegacyMetricName(vs.name) && !NOT_METRIC_WORDS.has(vs.name.toLowerCase())) prefix = vs.name;
    else quoted = goQuote(vs.name);
  } else {
    nameIdx = -1;
  }
  const parts: string[] = [];
  for (let i = 0; i < vs.matchers.length; i++) if (i !== nameIdx) parts.push(matcherString(vs.matchers[i]!));
  parts.sort();
  if (quoted !== "") parts.unshift(quoted);
  if (parts.length === 0) return prefix === "" ? "{}" : prefix;
  return `${prefix}{${parts.join(",")}}`;
}

function modifiers(at: AtModifier, offset: number): string {
  let s = "";
  if (at !== null) {
    if (at.kind === "timestamp") s += ` @ ${(at.ms / 1000).toFixed(3)}`;
    else s += at.kind === "start" ? " @ start()" : " @ end()";
  }
  if (offset > 0) s += ` offset ${formatDurationMs(offset)}`;
  else if (offset < 0) s += ` offset -${formatDurationMs(-offset)}`;
  return s;
}

function matchingString(e: BinaryExpr): string {
  const m = e.matching;
  if (m === null) return "";
  let s = "";
  const grouped = m.card === "many-to-one" || m.card === "one-to-many";
  if (m.matchingLabels.length > 0 || m.on || grouped) {
    s += ` ${m.on ? "on" : "ignoring"} (${labelList(m.matchingLabels)})`;
  }
  if (grouped) s += ` group_${m.card === "many-to-one" ? "left" : "right"} (${labelList(m.include)})`;
  return s;
}
