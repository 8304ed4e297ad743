import { METRIC_NAME } from "../model/labels.js";
import { matchValue, type Matcher } from "../model/matchers.js";
import type { Expr } from "../promql/parser/ast.js";
import { ALERTS_FOR_STATE_METRIC, ALERTS_METRIC, AlertingRule } from "./alerting_rule.js";
import type { Rule } from "./rule.js";

/**
 * Splits a group's rules into runs that can be evaluated together: no rule reads the
 * output of an earlier rule of its own run, so evaluating a run's rules at once and
 * committing their results together gives exactly what evaluating them one by one
 * gives. This is the dependency analysis Prometheus uses for concurrent rule
 * evaluation: a rule depends on an earlier one when one of its selectors matches that
 * rule's name, or, for ALERTS and ALERTS_FOR_STATE, that alerting rule's alertname. A
 * rule with a selector without a metric name could read anything: it depends on every
 * earlier rule (it starts a run), while later rules depend on it only by its name. So
 * does an alerting rule whose labels or annotations may call the `query` template
 * function, which reads storage while the rule is evaluated.
 */
/** Text that may call the `query` template function; a false match only costs
 * concurrency. */
const TEMPLATE_QUERY = /\bquery\b/;

export function evaluationRuns(rules: readonly Rule[]): number[][] {
  /** Per rule, what its selectors read; null when one has no metric name. */
  const reads: ({ name: Matcher; alertname: Matcher | undefined }[] | null)[] = rules.map((r) => {
    if (r instanceof AlertingRule && [...r.labels, ...r.annotations].some((l) => TEMPLATE_QUERY.test(l.value))) return null;
    const list: { name: Matcher; alertname: Matcher | undefined }[] = [];
    for (const ms of selectors(r.expr)) {
      const name = ms.find((m) => m.name === METRIC_NAME);
      if (name === undefined) return null;
      list.push({ name, alertname: ms.find((m) => m.name === "alertname") });
    }
    return list;
  });
  const dependsOn = (i: number, j: number): boolean => {
    const other = rules[j]!;
    const list = reads[i];
    if (!list) return true;
    return list.some((sel) => {
      if (matchValue(sel.name, other.name)) return true;
      if (!(other instanceof AlertingRule)) return false;
      if (!matchValue(sel.name, ALERTS_METRIC) && !matchValue(sel.name, ALERTS_FOR_STATE_METRIC)) return false;
      return sel.alertname === undefined || matchValue(sel.alertname, other.name);
    });
  };
  const runs: number[][] = [];
  let current: number[] = [];
  rules.forEach((_, i) => {
    if (current.some((j) => dependsOn(i, j))) {
      runs.push(current);
      current = [];
    }
    current.push(i);
  });
  if (current.length > 0) runs.push(current);
  return runs;
}

/** The matchers of every vector selector in an expression (range selectors and
 * subqueries included). */
function selectors(expr: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  const visit = (n: Expr): void => {
    switch (n.type) {
      case "VectorSelector":
        out.push(n.matchers);
        return;
      case "MatrixSelector":
        visit(n.vectorSelector);
        return;
      case "SubqueryExpr":
      case "ParenExpr":
      case "UnaryExpr":
        visit(n.expr);
        return;
      case "BinaryExpr":
        visit(n.lhs);
        visit(n.rhs);
        return;
      case "AggregateExpr":
        if (n.param) visit(n.param);
        visit(n.expr);
        return;
      case "Call":
        n.args.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(expr);
  return out;
}
