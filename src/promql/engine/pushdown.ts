import { labelsFromKey, METRIC_NAME } from "../../model/labels.js";
import { DeadlineExceededError, type PushdownPlan } from "../../storage/storage.js";
import { isSelectionOp, type OverTimeFn, type PartialAggregate } from "../../tsdb/pushdown.js";
import { subqueryGrid } from "./subquery_grid.js";
import type { AggregateExpr, Call, Expr, VectorSelector } from "../parser/ast.js";
import { aggregate, type AggregateParam } from "./aggregate.js";
import type { EvalContext } from "./context.js";
import { newSeries, type StepSeries, type StepVector } from "./step_values.js";
import { QueryError } from "./value.js";

/** Functions a shard can evaluate under a pushed-down aggregation. */
const RANGE_FNS = new Set(["rate", "increase", "delta"]);
const OPS = new Set(["sum", "avg", "count", "min", "max", "topk", "bottomk", "limitk"]);

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
 *
 * topk/bottomk/limitk keep whole series: each shard returns its best k of every group
 * at every step (a superset of what survives, as the others rank behind k series of
 * their own shard), and the engine's own selectK picks from those, in label order as
 * it would from every series, so ties and NaN come out the same.
 */
export async function pushedAggregate(ctx: EvalContext, e: AggregateExpr, param: AggregateParam): Promise<StepVector | null> {
  if (ctx.querier.selectAggregate === undefined) return null;
  if (!OPS.has(e.op)) return null;
  const selection = isSelectionOp(e.op);
  let k = 0;
  if (selection) {
    if (param?.kind !== "scalar") return null;
    // Bad or empty k (NaN, beyond int64, below 1 everywhere): selectK's own checks
    // answer that, the ordinary way.
    for (const p of param.vs) {
      if (!Number.isFinite(p) || Math.abs(p) >= 2 ** 31) return null;
      k = Math.max(k, Math.trunc(p));
    }
    if (k < 1) return null;
  } else if (e.param !== null) return null;
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
  const part = await evaluateInShards(ctx, sel, { op: e.op as PushdownPlan["op"], grouping: e.grouping, without: e.without, fn, range, ...(selection ? { k } : {}) });
  if (part === null) return null;
  if (selection) return aggregate(ctx, e, { kind: "vector", series: candidateSeries(part, fn) }, param);
  // The engine's mean switches to an incremental mean once the sum overflows, which
  // partial sums cannot follow: such a rare average is evaluated the ordinary way.
  if (e.op === "avg" && part.value.some((x) => x === Infinity || x === -Infinity)) return null;
  const out: StepVector = { kind: "vector", series: [] };
  const n = ctx.n;
  part.groups.forEach((key, g) => {
    const s = newSeries(labelsFromKey(key), n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const k = g * n + i;
      const c = part.count[k]!;
      if (c === 0) continue;
      s.vs[i] = e.op === "count" ? c : e.op === "sum" ? part.value[k]! + part.comp[k]! : e.op === "avg" ? part.value[k]! / c + part.comp[k]! / c : part.value[k]!;
      s.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(s);
  });
  return out;
}

/** `rate|increase|delta(selector[range])` on its own (a range query's, a subquery's
 * inner expression): the shards evaluate it at every step and send the step values of
 * each series instead of its samples. Null when the storage or the expression does not
 * allow it, as for pushedAggregate. */
export async function pushedRangeFunction(ctx: EvalContext, e: Call): Promise<StepVector | null> {
  if (!RANGE_FNS.has(e.func.name) || e.args.length !== 1) return null;
  const arg = e.args[0]!;
  if (arg.type !== "MatrixSelector") return null;
  const fn = e.func.name as PushdownPlan["fn"];
  const part = await evaluateInShards(ctx, arg.vectorSelector, { op: "each", grouping: [], without: false, fn, range: arg.range });
  return part === null ? null : { kind: "vector", series: candidateSeries(part, fn) };
}

/** Range functions of a subquery the shards can evaluate over a pushed-down inner
 * expression. */
const OVER_TIME = new Set<string>(["max_over_time", "min_over_time"] satisfies OverTimeFn[]);

/** `max|min_over_time(rate|increase|delta(selector[range])[range:step])`: the shards
 * evaluate the inner function on the subquery's grid, as the ordinary evaluation
 * would push it down, and the outer function too, so one value per series and
 * step comes back instead of every inner point. Null when not allowed, as above. */
export async function pushedOverTime(ctx: EvalContext, e: Call): Promise<StepVector | null> {
  if (!OVER_TIME.has(e.func.name) || e.args.length !== 1) return null;
  const sq = e.args[0]!;
  if (sq.type !== "SubqueryExpr" || sq.at !== null) return null;
  const inner = unwrap(sq.expr);
  if (inner.type !== "Call" || !RANGE_FNS.has(inner.func.name) || inner.args.length !== 1) return null;
  const ms = inner.args[0]!;
  if (ms.type !== "MatrixSelector") return null;
  const grid = subqueryGrid(ctx, sq);
  if (grid.start > grid.end) return null;
  const fn = inner.func.name as PushdownPlan["fn"];
  const child = ctx.child(grid.start, grid.end, grid.step);
  const outer = { fn: e.func.name as OverTimeFn, range: sq.range, ends: Array.from(grid.windowEnds) };
  const part = await evaluateInShards(child, ms.vectorSelector, { op: "each", grouping: [], without: false, fn, range: ms.range, outer });
  if (part === null) return null;
  // The subquery's points were held as a range before the function consumed them.
  ctx.addSamples(part.points ?? 0);
  ctx.releaseSamples(part.points ?? 0);
  return { kind: "vector", series: candidateSeries(part, fn) };
}

/** Runs a plan over the query's step grid in the storage; null when the storage cannot
 * or declines (histograms), an @ modifier pins the selector, or per-step statistics
 * are asked for. */
async function evaluateInShards(
  ctx: EvalContext,
  sel: VectorSelector,
  what: Pick<PushdownPlan, "op" | "grouping" | "without" | "fn" | "range" | "k" | "outer">,
): Promise<PartialAggregate | null> {
  const q = ctx.querier;
  if (q.selectAggregate === undefined || ctx.queryable !== null || sel.at !== null) return null;
  const plan: PushdownPlan = { ...what, start: ctx.start, interval: ctx.interval, n: ctx.n, offset: sel.offset };
  const lo = ctx.steps[0]! - sel.offset;
  const hi = ctx.steps[ctx.n - 1]! - sel.offset;
  let part: PartialAggregate;
  try {
    part = await q.selectAggregate(sel.matchers, { start: lo - what.range + 1, end: hi, deadline: ctx.deadline }, plan);
  } catch (err) {
    if (err instanceof DeadlineExceededError) throw new QueryError("timeout", "query timed out in expression evaluation");
    throw err;
  }
  if (part.declined === true) return null;
  // The inner expression's samples count against query.max-samples as if held.
  ctx.addSamples(part.samples);
  ctx.releaseSamples(part.samples);
  return part;
}

/** The series a shard sent whole, in label order. */
function candidateSeries(part: PartialAggregate, fn: PushdownPlan["fn"]): StepSeries[] {
  const c = part.candidates;
  if (c === undefined) return [];
  const n = part.n;
  const out = new Array<StepSeries>(c.keys.length);
  for (let i = 0; i < c.keys.length; i++) {
    // Views of the columns: step values are never written in place (see mergeSameLabels).
    const s: StepSeries = { labels: part.candidateLabels?.[i] ?? labelsFromKey(c.keys[i]!), vs: c.vs.subarray(i * n, i * n + n), has: c.has.subarray(i * n, i * n + n) };
    // The inner function's result loses the name at the end of the query.
    if (fn !== "") s.dropName = true;
    out[i] = s;
  }
  return out;
}
