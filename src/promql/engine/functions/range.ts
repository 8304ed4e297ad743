import { warnQuantile } from "../aggregate.js";
import { floatCompare, kahanAdd, mean, quantile } from "../float_math.js";
import type { EvalContext } from "../context.js";
import type { StepValue } from "../step_values.js";
import { QueryError } from "../value.js";
import type { FunctionImpl } from "./function.js";
import { extrapolatedDelta } from "../../../model/window_math.js";
import { asRange, asScalar, overWindows, type Window } from "./helpers.js";

/** rate/increase/delta: the change over the window extrapolated towards its edges the
 * way Prometheus does (at most half a sample interval past the first/last sample,
 * never below a counter's zero point). */
function extrapolated(isCounter: boolean, isRate: boolean): FunctionImpl {
  return (ctx, args) => {
    const r = asRange(args[0]!);
    return overWindows(ctx, r, (w) => extrapolatedDelta(w.ts, w.vs, w.lo, w.hi, w.start, w.end, r.range, isCounter, isRate));
  };
}

function instant(isRate: boolean): FunctionImpl {
  return (ctx, args) =>
    overWindows(ctx, asRange(args[0]!), (w) => {
      if (w.hi - w.lo < 2) return undefined;
      const last = w.vs[w.hi - 1]!;
      const prev = w.vs[w.hi - 2]!;
      const dt = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
      if (dt === 0) return undefined;
      const v = isRate && last < prev ? last : last - prev;
      return isRate ? v / (dt / 1000) : v;
    });
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
function overTime(fn: (w: Window, i: number) => number | undefined, keepName = false): FunctionImpl {
  return (ctx, args) => overWindows(ctx, asRange(args[args.length - 1]!), (w, i) => (w.hi > w.lo ? fn(w, i) : undefined), keepName);
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
  deriv: (ctx, args) =>
    overWindows(ctx, asRange(args[0]!), (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.ts[w.lo]!)[0])),
  predict_linear: (ctx, args) => {
    const d = scalarArg(ctx, args, 1);
    return overWindows(ctx, asRange(args[0]!), (w, i) => {
      if (w.hi - w.lo < 2) return undefined;
      const [slope, intercept] = linearRegression(w, w.stepT);
      return slope * d[i]! + intercept;
    });
  },
  double_exponential_smoothing: (ctx, args) => {
    const sfs = scalarArg(ctx, args, 1);
    const tfs = scalarArg(ctx, args, 2);
    return overWindows(ctx, asRange(args[0]!), (w, i) => {
      const sf = sfs[i]!;
      const tf = tfs[i]!;
      if (!(sf > 0 && sf < 1)) throw new QueryError("execution", `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
      if (!(tf > 0 && tf < 1)) throw new QueryError("execution", `invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
      if (w.hi - w.lo < 2) return undefined;
      let s0 = 0;
      let s1 = w.vs[w.lo]!;
      let b = w.vs[w.lo + 1]! - s1;
      for (let k = 1; k < w.hi - w.lo; k++) {
        const x = sf * w.vs[w.lo + k]!;
        if (k > 1) b = tf * (s1 - s0) + (1 - tf) * b;
        const y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      return s1;
    });
  },
  avg_over_time: overTime((w) => mean(w.vs, w.lo, w.hi)),
  sum_over_time: overTime((w) => {
    let s = 0, c = 0;
    for (let k = w.lo; k < w.hi; k++) [s, c] = kahanAdd(w.vs[k]!, s, c);
    return s + c;
  }),
  count_over_time: overTime((w) => w.hi - w.lo),
  min_over_time: overTime((w) => {
    let m = w.vs[w.lo]!;
    for (let k = w.lo + 1; k < w.hi; k++) if (w.vs[k]! < m || Number.isNaN(m)) m = w.vs[k]!;
    return m;
  }),
  max_over_time: overTime((w) => {
    let m = w.vs[w.lo]!;
    for (let k = w.lo + 1; k < w.hi; k++) if (w.vs[k]! > m || Number.isNaN(m)) m = w.vs[k]!;
    return m;
  }),
  last_over_time: overTime((w) => w.vs[w.hi - 1]!, true),
  first_over_time: overTime((w) => w.vs[w.lo]!, true),
  ts_of_last_over_time: overTime((w) => w.ts[w.hi - 1]! / 1000),
  ts_of_first_over_time: overTime((w) => w.ts[w.lo]! / 1000),
  ts_of_min_over_time: overTime((w) => w.ts[extremeIndex(w, (a, b) => a <= b)]! / 1000),
  ts_of_max_over_time: overTime((w) => w.ts[extremeIndex(w, (a, b) => a >= b)]! / 1000),
  present_over_time: overTime(() => 1),
  stdvar_over_time: overTime((w) => stdvar(w)),
  stddev_over_time: overTime((w) => Math.sqrt(stdvar(w))),
  mad_over_time: overTime((w) => {
    const vals = values(w);
    if (vals.some(Number.isNaN)) return NaN;
    const med = quantile(0.5, vals);
    return quantile(0.5, vals.map((x) => Math.abs(x - med)));
  }),
  changes: overTime((w) => {
    let n = 0;
    for (let k = w.lo + 1; k < w.hi; k++) {
      const a = w.vs[k - 1]!;
      const b = w.vs[k]!;
      if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) n++;
    }
    return n;
  }),
  resets: overTime((w) => {
    let n = 0;
    for (let k = w.lo + 1; k < w.hi; k++) if (w.vs[k]! < w.vs[k - 1]!) n++;
    return n;
  }),
  quantile_over_time: (ctx, args, call) => {
    const qs = scalarArg(ctx, args, 0);
    warnQuantile(ctx, qs, call.args[0]!.pos.start);
    return overWindows(ctx, asRange(args[1]!), (w, i) => (w.hi > w.lo ? quantile(qs[i]!, values(w)) : undefined));
  },
};

export { floatCompare };
