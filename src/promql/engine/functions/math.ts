import type { FunctionImpl } from "./function.js";
import { asScalar, asVector, mapVector } from "./helpers.js";
import { newSeries, type StepVector } from "../step_values.js";

function simple(fn: (x: number) => number): FunctionImpl {
  return (ctx, args) => mapVector(ctx, asVector(args[0]!), fn);
}

/** Go's math.Round (half away from zero) used by nothing here; PromQL's round() is
 * floor(x*k + 0.5)/k, so halves go up. */
function roundTo(x: number, toNearest: number): number {
  const inv = 1 / toNearest;
  return Math.floor(x * inv + 0.5) / inv;
}

export const mathFunctions: Record<string, FunctionImpl> = {
  abs: simple(Math.abs),
  ceil: simple(Math.ceil),
  floor: simple(Math.floor),
  exp: simple(Math.exp),
  sqrt: simple(Math.sqrt),
  ln: simple(Math.log),
  log2: simple(Math.log2),
  log10: simple(Math.log10),
  sgn: simple((x) => (x > 0 ? 1 : x < 0 ? -1 : x)),
  acos: simple(Math.acos),
  acosh: simple(Math.acosh),
  asin: simple(Math.asin),
  asinh: simple(Math.asinh),
  atan: simple(Math.atan),
  atanh: simple(Math.atanh),
  cos: simple(Math.cos),
  cosh: simple(Math.cosh),
  sin: simple(Math.sin),
  sinh: simple(Math.sinh),
  tan: simple(Math.tan),
  tanh: simple(Math.tanh),
  deg: simple((x) => (x * 180) / Math.PI),
  rad: simple((x) => (x * Math.PI) / 180),
  // Go's math.Min/Max: NaN wins.
  min_of: (ctx, args) => {
    const a = asScalar(args[0], ctx).vs;
    const b = asScalar(args[1], ctx).vs;
    return { kind: "scalar", vs: a.map((x, i) => Math.min(x, b[i]!)) };
  },
  max_of: (ctx, args) => {
    const a = asScalar(args[0], ctx).vs;
    const b = asScalar(args[1], ctx).vs;
    return { kind: "scalar", vs: a.map((x, i) => Math.max(x, b[i]!)) };
  },
  pi: (ctx) => ({ kind: "scalar", vs: new Float64Array(ctx.n).fill(Math.PI) }),
  round: (ctx, args) => {
    const to = asScalar(args[1], ctx, 1).vs;
    return mapVector(ctx, asVector(args[0]!), (x, i) => roundTo(x, to[i]!));
  },
  clamp: (ctx, args) => {
    const lo = asScalar(args[1], ctx).vs;
    const hi = asScalar(args[2], ctx).vs;
    const v = asVector(args[0]!);
    // An empty range (max < min) yields no samples at that step.
    const out: StepVector = { kind: "vector", series: [] };
    for (const s of v.series) {
      const o = newSeries(s.labels, ctx.n);
      o.dropName = true;
      let any = false;
      for (let i = 0; i < ctx.n; i++) {
        if (!s.has[i] || s.hs?.[i] !== undefined || hi[i]! < lo[i]!) continue;
        o.vs[i] = Math.max(lo[i]!, Math.min(hi[i]!, s.vs[i]!));
        if (Number.isNaN(s.vs[i]!) || Number.isNaN(lo[i]!) || Number.isNaN(hi[i]!)) o.vs[i] = NaN;
        o.has[i] = 1;
        any = true;
      }
      if (any) out.series.push(o);
    }
    return out;
  },
  clamp_min: (ctx, args) => {
    const lo = asScalar(args[1], ctx).vs;
    return mapVector(ctx, asVector(args[0]!), (x, i) => (Number.isNaN(x) || Number.isNaN(lo[i]!) ? NaN : Math.max(x, lo[i]!)));
  },
  clamp_max: (ctx, args) => {
    const hi = asScalar(args[1], ctx).vs;
    return mapVector(ctx, asVector(args[0]!), (x, i) => (Number.isNaN(x) || Number.isNaN(hi[i]!) ? NaN : Math.min(x, hi[i]!)));
  },
};
