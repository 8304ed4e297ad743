import type { FloatHistogram } from "../../../model/histogram.js";
import type { Labels } from "../../../model/labels.js";
import { mergeSameLabels } from "../binary.js";
import type { EvalContext } from "../context.js";
import { windowBounds } from "../selectors.js";
import { newSeries, setHist, type StepRange, type StepScalar, type StepValue, type StepVector } from "../step_values.js";

export function asVector(v: StepValue): StepVector {
  if (v.kind !== "vector") throw new Error(`expected an instant vector, got ${v.kind}`);
  return v;
}

export function asRange(v: StepValue): StepRange {
  if (v.kind !== "range") throw new Error(`expected a range vector, got ${v.kind}`);
  return v;
}

export function asScalar(v: StepValue | undefined, ctx: EvalContext, dflt?: number): StepScalar {
  if (v === undefined) return { kind: "scalar", vs: new Float64Array(ctx.n).fill(dflt ?? NaN) };
  if (v.kind !== "scalar") throw new Error(`expected a scalar, got ${v.kind}`);
  return v;
}

/** Applies fn to every float sample of an instant vector (histogram samples are left
 * out, as Prometheus' float functions do); the metric name is dropped. */
export function mapVector(ctx: EvalContext, v: StepVector, fn: (x: number, i: number) => number, keepName = false): StepVector {
  const series = v.series.map((s) => {
    const o = newSeries(s.labels, ctx.n);
    o.dropName = keepName ? s.dropName : true;
    for (let i = 0; i < ctx.n; i++) {
      if (!s.has[i] || s.hs?.[i] !== undefined) continue;
      o.vs[i] = fn(s.vs[i]!, i);
      o.has[i] = 1;
    }
    return o;
  });
  return mergeSameLabels({ kind: "vector", series });
}

/** The samples of one series inside one step's window, and that window's bounds. */
export interface Window {
  ts: Float64Array;
  vs: Float64Array;
  /** Histogram samples by index into ts (absent: the series has none). */
  hs: (FloatHistogram | undefined)[] | undefined;
  lo: number;
  hi: number;
  /** Exclusive start and inclusive end of the window in ms. */
  start: number;
  end: number;
  /** The step's evaluation time. */
  stepT: number;
  labels: Labels;
}

/** Indices of a window's float and histogram samples. */
export function splitWindow(w: Window): { floats: number[]; hists: number[] } {
  const floats: number[] = [];
  const hists: number[] = [];
  for (let k = w.lo; k < w.hi; k++) (w.hs?.[k] === undefined ? floats : hists).push(k);
  return { floats, hists };
}

/** Calls fn for every series and step window of a range vector; fn returns the value
 * (a float or a histogram) at that step or undefined for none. */
export function overWindows(
  ctx: EvalContext,
  r: StepRange,
  fn: (w: Window, i: number) => number | FloatHistogram | undefined,
  keepName = false,
): StepVector {
  const out: StepVector = { kind: "vector", series: [] };
  const w: Window = { ts: new Float64Array(0), vs: new Float64Array(0), hs: undefined, lo: 0, hi: 0, start: 0, end: 0, stepT: 0, labels: [] };
  for (const s of r.series) {
    ctx.checkDeadline();
    const o = newSeries(s.labels, ctx.n);
    o.dropName = keepName ? s.dropName : true;
    let any = false;
    let hint = 0;
    w.ts = s.ts;
    w.vs = s.vs;
    w.hs = s.hs;
    w.labels = s.labels;
    for (let i = 0; i < ctx.n; i++) {
      const end = r.windowEnds[i]!;
      const [lo, hi] = windowBounds(s.ts, end, r.range, hint);
      hint = lo;
      w.lo = lo;
      w.hi = hi;
      w.start = end - r.range;
      w.end = end;
      w.stepT = ctx.steps[i]!;
      const v = fn(w, i);
      if (v === undefined) continue;
      if (typeof v === "number") o.vs[i] = v;
      else setHist(o, i, v);
      o.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(o);
  }
  return mergeSameLabels(out);
}
