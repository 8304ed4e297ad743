import type { Matcher } from "../../model/matchers.js";
import type { Expr } from "../parser/ast.js";

/** Walks over parsed expressions for the promqltest runner. The walks are generic over
 * the node objects (any plain object with a string `type` is a node), so node kinds
 * added to the AST later are visited without changes here. */

function isNode(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype && typeof (x as { type?: unknown }).type === "string";
}

/** Child nodes of a node, in field order (arrays flattened; `pos` and matchers are not
 * nodes). */
function children(node: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === "pos" || k === "matchers") continue;
    if (Array.isArray(v)) for (const x of v) if (isNode(x)) out.push(x);
    if (isNode(v)) out.push(v);
  }
  return out;
}

/** The matchers of every vector selector in the expression: plain selectors and
 * those of range selectors, inside subqueries, calls, aggregations, binary operations. */
export function collectSelectors(expr: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  const visit = (n: Record<string, unknown>): void => {
    if (n.type === "VectorSelector") {
      out.push([...(n.matchers as Matcher[])]);
      return;
    }
    for (const c of children(n)) visit(c);
  };
  visit(expr as unknown as Record<string, unknown>);
  return out;
}

/** Functions whose result depends on the evaluation time even with step-invariant
 * arguments (Prometheus' AtModifierUnsafeFunctions). */
const AT_UNSAFE = new Set([
  "days_in_month",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "end",
  "hour",
  "minute",
  "month",
  "year",
  "predict_linear",
  "range",
  "start",
  "step",
  "time",
  "timestamp",
]);

/** Prometheus' @-modifier variant of an instant test query: every vector selector and
 * subquery without an @ gets `@ t` (ms); nothing inside a subquery is touched. Returns
 * null when a call outside subqueries is time-dependent (the variant would not be
 * equivalent). Mutates and returns `expr`. */
export function withAtModifier(expr: Expr, t: number): Expr | null {
  let unsafe = false;
  const visit = (n: Record<string, unknown>): void => {
    switch (n.type) {
      case "VectorSelector":
        if (n.at === null) n.at = { kind: "timestamp", ms: t };
        return;
      case "SubqueryExpr":
        if (n.at === null) n.at = { kind: "timestamp", ms: t };
        return;
      case "Call": {
        const name = (n.func as { name?: string } | undefined)?.name ?? "";
        if (AT_UNSAFE.has(name)) unsafe = true;
        break;
      }
    }
    for (const c of children(n)) visit(c);
  };
  visit(expr as unknown as Record<string, unknown>);
  return unsafe ? null : expr;
}
