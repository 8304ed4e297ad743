import { labelsKey, metricName, type Labels } from "../../../model/labels.js";
import { newSeries, type StepSeries, type StepVector } from "../step_values.js";
import type { FunctionImpl } from "./function.js";
import { asScalar, asVector } from "./helpers.js";

interface Bucket {
  upper: number;
  count: number;
}

const SMALL_DELTA = 1e-12;

/** The quantile of classic `le` buckets, interpolating linearly inside the bucket the
 * rank falls in; reports when counts had to be made monotonic. */
export function bucketQuantile(q: number, buckets: Bucket[]): { v: number; forcedMonotonic: boolean } {
  if (Number.isNaN(q)) return { v: NaN, forcedMonotonic: false };
  if (q < 0) return { v: -Infinity, forcedMonotonic: false };
  if (q > 1) return { v: Infinity, forcedMonotonic: false };
  buckets.sort((a, b) => a.upper - b.upper);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upper !== Infinity) return { v: NaN, forcedMonotonic: false };
  const bs: Bucket[] = [];
  for (const b of buckets) {
    const last = bs[bs.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else bs.push({ ...b });
  }
  let forcedMonotonic = false;
  let prev = bs[0]!.count;
  for (let i = 1; i < bs.length; i++) {
    const cur = bs[i]!.count;
    if (cur === prev) continue;
    if (Math.abs(cur - prev) <= SMALL_DELTA * Math.max(Math.abs(cur), Math.abs(prev))) {
      bs[i]!.count = prev;
      continue;
    }
    if (cur < prev) {
      bs[i]!.count = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = cur;
  }
  if (bs.length < 2) return { v: NaN, forcedMonotonic };
  const total = bs[bs.length - 1]!.count;
  if (total === 0) return { v: NaN, forcedMonotonic };
  let rank = q * total;
  let b = 0;
  while (b < bs.length - 1 && bs[b]!.count < rank) b++;
  if (b === bs.length - 1) return { v: bs[bs.length - 2]!.upper, forcedMonotonic };
  if (b === 0 && bs[0]!.upper <= 0) return { v: bs[0]!.upper, forcedMonotonic };
  let start = 0;
  const end = bs[b]!.upper;
  let count = bs[b]!.count;
  if (b > 0) {
    start = bs[b - 1]!.upper;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  return { v: start + (end - start) * (rank / count), forcedMonotonic };
}

function parseLe(v: string): number {
  if (v === "+Inf" || v === "Inf" || v === "+inf" || v === "inf") return Infinity;
  if (v.trim() === "") return NaN;
  return Number(v);
}

export const histogramFunctions: Record<string, FunctionImpl> = {
  histogram_quantile: (ctx, args) => {
    const qs = asScalar(args[0], ctx).vs;
    const v = asVector(args[1]!);
    const groups = new Map<string, { labels: Labels; members: { s: StepSeries; le: number }[] }>();
    for (const s of v.series) {
      const leStr = s.labels.find((l) => l.name === "le")?.value;
      const le = leStr === undefined ? NaN : parseLe(leStr);
      if (Number.isNaN(le)) {
        ctx.warnings.add(`PromQL warning: bucket label "le" is missing or has a malformed value of "${leStr ?? ""}" for metric name "${metricName(s.labels)}"`);
        continue;
      }
      const labels = s.labels.filter((l) => l.name !== "le");
      const key = labelsKey(labels);
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { labels, members: [] }));
      g.members.push({ s, le });
    }
    const out: StepVector = { kind: "vector", series: [] };
    for (const g of groups.values()) {
      const o = newSeries(g.labels, ctx.n);
      o.dropName = true;
      let any = false;
      for (let i = 0; i < ctx.n; i++) {
        const buckets: Bucket[] = [];
        for (const m of g.members) if (m.s.has[i]) buckets.push({ upper: m.le, count: m.s.vs[i]! });
        if (buckets.length === 0) continue;
        const r = bucketQuantile(qs[i]!, buckets);
        if (r.forcedMonotonic) {
          const name = metricName(g.members[0]!.s.labels);
          ctx.infos.add(
            `PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "${name}"`,
          );
        }
        o.vs[i] = r.v;
        o.has[i] = 1;
        any = true;
      }
      if (any) out.series.push(o);
    }
    return out;
  },
};
