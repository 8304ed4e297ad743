import type { AggregateExpr, BinaryExpr, Call, Expr, SubqueryExpr, UnaryExpr } from "../parser/ast.js";
import { aggregate, type AggregateParam } from "./aggregate.js";
import { mergeSameLabels, scalarScalar, setOp, vectorScalar, vectorVector } from "./binary.js";
import type { EvalContext } from "./context.js";
import { FUNCTIONS } from "./functions/index.js";
import { pushedAggregate, pushedOverTime, pushedRangeFunction } from "./pushdown.js";
import { subqueryGrid } from "./subquery_grid.js";
import { evalMatrixSelector, evalVectorSelector } from "./selectors.js";
import { CounterResetHint, type FloatHistogram } from "../../model/histogram.js";
import { newSeries, type StepSeries, type RangeSeries, type StepRange, type StepScalar, type StepValue, type StepVector } from "./step_values.js";
import { QueryError } from "./value.js";

/** Evaluates an expression at every step of its context, node by node. */
export class Evaluator {
  constructor(private readonly ctx: EvalContext) {}

  /** Evaluates e; samples of consumed operands are released and the result's counted,
   * so query.max-samples bounds what is held at once, as in Prometheus. */
  async eval(e: Expr): Promise<StepValue> {
    this.ctx.checkDeadline();
    return this.evalNode(e);
  }

  private held(vals: StepValue[], result: StepValue): StepValue {
    for (const v of vals) this.ctx.releaseSamples(size(v));
    this.ctx.addSamples(size(result));
    return result;
  }

  private async evalNode(e: Expr): Promise<StepValue> {
    const ctx = this.ctx;
    switch (e.type) {
      case "NumberLiteral":
        return { kind: "scalar", vs: new Float64Array(ctx.n).fill(e.val) };
      case "StringLiteral":
        return { kind: "string", v: e.val };
      case "ParenExpr":
        return this.eval(e.expr);
      case "UnaryExpr":
        return this.unary(e);
      case "VectorSelector":
        return evalVectorSelector(ctx, e);
      case "MatrixSelector":
        return evalMatrixSelector(ctx, e);
      case "SubqueryExpr":
        return this.subquery(e);
      case "BinaryExpr":
        return this.binary(e);
      case "AggregateExpr":
        return this.aggregate(e);
      case "Call":
        return this.call(e);
    }
  }

  private async unary(e: UnaryExpr): Promise<StepValue> {
    const v = await this.eval(e.expr);
    if (e.op === "+") return v;
    return this.held([v], negate(v));
  }

  /**
   * A chain such as 1+1+...+1 parses left-deep, one BinaryExpr per operator: its left
   * spine is walked in a loop, not by recursion, so thousands of terms (which
   * Prometheus answers) cannot overflow the stack. Every operand still starts at once,
   * as the recursive Promise.all did.
   */
  private async binary(e: BinaryExpr): Promise<StepValue> {
    const spine: BinaryExpr[] = [e];
    let leftmost: Expr = e.lhs;
    while (leftmost.type === "BinaryExpr") {
      spine.push(leftmost);
      leftmost = leftmost.lhs;
    }
    spine.reverse();
    const [first, ...rights] = await Promise.all([this.eval(leftmost), ...spine.map((b) => this.eval(b.rhs))]);
    let acc = first!;
    for (let i = 0; i < spine.length; i++) {
      if (i > 0) this.ctx.checkDeadline();
      acc = this.combine(spine[i]!, acc, rights[i]!);
    }
    return acc;
  }

  private combine(e: BinaryExpr, l: StepValue, r: StepValue): StepValue {
    const ctx = this.ctx;
    if (l.kind === "scalar" && r.kind === "scalar") return scalarScalar(ctx, e, l, r);
    if (l.kind === "vector" && r.kind === "scalar") return this.held([l], vectorScalar(ctx, e, l, r, false));
    if (l.kind === "scalar" && r.kind === "vector") return this.held([r], vectorScalar(ctx, e, r, l, true));
    if (l.kind === "vector" && r.kind === "vector") {
      if (e.op === "and" || e.op === "or" || e.op === "unless") return this.held([l, r], setOp(ctx, e, l, r));
      return this.held([l, r], vectorVector(ctx, e, l, r));
    }
    throw new QueryError("execution", `binary expression must contain only scalar and instant vector types`);
  }

  private async aggregate(e: AggregateExpr): Promise<StepValue> {
    const param: AggregateParam = e.param === null ? null : ((await this.eval(e.param)) as StepScalar);
    const pushed = await pushedAggregate(this.ctx, e, param);
    if (pushed !== null) return this.held([], pushed);
    const v = await this.eval(e.expr);
    if (v.kind !== "vector") throw new QueryError("execution", `expected instant vector in aggregation, got ${v.kind}`);
    return this.held([v], aggregate(this.ctx, e, v, param));
  }

  private async call(e: Call): Promise<StepValue> {
    const impl = FUNCTIONS[e.func.name];
    if (impl === undefined) throw new QueryError("execution", `function "${e.func.name}" is not supported`);
    const pushed = (await pushedOverTime(this.ctx, e)) ?? (await pushedRangeFunction(this.ctx, e));
    if (pushed !== null) return this.held([], pushed);
    const args: StepValue[] = [];
    for (const a of e.args) args.push(await this.eval(a));
    return this.held(args, impl(this.ctx, args, e));
  }

  /** Evaluates the inner expression on its own step grid, aligned to multiples of the
   * subquery step from the epoch, and hands its points to the consumer as raw samples. */
  private async subquery(e: SubqueryExpr): Promise<StepRange> {
    const ctx = this.ctx;
    const { start, end: maxEnd, step, windowEnds } = subqueryGrid(ctx, e);
    const series: RangeSeries[] = [];
    if (start <= maxEnd) {
      const inner = ctx.child(start, maxEnd, step);
      const v = await new Evaluator(inner).eval(e.expr);
      inner.releaseSamples(size(v));
      const vec: StepVector =
        v.kind === "vector" ? v : v.kind === "scalar" ? { kind: "vector", series: [scalarSeries(v, inner.n)] } : { kind: "vector", series: [] };
      for (const s of vec.series) {
        let n = 0;
        for (let i = 0; i < inner.n; i++) if (s.has[i]) n++;
        const ts = new Float64Array(n);
        const vs = new Float64Array(n);
        const hs: (FloatHistogram | undefined)[] | undefined = s.hs === undefined ? undefined : [];
        let o = 0;
        for (let i = 0; i < inner.n; i++) {
          if (!s.has[i]) continue;
          ts[o] = inner.steps[i]!;
          const h = s.hs?.[i];
          if (h !== undefined) hs![o] = forgetResetHint(h);
          vs[o++] = s.vs[i]!;
        }
        const rs: RangeSeries = { labels: s.labels, ts, vs, dropName: s.dropName };
        if (hs !== undefined) rs.hs = hs;
        series.push(rs);
      }
    }
    const out: StepRange = { kind: "range", series, range: e.range, windowEnds };
    ctx.addSamples(size(out));
    return out;
  }
}

/** A subquery may skip the sample where a counter was reset, or return it several
 * times: explicit reset hints of its histograms would mislead, so (like Prometheus)
 * they become unknown and resets are detected from the values. */
function forgetResetHint(h: FloatHistogram): FloatHistogram {
  if (h.counterResetHint !== CounterResetHint.NotCounterReset && h.counterResetHint !== CounterResetHint.CounterReset) return h;
  const c = h.copy();
  c.counterResetHint = CounterResetHint.Unknown;
  return c;
}

function scalarSeries(v: StepScalar, n: number) {
  const s = newSeries([], n);
  s.vs.set(v.vs);
  s.has.fill(1);
  return s;
}

function negate(v: StepValue): StepValue {
  if (v.kind === "scalar") return { kind: "scalar", vs: v.vs.map((x) => -x) };
  if (v.kind !== "vector") throw new QueryError("execution", `unary expression only allowed on expressions of type scalar or instant vector, got ${v.kind}`);
  const series = v.series.map((s) => {
    const o: StepSeries = { ...s, dropName: true, vs: s.vs.map((x) => -x) };
    if (s.hs !== undefined) o.hs = s.hs.map((h) => (h === undefined ? undefined : h.copy().mul(-1)));
    return o;
  });
  return mergeSameLabels({ kind: "vector", series });
}

/** Samples a value holds, for the query's sample budget. */
function size(v: StepValue): number {
  if (v.kind === "vector") {
    let n = 0;
    for (const s of v.series) for (let i = 0; i < s.has.length; i++) n += s.has[i]!;
    return n;
  }
  if (v.kind === "range") return v.series.reduce((a, s) => a + s.ts.length, 0);
  return 0;
}
