import { quote } from "../../model/quote.js";
import { labelsKey, METRIC_NAME, metricName, sortLabels, type Label, type Labels } from "../../model/labels.js";
import { formatFloat } from "../../model/sample.js";
import type { AggregateExpr } from "../parser/ast.js";
import type { EvalContext } from "./context.js";
import { kahanAdd, mean, quantile } from "./float_math.js";
import { HistogramSum } from "./histogram_sum.js";
import { formatGoG } from "./functions/bucket_math.js";
import { newSeries, setHist, type StepScalar, type StepSeries, type StepString, type StepVector } from "./step_values.js";
import { QueryError } from "./value.js";

export type AggregateParam = StepScalar | StepString | null;

/** Output labels of the group a series falls in for `by (...)` / `without (...)`. */
function groupLabels(e: AggregateExpr, ls: Labels): Labels {
  const names = new Set(e.grouping);
  if (e.without) return ls.filter((l) => l.name !== METRIC_NAME && !names.has(l.name));
  return ls.filter((l) => names.has(l.name));
}

interface Group {
  labels: Labels;
  members: StepSeries[];
  /** Grouped by a metric name that some member was to lose. */
  dropName: boolean;
}

function groups(e: AggregateExpr, v: StepVector): Group[] {
  const byKey = new Map<string, Group>();
  for (const s of v.series) {
    const gl = groupLabels(e, s.labels);
    const key = labelsKey(gl);
    let g = byKey.get(key);
    if (g === undefined) byKey.set(key, (g = { labels: gl, members: [], dropName: false }));
    g.members.push(s);
    if (s.dropName && gl.some((l) => l.name === METRIC_NAME)) g.dropName = true;
  }
  return [...byKey.values()];
}

export function aggregate(ctx: EvalContext, e: AggregateExpr, v: StepVector, param: AggregateParam): StepVector {
  switch (e.op) {
    case "topk":
    case "bottomk":
    case "limitk":
    case "limit_ratio":
      return selectK(ctx, e, v, param as StepScalar);
    case "count_values":
      return countValues(ctx, e, v, (param as StepString).v);
    default:
      return reduce(ctx, e, v, param as StepScalar | null);
  }
}

function reduce(ctx: EvalContext, e: AggregateExpr, v: StepVector, param: StepScalar | null): StepVector {
  if (e.op === "quantile" && param !== null) warnQuantile(ctx, param.vs, e.param!.pos.start);
  const out: StepVector = { kind: "vector", series: [] };
  const vals: number[] = [];
  const exprPos = ctx.pos(e.expr.pos.start);
  const ignored = `PromQL info: ignored histogram in ${e.op} aggregation (${exprPos})`;
  const sumsHistograms = e.op === "sum" || e.op === "avg";
  for (const g of groups(e, v)) {
    const o = newSeries(g.labels, ctx.n);
    o.dropName = g.dropName;
    let any = false;
    for (let i = 0; i < ctx.n; i++) {
      ctx.checkDeadline();
      let hasFloat = false;
      let hist: HistogramSum | null = null;
      let histCount = 0;
      let count = 0;
      let sum = 0;
      let c = 0;
      let min = NaN;
      let max = NaN;
      let welford = 0;
      let m2 = 0;
      vals.length = 0;
      for (const s of g.members) {
        if (!s.has[i]) continue;
        const h = s.hs?.[i];
        if (h !== undefined) {
          if (sumsHistograms) {
            histCount++;
            // A histogram only counts when the group starts with one; a float
            // first makes the group a mix, which has no result anyway.
            if (histCount === 1 && !hasFloat) hist = new HistogramSum(h, e.op === "avg");
            else if (hist !== null) hist.add(h, ctx, exprPos, metricName(s.labels));
            continue;
          }
          if (e.op === "count" || e.op === "group") {
            count++;
            continue;
          }
          ctx.infos.add(ignored);
          continue;
        }
        hasFloat = true;
        const x = s.vs[i]!;
        count++;
        switch (e.op) {
          case "sum":
            [sum, c] = kahanAdd(x, sum, c);
            break;
          case "min":
            if (count === 1 || min > x || Number.isNaN(min)) min = x;
            break;
          case "max":
            if (count === 1 || max < x || Number.isNaN(max)) max = x;
            break;
          case "stddev":
          case "stdvar": {
            const d = x - welford;
            welford += d / count;
            m2 += d * (x - welford);
            break;
          }
          case "quantile":
          case "avg":
            vals.push(x);
            break;
          default:
            break;
        }
      }
      if (sumsHistograms && histCount > 0) {
        if (hasFloat) {
          ctx.warnings.add(`PromQL warning: encountered a mix of histograms and floats for aggregation (${exprPos})`);
          continue;
        }
        const res = hist!.result(ctx, exprPos);
        if (res === null) continue;
        setHist(o, i, res);
        any = true;
        continue;
      }
      if (count === 0) continue;
      let r: number;
      switch (e.op) {
        case "sum":
          r = sum + c;
          break;
        case "avg":
          r = mean(vals);
          break;
        case "count":
          r = count;
          break;
        case "group":
          r = 1;
          break;
        case "min":
          r = min;
          break;
        case "max":
          r = max;
          break;
        case "stdvar":
          r = m2 / count;
          break;
        case "stddev":
          r = Math.sqrt(m2 / count);
          break;
        case "quantile":
          r = quantile(param!.vs[i]!, vals);
          break;
        default:
          throw new QueryError("execution", `unknown aggregation ${e.op}`);
      }
      o.vs[i] = r;
      o.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(o);
  }
  return out;
}

function countValues(ctx: EvalContext, e: AggregateExpr, v: StepVector, label: string): StepVector {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new QueryError("execution", `invalid label name ${quote(label)}`);
  const out = new Map<string, StepSeries>();
  for (const g of groups(e, v)) {
    for (let i = 0; i < ctx.n; i++) {
      for (const s of g.members) {
        if (!s.has[i]) continue;
        const ls: Label[] = g.labels.filter((l) => l.name !== label);
        const h = s.hs?.[i];
        ls.push({ name: label, value: h === undefined ? formatFloat(s.vs[i]!) : h.toString() });
        const labels = sortLabels(ls);
        const key = labelsKey(labels);
        let o = out.get(key);
        if (o === undefined) out.set(key, (o = newSeries(labels, ctx.n)));
        o.vs[i] = (o.has[i] ? o.vs[i]! : 0) + 1;
        o.has[i] = 1;
      }
    }
  }
  return { kind: "vector", series: [...out.values()] };
}

/** topk/bottomk/limitk/limit_ratio: per step, a subset of each group's series, kept
 * with their own labels. */
function selectK(ctx: EvalContext, e: AggregateExpr, v: StepVector, param: StepScalar): StepVector {
  // Checked over all steps even when nothing is selected, as Prometheus does.
  if (e.op === "limit_ratio") {
    for (const p of param.vs) if (Number.isNaN(p)) throw new QueryError("execution", "Ratio value is NaN");
    for (const p of param.vs) {
      if (p < -1 || p > 1) {
        const to = p < -1 ? -1 : 1;
        ctx.warnings.add(`PromQL warning: ratio value should be between -1 and 1, got ${formatGoG(p)}, capping to ${formatGoG(to)} (${ctx.pos(e.param!.pos.start)})`);
      }
    }
  } else if (!checkK(param.vs)) {
    return { kind: "vector", series: [] };
  }
  const picked = new Map<StepSeries, StepSeries>();
  const order: StepSeries[] = [];
  const take = (s: StepSeries, i: number) => {
    let o = picked.get(s);
    if (o === undefined) {
      picked.set(s, (o = newSeries(s.labels, ctx.n)));
      o.dropName = s.dropName;
      order.push(o);
    }
    o.vs[i] = s.vs[i]!;
    o.has[i] = 1;
    const h = s.hs?.[i];
    if (h !== undefined) (o.hs ??= [])[i] = h;
  };
  const ignored = `PromQL info: ignored histogram in ${e.op} aggregation (${ctx.pos(e.pos.start)})`;
  for (const g of groups(e, v)) {
    for (let i = 0; i < ctx.n; i++) {
      const p = param.vs[i]!;
      const present = g.members.filter((s) => s.has[i]);
      if (present.length === 0) continue;
      if (e.op === "limit_ratio") {
        if (Number.isNaN(p)) throw new QueryError("execution", "Ratio value is NaN");
        const r = Math.max(-1, Math.min(1, p));
        for (const s of present) if (ratioIncludes(r, s.labels)) take(s, i);
        continue;
      }
      const k = Math.trunc(p);
      if (k <= 0) continue;
      if (e.op === "limitk") {
        for (const s of present.slice(0, k)) take(s, i);
        continue;
      }
      const top = e.op === "topk";
      const floats = present.filter((s) => s.hs?.[i] === undefined);
      if (floats.length < present.length) ctx.infos.add(ignored);
      const sorted = floats.sort((a, b) => cmpForK(a.vs[i]!, b.vs[i]!, top));
      for (const s of sorted.slice(0, k)) take(s, i);
    }
  }
  return { kind: "vector", series: order };
}

/** Orders candidates best first; NaN is always worst, as in Prometheus' heaps. */
function cmpForK(a: number, b: number, top: boolean): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return top ? b - a : a - b;
}

/** Prometheus' checks of the k of topk/bottomk/limitk over all steps: false when no
 * step asks for a series (k < 1 everywhere, the query's answer is empty), else an
 * error for NaN or a k beyond int64. Go's math.Max/Min propagate NaN, as Math's do. */
function checkK(ks: Float64Array): boolean {
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let nan = false;
  for (const k of ks) {
    min = Math.min(min, k);
    max = Math.max(max, k);
    if (Number.isNaN(k)) nan = true;
  }
  if (max < 1) return false;
  if (nan) throw new QueryError("execution", "Parameter value is NaN");
  if (min <= -(2 ** 63)) throw new QueryError("execution", `Scalar value ${formatGoG(min)} underflows int64`);
  if (max >= 2 ** 63) throw new QueryError("execution", `Scalar value ${formatGoG(max)} overflows int64`);
  return true;
}

/** limit_ratio keeps a series when its label hash, as a fraction of the hash space,
 * falls below the ratio (or, for a negative ratio, at or above 1 + ratio), so that
 * limit_ratio(r) and limit_ratio(-(1-r)) partition the input. */
function ratioIncludes(r: number, ls: Labels): boolean {
  const offset = hashFraction(ls);
  return r >= 0 ? offset < r : offset >= 1 + r;
}

function hashFraction(ls: Labels): number {
  // 53-bit FNV-style mix of the label key: deterministic across runs and shards.
  const s = labelsKey(ls);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193);
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995);
  }
  return ((h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) >>> 11)) / 2 ** 53;
}

/** Prometheus warns (and still answers ±Inf or NaN) for a φ outside [0, 1]. */
export function warnQuantile(ctx: EvalContext, qs: Float64Array, at: number): void {
  for (const q of qs) warnInvalidQuantile(ctx, q, at);
}

export function warnInvalidQuantile(ctx: EvalContext, q: number, at: number): void {
  if (q !== q || q < 0 || q > 1) {
    ctx.warnings.add(`PromQL warning: quantile value should be between 0 and 1, got ${formatGoG(q)} (${ctx.pos(at)})`);
  }
}

