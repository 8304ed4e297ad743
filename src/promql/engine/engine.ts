import { compareLabels } from "../../model/labels.js";
import type { Querier } from "../../storage/storage.js";
import type { Expr } from "../parser/ast.js";
import { parseExpr } from "../parser/parser.js";
import { exprChildren } from "../parser/walk.js";
import { EvalContext } from "./context.js";
import { Evaluator } from "./evaluator.js";
import { windowBounds } from "./selectors.js";
import { dropName, mergeSameLabels } from "./binary.js";
import type { StepValue, StepVector } from "./step_values.js";
import {
  DEFAULT_ENGINE_OPTIONS,
  QueryError,
  type EngineOptions,
  type MatrixSeries,
  type QueryOptions,
  type QueryResult,
  type QueryStats,
  type Value,
} from "./value.js";

/** Prometheus' default global evaluation interval, the step of `[range:]` subqueries. */
const DEFAULT_SUBQUERY_STEP = 60_000;
const MAX_POINTS_PER_SERIES = 11_000;

/** Prometheus' bound on a range query's steps. Its API checks it before parsing the
 * query, so the query API calls this first; the engine checks again for its other
 * callers. */
export function checkResolution(start: number, end: number, step: number): void {
  if ((end - start) / step > MAX_POINTS_PER_SERIES) {
    throw new QueryError("bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
  }
}

/** Evaluates PromQL over any Querier; it never learns where samples live. */
export class Engine {
  readonly opts: EngineOptions;

  constructor(opts: Partial<EngineOptions> = {}) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...opts };
  }

  async instantQuery(querier: Querier, query: string | Expr, t: number, opts: QueryOptions = {}): Promise<QueryResult> {
    const clock = new PhaseClock();
    const expr = typeof query === "string" ? parseExpr(query) : query;
    const ctx = this.context(querier, t, t, 0);
    if (typeof query === "string") ctx.query = query;
    collectStats(ctx, opts);
    clock.prepared();
    const v = await new Evaluator(ctx).eval(expr);
    clock.evaluated();
    const value = instantValue(v, t);
    const res: QueryResult = { value, warnings: [...ctx.warnings], infos: [...ctx.infos] };
    if (opts.stats) res.stats = clock.stats(ctx);
    return res;
  }

  async rangeQuery(querier: Querier, query: string | Expr, start: number, end: number, step: number, opts: QueryOptions = {}): Promise<QueryResult> {
    const clock = new PhaseClock();
    const expr = typeof query === "string" ? parseExpr(query) : query;
    if (step <= 0) throw new QueryError("bad_data", "zero or negative query resolution step widths are not accepted. Try a positive integer");
    if (end < start) throw new QueryError("bad_data", "end timestamp must not be before start time");
    checkResolution(start, end, step);
    const ctx = this.context(querier, start, end, step);
    if (typeof query === "string") ctx.query = query;
    warnIneffectiveSort(ctx, expr);
    collectStats(ctx, opts);
    clock.prepared();
    const v = await new Evaluator(ctx).eval(expr);
    clock.evaluated();
    if (v.kind === "range" || v.kind === "string") {
      throw new QueryError(
        "bad_data",
        `invalid expression type "${v.kind === "range" ? "range vector" : "string"}" for range query, must be Scalar or instant Vector`,
      );
    }
    const series: MatrixSeries[] = [];
    const all = v.kind === "scalar" ? [{ labels: [], vs: v.vs, has: new Uint8Array(ctx.n).fill(1) }] : finalNames(v).series;
    for (const s of all) {
      let n = 0;
      for (let i = 0; i < ctx.n; i++) if (s.has[i]) n++;
      if (n === 0) continue;
      // A float series with a value at every step (the usual one) is its step values
      // as they are, at the query's own step times; the answer only reads them.
      if (n === ctx.n && !("hs" in s && s.hs !== undefined)) {
        series.push({ labels: s.labels, ts: ctx.steps, vs: s.vs.length === ctx.n ? s.vs : s.vs.subarray(0, ctx.n) });
        continue;
      }
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      const shs = "hs" in s ? s.hs : undefined;
      const hs: MatrixSeries["hs"] = shs === undefined ? undefined : [];
      let o = 0;
      for (let i = 0; i < ctx.n; i++) {
        if (!s.has[i]) continue;
        ts[o] = ctx.steps[i]!;
        const h = shs?.[i];
        if (h !== undefined) hs![o] = h;
        vs[o++] = s.vs[i]!;
      }
      series.push(hs === undefined ? { labels: s.labels, ts, vs } : { labels: s.labels, ts, vs, hs });
    }
    series.sort((a, b) => compareLabels(a.labels, b.labels));
    clock.sorted();
    const res: QueryResult = { value: { type: "matrix", series }, warnings: [...ctx.warnings], infos: [...ctx.infos] };
    if (opts.stats) res.stats = clock.stats(ctx);
    return res;
  }

  private context(querier: Querier, start: number, end: number, step: number): EvalContext {
    return new EvalContext(
      querier,
      start,
      end,
      step,
      this.opts.lookbackDeltaMs,
      this.opts.maxSamples,
      Date.now() + this.opts.timeoutMs,
      start,
      end,
      DEFAULT_SUBQUERY_STEP,
    );
  }
}

function collectStats(ctx: EvalContext, opts: QueryOptions): void {
  if (!opts.stats) return;
  ctx.queryable = { total: 0 };
  if (opts.stats.perStep) ctx.queryablePerStep = new Float64Array(ctx.n);
}

/** Phase timings for QueryStats. There is no queue in front of the engine, so the
 * queue time is zero; preparation is parsing and setting up the step grid (selectors
 * read storage while evaluating). Inside a Worker the clock only moves across I/O. */
class PhaseClock {
  private readonly t0 = performance.now();
  private tPrepared = this.t0;
  private tEvaluated = this.t0;
  private tSorted = -1;

  prepared(): void {
    this.tPrepared = performance.now();
  }

  evaluated(): void {
    this.tEvaluated = performance.now();
  }

  sorted(): void {
    this.tSorted = performance.now();
  }

  stats(ctx: EvalContext): QueryStats {
    const end = this.tSorted >= 0 ? this.tSorted : this.tEvaluated;
    const sec = (ms: number) => Math.max(0, ms) / 1000;
    const samples: QueryStats["samples"] = { totalQueryableSamples: ctx.queryable?.total ?? 0, peakSamples: ctx.peakSamples };
    const per = ctx.queryablePerStep;
    if (per !== null) {
      samples.totalQueryableSamplesPerStep = Array.from(per, (n, i): [number, number] => [ctx.steps[i]!, n]);
    }
    return {
      timings: {
        evalTotalTime: sec(end - this.tPrepared),
        resultSortTime: sec(this.tSorted >= 0 ? this.tSorted - this.tEvaluated : 0),
        queryPreparationTime: sec(this.tPrepared - this.t0),
        innerEvalTime: sec(this.tEvaluated - this.tPrepared),
        execQueueTime: 0,
        execTotalTime: sec(end - this.t0),
      },
      // Key order as Prometheus writes them.
      samples: per !== null ? { totalQueryableSamplesPerStep: samples.totalQueryableSamplesPerStep, totalQueryableSamples: samples.totalQueryableSamples, peakSamples: samples.peakSamples } : samples,
    };
  }
}

const SORT_FUNCTIONS = new Set(["sort", "sort_desc", "sort_by_label", "sort_by_label_desc"]);

/** A range query's series are always ordered by labels, so sorting does nothing. */
function warnIneffectiveSort(ctx: EvalContext, e: Expr): void {
  const visit = (x: Expr): void => {
    if (x.type === "Call" && SORT_FUNCTIONS.has(x.func.name)) {
      ctx.warnings.add(`PromQL warning: sort is ineffective for range queries since results are always ordered by labels (${ctx.pos(x.pos.start)})`);
    }
    for (const c of exprChildren(x)) visit(c);
  };
  visit(e);
}

/** Drops the metric names marked for dropping, now that the query is done; series
 * that then share a label set are one, unless they meet at a step. */
function finalNames(v: StepVector): StepVector {
  if (!v.series.some((s) => s.dropName)) return v;
  return mergeSameLabels({
    kind: "vector",
    series: v.series.map((s) => (s.dropName ? { ...s, labels: dropName(s.labels), dropName: false } : s)),
  });
}

function instantValue(v: StepValue, t: number): Value {
  switch (v.kind) {
    case "scalar":
      return { type: "scalar", t, v: v.vs[0]! };
    case "string":
      return { type: "string", t, v: v.v };
    case "vector":
      return {
        type: "vector",
        samples: finalNames(v)
          .series.filter((s) => s.has[0])
          .map((s) => {
            const h = s.hs?.[0];
            return h === undefined ? { labels: s.labels, t, v: s.vs[0]! } : { labels: s.labels, t, v: 0, h };
          }),
      };
    case "range": {
      const end = v.windowEnds[0]!;
      const series: MatrixSeries[] = [];
      for (const s of v.series) {
        const [lo, hi] = windowBounds(s.ts, end, v.range, 0);
        if (hi <= lo) continue;
        const m: MatrixSeries = { labels: s.labels, ts: s.ts.slice(lo, hi), vs: s.vs.slice(lo, hi) };
        if (s.hs !== undefined) m.hs = s.hs.slice(lo, hi);
        series.push(m);
      }
      return { type: "matrix", series };
    }
  }
}
