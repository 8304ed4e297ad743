import { getLabel, labelsKey, LabelsBuilder, metricName, type Labels } from "../../../model/labels.js";
import type { Call } from "../../parser/ast.js";
import { goQuote } from "../../parser/quote.js";
import { formatOpenMetricsFloat } from "../../../textparse/float.js";
import { mergeSameLabels } from "../binary.js";
import type { EvalContext } from "../context.js";
import type { FloatHistogram } from "../../../model/histogram.js";
import { newSeries, type StepSeries, type StepValue, type StepVector } from "../step_values.js";
import { nativeFraction, nativeQuantile, nativeVariance, type Estimate } from "./native_quantile.js";
import { warnInvalidQuantile } from "../aggregate.js";
import { bucketFraction, bucketQuantile, formatGoG, parseGoFloat64, type Bucket, type MonotonicityFix } from "./bucket_math.js";
import type { FunctionImpl } from "./function.js";
import { asScalar, asVector } from "./helpers.js";

/** The buckets of one classic histogram: the series that differ only in `le`. */
interface BucketGroup {
  /** The members' labels without `le` (the metric name is kept, Prometheus 3 drops
   * it from the result later). */
  labels: Labels;
  members: { s: StepSeries; le: number }[];
}

/** Groups a vector's float series into classic histograms by their labels other than
 * `le`; a series whose `le` is missing or not a float is left out with a warning
 * pointing at the vector argument. */
function classicHistograms(ctx: EvalContext, v: StepVector, argStart: number): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const s of v.series) {
    if (!hasFloat(s)) continue;
    const leStr = getLabel(s.labels, "le");
    const le = parseGoFloat64(leStr);
    if (le === undefined) {
      const name = metricName(s.labels);
      ctx.warnings.add(
        `PromQL warning: bucket label "le" is missing or has a malformed value of ${goQuote(leStr)}` +
          (name === "" ? "" : ` for metric name ${goQuote(name)}`) +
          ` (${ctx.pos(argStart)})`,
      );
      continue;
    }
    const labels = s.labels.filter((l) => l.name !== "le");
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { labels, members: [] }));
    g.members.push({ s, le });
  }
  return [...groups.values()];
}

/** A histogram's buckets at step i (fresh objects the bucket math may reorder and
 * modify), or null when none of its series has a value there. */
function bucketsAt(g: BucketGroup, i: number): Bucket[] | null {
  const out: Bucket[] = [];
  for (const m of g.members) if (m.s.has[i] && m.s.hs?.[i] === undefined) out.push({ upper: m.le, count: m.s.vs[i]! });
  return out.length === 0 ? null : out;
}

function hasFloat(s: StepSeries): boolean {
  for (let i = 0; i < s.has.length; i++) if (s.has[i] && s.hs?.[i] === undefined) return true;
  return false;
}

/** The native histograms of a vector argument, with Prometheus' rule for a native
 * histogram whose labels are those of a classic histogram (without `le`) present at
 * the same step: neither is evaluated there, and a warning says so. Returns, per
 * step, the classic group keys to skip. */
function nativeHistograms(ctx: EvalContext, v: StepVector, groups: BucketGroup[], argPos: number): { natives: StepSeries[]; skip: Set<string>[] } {
  const byKey = new Map<string, BucketGroup>();
  for (const g of groups) byKey.set(labelsKey(g.labels), g);
  const skip: Set<string>[] = Array.from({ length: ctx.n }, () => new Set<string>());
  const natives: StepSeries[] = [];
  for (const s of v.series) {
    if (s.hs === undefined) continue;
    const key = labelsKey(s.labels);
    const g = byKey.get(key);
    let out: StepSeries | null = null;
    for (let i = 0; i < ctx.n; i++) {
      const h = s.hs[i];
      if (!s.has[i] || h === undefined) continue;
      if (g !== undefined && bucketsAt(g, i) !== null) {
        const name = metricName(s.labels);
        ctx.warnings.add(
          `PromQL warning: vector contains a mix of classic and native histograms` + (name === "" ? "" : ` for metric name ${goQuote(name)}`) + ` (${ctx.pos(argPos)})`,
        );
        skip[i]!.add(key);
        continue;
      }
      out ??= { labels: s.labels, vs: new Float64Array(ctx.n), has: new Uint8Array(ctx.n), hs: [] };
      out.has[i] = 1;
      out.hs![i] = h;
    }
    if (out !== null) natives.push(out);
  }
  return { natives, skip };
}

function nanInfo(ctx: EvalContext, e: Estimate, name: string, argPos: number): void {
  if (e.nanInfo === undefined) return;
  const text =
    e.nanInfo === "result"
      ? "input to histogram_quantile has NaN observations, result is NaN"
      : e.nanInfo === "skew"
        ? "input to histogram_quantile has NaN observations, result is skewed higher"
        : "input to histogram_fraction has NaN observations, which are excluded from all fractions";
  ctx.infos.add(`PromQL info: ${text}` + (name === "" ? "" : ` for metric name ${goQuote(name)}`) + ` (${ctx.pos(argPos)})`);
}

/** A function of each native histogram sample, giving a float. */
function perNative(ctx: EvalContext, natives: StepSeries[], out: StepVector, fn: (h: FloatHistogram, i: number, s: StepSeries) => number): void {
  for (const s of natives) {
    const o = newSeries(s.labels, ctx.n);
    o.dropName = true;
    for (let i = 0; i < ctx.n; i++) {
      const h = s.hs?.[i];
      if (!s.has[i] || h === undefined) continue;
      o.vs[i] = fn(h, i, s);
      o.has[i] = 1;
    }
    out.series.push(o);
  }
}

/** histogram_count and friends: a number from every native histogram sample; float
 * samples are left out. */
function simpleHistogram(fn: (h: FloatHistogram) => number): FunctionImpl {
  return (ctx, args) => {
    const out: StepVector = { kind: "vector", series: [] };
    const natives = asVector(args[0]!).series.filter((s) => s.hs !== undefined);
    perNative(ctx, natives, out, (h) => fn(h));
    return mergeSameLabels({ kind: "vector", series: out.series.filter((s) => s.has.includes(1)) });
  };
}


/** A monotonicity info being accumulated: Prometheus keeps one per metric name for
 * the whole query, widening its bucket and time ranges and counting the samples. */
interface MonotonicityInfo {
  text: string;
  pos: string;
  minTs: number;
  maxTs: number;
  minBucket: number;
  maxBucket: number;
  maxDiff: number;
  samples: number;
}

/** Accumulated monotonicity infos by the query's info set (shared by a query's
 * contexts), keyed by message without details. */
const monotonicityInfos = new WeakMap<Set<string>, Map<string, MonotonicityInfo>>();

/** time.Unix(ms/1000, 0).UTC().Format(time.RFC3339). */
function rfc3339Seconds(ms: number): string {
  const d = new Date(Math.trunc(ms / 1000) * 1000);
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/^\+0*(\d{4,})/, "$1");
}

function reportForcedMonotonicity(ctx: EvalContext, name: string, argStart: number, ts: number, fix: MonotonicityFix): void {
  const base =
    "PromQL info: input to histogram_quantile needed to be fixed for monotonicity " +
    "(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)" +
    (name === "" ? "" : ` for metric name ${goQuote(name)}`);
  let byBase = monotonicityInfos.get(ctx.infos);
  if (byBase === undefined) monotonicityInfos.set(ctx.infos, (byBase = new Map()));
  let info = byBase.get(base);
  if (info === undefined) {
    info = { text: "", pos: ctx.pos(argStart), minTs: ts, maxTs: ts, minBucket: fix.minBucket, maxBucket: fix.maxBucket, maxDiff: fix.maxDiff, samples: 1 };
    byBase.set(base, info);
  } else {
    ctx.infos.delete(info.text);
    info.minTs = Math.min(info.minTs, ts);
    info.maxTs = Math.max(info.maxTs, ts);
    if (fix.minBucket < info.minBucket) info.minBucket = fix.minBucket;
    if (fix.maxBucket > info.maxBucket) info.maxBucket = fix.maxBucket;
    if (fix.maxDiff > info.maxDiff) info.maxDiff = fix.maxDiff;
    info.samples++;
  }
  info.text =
    `${base}, from buckets ${formatGoG(info.minBucket)} to ${formatGoG(info.maxBucket)}, ` +
    `with a max diff of ${formatGoG(info.maxDiff, 2)}, over ${info.samples} samples ` +
    `from ${rfc3339Seconds(info.minTs)} to ${rfc3339Seconds(info.maxTs)} (${info.pos})`;
  ctx.infos.add(info.text);
}

function argStart(call: Call, i: number): number {
  return call.args[i]!.pos.start;
}

/** histogram_quantile(q, v): the q-quantile of each classic histogram in v. */
function histogramQuantile(ctx: EvalContext, args: StepValue[], call: Call): StepValue {
  const qs = asScalar(args[0], ctx).vs;
  for (let i = 0; i < ctx.n; i++) warnInvalidQuantile(ctx, qs[i]!, argStart(call, 0));
  const vecPos = argStart(call, 1);
  const out: StepVector = { kind: "vector", series: [] };
  const vec = asVector(args[1]!);
  const classic = classicHistograms(ctx, vec, vecPos);
  const { natives, skip } = nativeHistograms(ctx, vec, classic, vecPos);
  perNative(ctx, natives, out, (h, i, s) => {
    const e = nativeQuantile(qs[i]!, h);
    nanInfo(ctx, e, metricName(s.labels), vecPos);
    return e.v;
  });
  for (const g of classic) {
    const o = newSeries(g.labels, ctx.n);
    o.dropName = true;
    let any = false;
    const key = labelsKey(g.labels);
    for (let i = 0; i < ctx.n; i++) {
      const buckets = skip[i]!.has(key) ? null : bucketsAt(g, i);
      if (buckets === null) continue;
      const r = bucketQuantile(qs[i]!, buckets);
      if (r.fix.forced) reportForcedMonotonicity(ctx, metricName(g.labels), vecPos, ctx.steps[i]!, r.fix);
      o.vs[i] = r.v;
      o.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(o);
  }
  return out;
}

/** histogram_quantiles(v, "label", q1, q2, ...): each quantile of each classic
 * histogram in v, told apart by `label` set to the quantile (OpenMetrics float form).
 * Results that end up with the same labels at a step are an error. */
function histogramQuantiles(ctx: EvalContext, args: StepValue[], call: Call): StepValue {
  const vecPos = argStart(call, 0);
  const labelArg = args[1];
  if (labelArg?.kind !== "string") throw new Error(`expected a string, got ${labelArg?.kind}`);
  const label = labelArg.v;
  const qss: Float64Array[] = [];
  for (let j = 2; j < args.length; j++) {
    const qs = asScalar(args[j], ctx).vs;
    for (let i = 0; i < ctx.n; i++) warnInvalidQuantile(ctx, qs[i]!, argStart(call, j));
    qss.push(qs);
  }
  const qStrs = new Map<number, string>();
  const qStr = (q: number): string => {
    let s = qStrs.get(q);
    if (s === undefined) qStrs.set(q, (s = formatOpenMetricsFloat(q)));
    return s;
  };
  const out: StepVector = { kind: "vector", series: [] };
  const vec = asVector(args[0]!);
  const classic = classicHistograms(ctx, vec, vecPos);
  const { natives, skip } = nativeHistograms(ctx, vec, classic, vecPos);
  for (const s of natives) {
    const name = metricName(s.labels);
    const byQuantile = new Map<string, StepSeries>();
    for (let i = 0; i < ctx.n; i++) {
      const h = s.hs?.[i];
      if (!s.has[i] || h === undefined) continue;
      for (let j = 0; j < qss.length; j++) {
        const q = qss[j]![i]!;
        const e = nativeQuantile(q, h);
        nanInfo(ctx, e, name, vecPos);
        const qs = Number.isNaN(q) ? "NaN" : qStr(q);
        const key = `${j}\u0000${qs}`;
        let o = byQuantile.get(key);
        if (o === undefined) {
          o = newSeries(new LabelsBuilder(s.labels).set(label, qs).labels(), ctx.n);
          o.dropName = true;
          byQuantile.set(key, o);
          out.series.push(o);
        }
        o.vs[i] = e.v;
        o.has[i] = 1;
      }
    }
  }
  for (const g of classic) {
    const name = metricName(g.labels);
    const gkey = labelsKey(g.labels);
    // One output series per quantile argument and quantile value (a quantile given
    // by an expression may change between steps).
    const byQuantile = new Map<string, StepSeries>();
    for (let i = 0; i < ctx.n; i++) {
      const buckets = skip[i]!.has(gkey) ? null : bucketsAt(g, i);
      if (buckets === null) continue;
      for (let j = 0; j < qss.length; j++) {
        const q = qss[j]![i]!;
        const r = bucketQuantile(q, buckets.map((b) => ({ ...b })));
        if (r.fix.forced) reportForcedMonotonicity(ctx, name, vecPos, ctx.steps[i]!, r.fix);
        const qs = qStr(q);
        const key = `${j}\u0000${qs}`;
        let o = byQuantile.get(key);
        if (o === undefined) {
          o = newSeries(new LabelsBuilder(g.labels).set(label, qs).labels(), ctx.n);
          o.dropName = true;
          byQuantile.set(key, o);
          out.series.push(o);
        }
        o.vs[i] = r.v;
        o.has[i] = 1;
      }
    }
  }
  return mergeSameLabels(out);
}

/** histogram_fraction(lower, upper, v): the fraction of each classic histogram's
 * observations between lower and upper. */
function histogramFraction(ctx: EvalContext, args: StepValue[], call: Call): StepValue {
  const lowers = asScalar(args[0], ctx).vs;
  const uppers = asScalar(args[1], ctx).vs;
  const out: StepVector = { kind: "vector", series: [] };
  const vecPos = argStart(call, 2);
  const vec = asVector(args[2]!);
  const classic = classicHistograms(ctx, vec, vecPos);
  const { natives, skip } = nativeHistograms(ctx, vec, classic, vecPos);
  perNative(ctx, natives, out, (h, i, s) => {
    const e = nativeFraction(lowers[i]!, uppers[i]!, h);
    nanInfo(ctx, e, metricName(s.labels), vecPos);
    return e.v;
  });
  for (const g of classic) {
    const o = newSeries(g.labels, ctx.n);
    o.dropName = true;
    let any = false;
    const key = labelsKey(g.labels);
    for (let i = 0; i < ctx.n; i++) {
      const buckets = skip[i]!.has(key) ? null : bucketsAt(g, i);
      if (buckets === null) continue;
      o.vs[i] = bucketFraction(lowers[i]!, uppers[i]!, buckets);
      o.has[i] = 1;
      any = true;
    }
    if (any) out.series.push(o);
  }
  return out;
}

export const histogramFunctions: Record<string, FunctionImpl> = {
  histogram_count: simpleHistogram((h) => h.count),
  histogram_sum: simpleHistogram((h) => h.sum),
  histogram_avg: simpleHistogram((h) => h.sum / h.count),
  histogram_stdvar: simpleHistogram((h) => nativeVariance(h)),
  histogram_stddev: simpleHistogram((h) => Math.sqrt(nativeVariance(h))),
  histogram_quantile: histogramQuantile,
  histogram_quantiles: histogramQuantiles,
  histogram_fraction: histogramFraction,
};
