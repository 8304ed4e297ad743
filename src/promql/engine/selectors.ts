import type { FloatHistogram } from "../../model/histogram.js";
import { isStaleNaN } from "../../model/sample.js";
import { windowBounds, withoutStale } from "../../model/window_math.js";
import type { AtModifier, MatrixSelector, VectorSelector } from "../parser/ast.js";
import type { EvalContext } from "./context.js";
import { newSeries, type RangeSeries, type StepRange, type StepVector } from "./step_values.js";

/** The time each step reads at: the step time, or the @ time, minus the offset. */
export function refTimes(ctx: EvalContext, at: AtModifier, offset: number): Float64Array {
  const out = new Float64Array(ctx.n);
  const fixed = atTime(ctx, at);
  for (let i = 0; i < ctx.n; i++) out[i] = (fixed ?? ctx.steps[i]!) - offset;
  return out;
}

export function atTime(ctx: EvalContext, at: AtModifier): number | null {
  if (at === null) return null;
  if (at.kind === "start") return ctx.queryStart;
  if (at.kind === "end") return ctx.queryEnd;
  return at.ms;
}

function bounds(refs: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of refs) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return [lo, hi];
}

/** An instant vector selector: at each step the newest sample in
 * (ref - lookback, ref], unless that sample is a stale marker. */
export async function evalVectorSelector(ctx: EvalContext, sel: VectorSelector): Promise<StepVector> {
  const refs = refTimes(ctx, sel.at, sel.offset);
  const [lo, hi] = bounds(refs);
  const out: StepVector = { kind: "vector", series: [] };
  const n = ctx.n;
  // One step (an instant query, or a pinned @) needs only each series' newest sample.
  const latestOnly = lo === hi;
  const stats = ctx.queryable !== null;
  if (latestOnly && ctx.querier.selectLatest !== undefined) return latestVector(ctx, sel, refs);
  for await (const s of ctx.select(sel.matchers, { start: lo - ctx.lookbackDelta + 1, end: hi, latestOnly })) {
    ctx.checkDeadline();
    const ss = newSeries(s.labels, n);
    const ts = new Float64Array(n);
    let count = 0;
    let j = -1;
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      // Refs only decrease when an @ modifier pins them; restart the scan then.
      if (j >= 0 && s.ts[j]! > ref) j = -1;
      while (j + 1 < s.ts.length && s.ts[j + 1]! <= ref) j++;
      if (j < 0 || s.ts[j]! <= ref - ctx.lookbackDelta) continue;
      const h = s.hs?.[j];
      if (h !== undefined) {
        if (isStaleNaN(h.sum)) continue;
        (ss.hs ??= [])[i] = h;
      }
      const v = s.vs[j]!;
      if (h === undefined && v !== v && isStaleNaN(v)) continue;
      ss.vs[i] = v;
      ss.has[i] = 1;
      ts[i] = s.ts[j]!;
      count++;
      if (stats) ctx.countQueryable(i, 1);
    }
    if (count === 0) continue;
    ss.ts = ts;
    ctx.addSamples(count);
    out.series.push(ss);
  }
  return out;
}

/** evalVectorSelector where every step reads at one time, from storage's columns:
 * the same values without a select stream and a scan per series. */
async function latestVector(ctx: EvalContext, sel: VectorSelector, refs: Float64Array): Promise<StepVector> {
  const ref = refs[0]!;
  const n = ctx.n;
  const got = await ctx.selectLatest(sel.matchers, { start: ref - ctx.lookbackDelta + 1, end: ref, latestOnly: true });
  const out: StepVector = { kind: "vector", series: [] };
  const { ts, vs, hs } = got;
  for (let k = 0; k < got.labels.length; k++) {
    const t = ts[k]!;
    if (t > ref || t <= ref - ctx.lookbackDelta) continue;
    const h = hs?.[k];
    const v = vs[k]!;
    if (h !== undefined ? isStaleNaN(h.sum) : v !== v && isStaleNaN(v)) continue;
    const ss = newSeries(got.labels[k]!, n);
    if (h !== undefined) ss.hs = new Array<FloatHistogram | undefined>(n).fill(h);
    ss.vs.fill(v);
    ss.has.fill(1);
    ss.ts = new Float64Array(n).fill(t);
    out.series.push(ss);
    for (let i = 0; i < n; i++) ctx.countQueryable(i, 1);
  }
  ctx.addSamples(out.series.length * n);
  return out;
}

/** A range vector selector: the samples of each series, stale markers removed; the
 * consumer reads the window (ref - range, ref] at each step. */
export async function evalMatrixSelector(ctx: EvalContext, ms: MatrixSelector): Promise<StepRange> {
  const sel = ms.vectorSelector;
  const refs = refTimes(ctx, sel.at, sel.offset);
  const [lo, hi] = bounds(refs);
  const series: RangeSeries[] = [];
  for await (const s of ctx.select(sel.matchers, { start: lo - ms.range + 1, end: hi })) {
    ctx.checkDeadline();
    const clean = withoutStale(s.ts, s.vs, s.hs);
    series.push({ labels: s.labels, ...clean });
    ctx.addSamples(clean.ts.length);
    if (ctx.queryable !== null) countWindows(ctx, clean.ts, refs, ms.range);
  }
  return { kind: "range", series, range: ms.range, windowEnds: refs };
}

/** Statistics: a range selector reads, at each step, the samples in its window. */
function countWindows(ctx: EvalContext, ts: Float64Array, refs: Float64Array, range: number): void {
  let hint = 0;
  for (let i = 0; i < refs.length; i++) {
    const [lo, hi] = windowBounds(ts, refs[i]!, range, hint);
    hint = lo;
    if (hi > lo) ctx.countQueryable(i, hi - lo);
  }
}

export { windowBounds, withoutStale };
