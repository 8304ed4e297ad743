import { CounterResetHint, HistogramError, type FloatHistogram } from "../../../model/histogram.js";
import { metricName } from "../../../model/labels.js";
import type { Call } from "../../parser/ast.js";
import { warnQuantile } from "../aggregate.js";
import { HistogramSum } from "../histogram_sum.js";
import { floatCompare, kahanAdd, mean, quantile } from "../float_math.js";
import type { EvalContext } from "../context.js";
import type { StepValue } from "../step_values.js";
import { QueryError } from "../value.js";
import type { FunctionImpl } from "./function.js";
import { extrapolatedDelta, maxOf, minOf } from "../../../model/window_math.js";
import { asRange, asScalar, overWindows, splitWindow, type Window } from "./helpers.js";

/** Annotations of range functions over native histograms, positioned at the range
 * argument. */
class RangeNotes {
  constructor(
    private readonly ctx: EvalContext,
    private readonly call: Call,
  ) {}

  private get pos(): string {
    return this.ctx.pos(this.call.args[0]!.pos.start);
  }

  mixed(w: Window): void {
    this.ctx.warnings.add(`PromQL warning: encountered a mix of histograms and floats for metric name ${JSON.stringify(metricName(w.labels))} (${this.pos})`);
  }

  ignoredInMixed(w: Window): void {
    this.ctx.infos.add(`PromQL info: ignored histograms in a range containing both floats and histograms for metric name ${JSON.stringify(metricName(w.labels))} (${this.pos})`);
  }

  mixedSchemas(w: Window): void {
    this.ctx.warnings.add(
      `PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(metricName(w.labels))} (${this.pos})`,
    );
  }

  notCounter(w: Window): void {
    this.ctx.warnings.add(`PromQL warning: this native histogram metric is not a counter: ${JSON.stringify(metricName(w.labels))} (${this.pos})`);
  }

  notGauge(w: Window): void {
    this.ctx.warnings.add(`PromQL warning: this native histogram metric is not a gauge: ${JSON.stringify(metricName(w.labels))} (${this.pos})`);
  }

  reconciled(what: "addition" | "subtraction"): void {
    this.ctx.infos.add(`PromQL info: mismatched custom buckets were reconciled during ${what} (${this.pos})`);
  }

}

/** Prometheus' histogramRate: last minus first (at the coarsest schema seen), plus
 * the histogram before every counter reset; null when the histograms cannot be
 * combined (after annotating why). */
function histogramRate(w: Window, idx: number[], isCounter: boolean, notes: RangeNotes): FloatHistogram | null {
  const hs = w.hs!;
  const first = hs[idx[0]!]!;
  const last = hs[idx[idx.length - 1]!]!;
  let prev = first;
  let custom = prev.usesCustomBuckets();
  if (isCounter && (first.counterResetHint === CounterResetHint.Gauge || last.counterResetHint === CounterResetHint.Gauge)) notes.notCounter(w);
  if (isCounter) {
    const second = hs[idx[1]!]!;
    if (second.detectReset(prev)) {
      const zero = prev.copy();
      zero.counterResetHint = CounterResetHint.Unknown;
      zero.schema = second.schema;
      zero.customValues = second.customValues;
      zero.zeroThreshold = 0;
      zero.zeroCount = zero.count = zero.sum = 0;
      zero.positiveSpans = [];
      zero.negativeSpans = [];
      zero.positiveBuckets = [];
      zero.negativeBuckets = [];
      prev = zero;
      custom = second.usesCustomBuckets();
    }
  }
  if (last.usesCustomBuckets() !== custom) {
    notes.mixedSchemas(w);
    return null;
  }
  let minSchema = Math.min(last.schema, prev.schema);
  for (let k = 1; k < idx.length - 1; k++) {
    const cur = hs[idx[k]!]!;
    if (!isCounter) continue;
    if (cur.counterResetHint === CounterResetHint.Gauge) notes.notCounter(w);
    if (cur.schema < minSchema) minSchema = cur.schema;
    if (cur.usesCustomBuckets() !== custom) {
      notes.mixedSchemas(w);
      return null;
    }
  }
  const h = last.copyToSchema(minSchema);
  try {
    if (h.sub(prev).nhcbBoundsReconciled) notes.reconciled("subtraction");
    if (isCounter) {
      for (let k = 1; k < idx.length; k++) {
        const cur = hs[idx[k]!]!;
        if (cur.detectReset(prev)) {
          if (h.add(prev).nhcbBoundsReconciled) notes.reconciled("addition");
        }
        prev = cur;
      }
    } else if (first.counterResetHint !== CounterResetHint.Gauge || last.counterResetHint !== CounterResetHint.Gauge) {
      notes.notGauge(w);
    }
  } catch (e) {
    if (!(e instanceof HistogramError)) throw e;
    notes.mixedSchemas(w);
    return null;
  }
  h.counterResetHint = CounterResetHint.Gauge;
  return h.compact();
}

/** rate/increase/delta: the change over the window extrapolated towards its edges the
 * way Prometheus does (at most half a sample interval past the first/last sample,
 * never below a counter's zero point). */
function extrapolated(isCounter: boolean, isRate: boolean): FunctionImpl {
  return (ctx, args, call) => {
    const r = asRange(args[0]!);
    const notes = new RangeNotes(ctx, call);
    return overWindows(ctx, r, (w) => {
      if (w.hs !== undefined) {
        const { floats, hists } = splitWindow(w);
        if (hists.length > 0) {
          if (floats.length > 0) {
            notes.mixed(w);
            return undefined;
          }
          return extrapolatedHistogram(w, hists, isCounter, isRate, r.range, notes);
        }
      }
      return extrapolatedDelta(w.ts, w.vs, w.lo, w.hi, w.start, w.end, r.range, isCounter, isRate);
    });
  };
}

/** rate/increase/delta over a window of histograms only. */
function extrapolatedHistogram(w: Window, idx: number[], isCounter: boolean, isRate: boolean, range: number, notes: RangeNotes): FloatHistogram | undefined {
  if (idx.length < 2) return undefined;
  const h = histogramRate(w, idx, isCounter, notes);
  if (h === null) return undefined;
  const firstT = w.ts[idx[0]!]!;
  const lastT = w.ts[idx[idx.length - 1]!]!;
  let toStart = (firstT - w.start) / 1000;
  let toEnd = (w.end - lastT) / 1000;
  const sampled = (lastT - firstT) / 1000;
  const avgStep = sampled / (idx.length - 1);
  const threshold = avgStep * 1.1;
  if (toStart >= threshold) toStart = avgStep / 2;
  if (isCounter) {
    const firstCount = w.hs![idx[0]!]!.count;
    if (h.count > 0 && firstCount >= 0) {
      const toZero = sampled * (firstCount / h.count);
      if (toZero < toStart) toStart = toZero;
    }
  }
  if (toEnd >= threshold) toEnd = avgStep / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= range / 1000;
  return h.mul(factor);
}

function instant(isRate: boolean): FunctionImpl {
  return (ctx, args, call) => {
    const notes = new RangeNotes(ctx, call);
    return overWindows(ctx, asRange(args[0]!), (w) => {
      if (w.hi - w.lo < 2) return undefined;
      const h1 = w.hs?.[w.hi - 1];
      const h0 = w.hs?.[w.hi - 2];
      if (h1 !== undefined || h0 !== undefined) return instantHistogram(w, h0, h1, isRate, notes);
      const last = w.vs[w.hi - 1]!;
      const prev = w.vs[w.hi - 2]!;
      const dt = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
      if (dt === 0) return undefined;
      const v = isRate && last < prev ? last : last - prev;
      return isRate ? v / (dt / 1000) : v;
    });
  };
}

/** irate/idelta where one of the last two samples is a histogram. */
function instantHistogram(w: Window, h0: FloatHistogram | undefined, h1: FloatHistogram | undefined, isRate: boolean, notes: RangeNotes): FloatHistogram | undefined {
  const dt = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
  if (dt === 0) return undefined;
  if (h0 === undefined || h1 === undefined) {
    notes.mixed(w);
    return undefined;
  }
  const res = h1.copy();
  if (isRate && (h1.counterResetHint === CounterResetHint.Gauge || h0.counterResetHint === CounterResetHint.Gauge)) notes.notCounter(w);
  if (!isRate && (h1.counterResetHint !== CounterResetHint.Gauge || h0.counterResetHint !== CounterResetHint.Gauge)) notes.notGauge(w);
  if (!isRate || !h1.detectReset(h0)) {
    try {
      if (res.sub(h0).nhcbBoundsReconciled) notes.reconciled("subtraction");
    } catch (e) {
      if (!(e instanceof HistogramError)) throw e;
      notes.mixedSchemas(w);
      return undefined;
    }
  }
  res.counterResetHint = CounterResetHint.Gauge;
  res.compact();
  if (isRate) res.div(dt / 1000);
  return res;
}

/** Least-squares fit over the window with x in seconds relative to interceptT. */
export function linearRegression(w: Window, interceptT: number): [number, number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = w.vs[w.lo]!;
  let constY = true;
  for (let k = w.lo; k < w.hi; k++) {
    const y = w.vs[k]!;
    if (constY && k > w.lo && y !== initY) constY = false;
    n++;
    const x = (w.ts[k]! - interceptT) / 1000;
    [sumX, cX] = kahanAdd(x, sumX, cX);
    [sumY, cY] = kahanAdd(y, sumY, cY);
    [sumXY, cXY] = kahanAdd(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanAdd(x * x, sumX2, cX2);
  }
  if (constY) return Number.isFinite(initY) ? [0, initY] : [NaN, NaN];
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

/** An *_over_time function: fn sees every window with at least one sample. */
function overTime(fn: (w: Window, i: number) => number | FloatHistogram | undefined, keepName = false): FunctionImpl {
  return (ctx, args) => overWindows(ctx, asRange(args[args.length - 1]!), (w, i) => (w.hi > w.lo ? fn(w, i) : undefined), keepName);
}

/** The window's float samples only, as a window of their own. */
function floatWindow(w: Window, floats: number[]): Window {
  const ts = new Float64Array(floats.length);
  const vs = new Float64Array(floats.length);
  floats.forEach((k, o) => {
    ts[o] = w.ts[k]!;
    vs[o] = w.vs[k]!;
  });
  return { ...w, ts, vs, hs: undefined, lo: 0, hi: floats.length };
}

/** A function of float samples that skips histograms: it needs `min` floats; when
 * histograms were skipped it says so (info), when too few floats remain it says so
 * only if `infoWhenShort` and one float is left (deriv and the like). */
function floatsOnly(min: number, infoWhenShort: boolean, fn: (w: Window, i: number) => number | undefined): (ctx: EvalContext, call: Call) => (w: Window, i: number) => number | undefined {
  return (ctx, call) => {
    const notes = new RangeNotes(ctx, call);
    return (w, i) => {
      if (w.hs === undefined) return w.hi - w.lo >= min ? fn(w, i) : undefined;
      const { floats, hists } = splitWindow(w);
      if (floats.length < min) {
        if (infoWhenShort && floats.length === 1 && hists.length > 0) notes.ignoredInMixed(w);
        return undefined;
      }
      if (hists.length === 0) return fn(w, i);
      notes.ignoredInMixed(w);
      return fn(floatWindow(w, floats), i);
    };
  };
}

/** A FunctionImpl over windows of the last argument built by `make`. */
function windowsOf(make: (ctx: EvalContext, call: Call, args: StepValue[]) => (w: Window, i: number) => number | FloatHistogram | undefined, rangeArg = -1): FunctionImpl {
  return (ctx, args, call) => overWindows(ctx, asRange(args[rangeArg < 0 ? args.length - 1 : rangeArg]!), make(ctx, call, args));
}

/** sum_over_time/avg_over_time of histograms. */
function histogramSumOverTime(w: Window, hists: number[], avg: boolean, ctx: EvalContext, pos: string): FloatHistogram | undefined {
  const acc = new HistogramSum(w.hs![hists[0]!]!, avg);
  const name = metricName(w.labels);
  for (let k = 1; k < hists.length; k++) if (!acc.add(w.hs![hists[k]!]!, ctx, pos, name)) break;
  return acc.result(ctx, pos) ?? undefined;
}

function sumOrAvgOverTime(avg: boolean, floatFn: (w: Window) => number): FunctionImpl {
  return windowsOf((ctx, call) => {
    const notes = new RangeNotes(ctx, call);
    return (w) => {
      if (w.hi <= w.lo) return undefined;
      if (w.hs === undefined) return floatFn(w);
      const { floats, hists } = splitWindow(w);
      if (hists.length === 0) return floatFn(w);
      if (floats.length > 0) {
        notes.mixed(w);
        return undefined;
      }
      return histogramSumOverTime(w, hists, avg, ctx, ctx.pos(call.args[0]!.pos.start));
    };
  });
}

/** Index of the last sample that `better` prefers over every earlier one; NaN loses. */
function extremeIndex(w: Window, better: (a: number, b: number) => boolean): number {
  let best = w.lo;
  for (let k = w.lo + 1; k < w.hi; k++) {
    const v = w.vs[k]!;
    const b = w.vs[best]!;
    if (Number.isNaN(b) || (!Number.isNaN(v) && better(v, b))) best = k;
  }
  return best;
}

function values(w: Window): number[] {
  return Array.from(w.vs.subarray(w.lo, w.hi));
}

function stdvar(w: Window): number {
  let count = 0, m = 0, cm = 0, aux = 0, caux = 0;
  for (let k = w.lo; k < w.hi; k++) {
    const x = w.vs[k]!;
    count++;
    const delta = x - (m + cm);
    [m, cm] = kahanAdd(delta / count, m, cm);
    [aux, caux] = kahanAdd(delta * (x - (m + cm)), aux, caux);
  }
  return (aux + caux) / count;
}

function scalarArg(ctx: EvalContext, args: StepValue[], k: number): Float64Array {
  return asScalar(args[k], ctx).vs;
}

export const rangeFunctions: Record<string, FunctionImpl> = {
  rate: extrapolated(true, true),
  increase: extrapolated(true, false),
  delta: extrapolated(false, false),
  irate: instant(true),
  idelta: instant(false),
  deriv: windowsOf(floatsOnly(2, true, (w) => linearRegression(w, w.ts[w.lo]!)[0])),
  predict_linear: windowsOf((ctx, call, args) => {
    const d = scalarArg(ctx, args, 1);
    return floatsOnly(2, true, (w, i) => {
      const [slope, intercept] = linearRegression(w, w.stepT);
      return slope * d[i]! + intercept;
    })(ctx, call);
  }, 0),
  double_exponential_smoothing: (ctx, args, call) => {
    const sfs = scalarArg(ctx, args, 1);
    const tfs = scalarArg(ctx, args, 2);
    const fn = floatsOnly(2, true, (w, i) => {
      let s0 = 0;
      let s1 = w.vs[w.lo]!;
      let b = w.vs[w.lo + 1]! - s1;
      const sf = sfs[i]!;
      const tf = tfs[i]!;
      for (let k = 1; k < w.hi - w.lo; k++) {
        const x = sf * w.vs[w.lo + k]!;
        if (k > 1) b = tf * (s1 - s0) + (1 - tf) * b;
        const y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      return s1;
    })(ctx, call);
    return overWindows(ctx, asRange(args[0]!), (w, i) => {
      const sf = sfs[i]!;
      const tf = tfs[i]!;
      if (!(sf > 0 && sf < 1)) throw new QueryError("execution", `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
      if (!(tf > 0 && tf < 1)) throw new QueryError("execution", `invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
      return fn(w, i);
    });
  },
  avg_over_time: sumOrAvgOverTime(true, (w) => mean(w.vs, w.lo, w.hi)),
  sum_over_time: sumOrAvgOverTime(false, (w) => {
    let s = 0, c = 0;
    for (let k = w.lo; k < w.hi; k++) [s, c] = kahanAdd(w.vs[k]!, s, c);
    return Number.isFinite(s) ? s + c : s;
  }),
  count_over_time: overTime((w) => w.hi - w.lo),
  min_over_time: windowsOf(floatsOnly(1, false, (w) => minOf(w.vs, w.lo, w.hi))),
  max_over_time: windowsOf(floatsOnly(1, false, (w) => maxOf(w.vs, w.lo, w.hi))),
  last_over_time: overTime((w) => w.hs?.[w.hi - 1] ?? w.vs[w.hi - 1]!, true),
  first_over_time: overTime((w) => w.hs?.[w.lo] ?? w.vs[w.lo]!, true),
  ts_of_last_over_time: overTime((w) => w.ts[w.hi - 1]! / 1000),
  ts_of_first_over_time: overTime((w) => w.ts[w.lo]! / 1000),
  ts_of_min_over_time: windowsOf(floatsOnly(1, false, (w) => w.ts[extremeIndex(w, (a, b) => a <= b)]! / 1000)),
  ts_of_max_over_time: windowsOf(floatsOnly(1, false, (w) => w.ts[extremeIndex(w, (a, b) => a >= b)]! / 1000)),
  present_over_time: overTime(() => 1),
  stdvar_over_time: windowsOf(floatsOnly(1, false, (w) => stdvar(w))),
  stddev_over_time: windowsOf(floatsOnly(1, false, (w) => Math.sqrt(stdvar(w)))),
  mad_over_time: windowsOf(floatsOnly(1, false, (w) => {
    const vals = values(w);
    if (vals.some(Number.isNaN)) return NaN;
    const med = quantile(0.5, vals);
    return quantile(0.5, vals.map((x) => Math.abs(x - med)));
  })),
  changes: overTime((w) => {
    let n = 0;
    for (let k = w.lo + 1; k < w.hi; k++) {
      const ha = w.hs?.[k - 1];
      const hb = w.hs?.[k];
      if (ha !== undefined || hb !== undefined) {
        if (ha === undefined || hb === undefined || !hb.equals(ha)) n++;
        continue;
      }
      const a = w.vs[k - 1]!;
      const b = w.vs[k]!;
      if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) n++;
    }
    return n;
  }),
  resets: overTime((w) => {
    let n = 0;
    for (let k = w.lo + 1; k < w.hi; k++) {
      const ha = w.hs?.[k - 1];
      const hb = w.hs?.[k];
      if (ha !== undefined || hb !== undefined) {
        if (ha === undefined || hb === undefined || hb.detectReset(ha)) n++;
        continue;
      }
      if (w.vs[k]! < w.vs[k - 1]!) n++;
    }
    return n;
  }),
  quantile_over_time: (ctx, args, call) => {
    const qs = scalarArg(ctx, args, 0);
    const fn = floatsOnly(1, false, (w, i) => quantile(qs[i]!, values(w)))(ctx, call);
    let warned = false;
    return overWindows(ctx, asRange(args[1]!), (w, i) => {
      const v = fn(w, i);
      if (v !== undefined && !warned) {
        warnQuantile(ctx, qs, call.args[0]!.pos.start);
        warned = true;
      }
      return v;
    });
  },
};

export { floatCompare };
