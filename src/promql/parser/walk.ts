import type { Expr } from "./ast.js";
import type { Matcher } from "../../model/matchers.js";

/** The direct sub-expressions of `x`, in source order. */
export function exprChildren(x: Expr): Expr[] {
  switch (x.type) {
    case "ParenExpr":
    case "UnaryExpr":
    case "SubqueryExpr":
      return [x.expr];
    case "BinaryExpr":
      return [x.lhs, x.rhs];
    case "AggregateExpr":
      return x.param ? [x.param, x.expr] : [x.expr];
    case "Call":
      return x.args;
    case "MatrixSelector":
      return [x.vectorSelector];
    default:
      return [];
  }
}

/** The matchers of every vector selector in `x`, in source order (a metric name is
 * among them as its `__name__` matcher), as Prometheus' parser.ExtractSelectors. */
export function extractSelectors(x: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  const visit = (e: Expr): void => {
    if (e.type === "VectorSelector") out.push(e.matchers);
    for (const c of exprChildren(e)) visit(c);
  };
  visit(x);
  return out;
}
