import { labelsFromKey, METRIC_NAME } from "../../model/labels.js";
import { DeadlineExceededError, type PushdownPlan } from "../../storage/storage.js";
import type { AggregateExpr, Expr, VectorSelector } from "../parser/ast.js";
import type { EvalContext } from "./context.js";
import { newSeries, type StepVector } from "./step_values.js";
import { QueryError } from "./value.js";

/** Functions a shard can evaluate under a pushed-down aggregation. */
const RANGE_FNS = new Set(["rate", "increase", "delta"]);
const OPS = new Set(["sum", "count", "min", "max"]);

function unwrap(e: Expr): Expr {
  while (e.type === "ParenExpr") e = e.expr;
  return e;
}

/**
 * Evaluates `sum|count|min|max by|without (...) (selector)` or `(...)(rate|increase|
 * delta(selector[range]))` inside the storage when it offers selectAggregate, so only
 * per-group partials leave the shards. Returns null when the expression or the
 * storage does not allow it (an @ modifier, grouping by the metric name, per-step
 * statistics asked for): the caller then evaluates it the ordinary way.
 */
export async function pushedAggregate(ctx: EvalContext, e: AggregateExpr): Promise<StepVector | null> {
  const q = ctx.querier;
  if (q.selectAggregate === undefined || ctx.queryable !== null) return null;
  if (e.param !== null || !OPS.has(e.op)) return null;
  if (!e.without && e.grouping.includes(METRIC_NAME)) return null;
  const inner = unwrap(e.expr);
  let sel: VectorSelector;
  let fn: PushdownPlan["fn"] = "";
  let range: number;
  if (inner.type === "VectorSelector") {
    sel = inner;
    range = ctx.lookbackDelta;
  } else if (inner.type === "Call" && RANGE_FNS.has(inner.func.name) && inner.args.length === 1 && inner.args[0]!.type === "MatrixSelector") {
    const ms = inner.args[0];
    sel = ms.vectorSelector;
    fn = inner.func.name as PushdownPlan["fn"];
    range = ms.range;
  } else {
    return null;
  }
  if (sel.at !== null) return null;
  const plan: PushdownPlan = {
    op: e.op as PushdownPlan["op"],
    grouping: e.grouping,
    without: e.without,
    fn,
    range,
    start: ctx.start,
    interval: ctx.interval,
    n: ctx.n,
    offset: sel.offset,
  };
  const lo = ctx.steps[0]! - sel.offset;
  const hi = ctx.steps[ctx.n - 1]! - sel.offset;
  let part;
  try {
    part = await q.selectAggregate(sel.matchers, { start: lo - range + 1, end: hi, deadline: ctx.deadline }, plan);
  } catch (err) {
    if (err instanceof DeadlineExceededError) throw new QueryError("timeout", "query timed out in expression evaluation");
    throw err;
  }
  if (part.declined === true) return null;
  // The inner expression's samples count against query.max-samples as if held.
  ctx.addSamples(part.samples);
  ctx.releaseSamples(part.samples);
  const out: StepVector = { kind: "vector", series: [] };
  const n = ctx.n;
  part.groups.forEach((key, g) => {
    const s = newSeries(labelsFromKey(key), n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const k = g * n + i;
      const c = part.count[k]!;
      if (c === 0) continue;
      s.vs[i] = e.op === "count" ? c : e.op === "sum" ? part.value[k]! + part.comp[k]! : part.value[k]!;
      s.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(s);
  });
  return out;
}
