import { kahanAdd } from "../../model/window_math.js";

export { kahanAdd };

/** The φ-quantile of `values` (sorted in place), interpolating between neighbours as
 * Prometheus' quantile aggregation and quantile_over_time do. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort(floatCompare);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/** Go's sort.Float64s order: NaN first, then ascending. */
export function floatCompare(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

/** Mean as Prometheus 3 computes avg and avg_over_time: a compensated sum divided by
 * the count, switching to an incremental mean if the sum overflows. */
export function mean(values: ArrayLike<number>, lo = 0, hi = values.length): number {
  let sum = values[lo]!;
  let count = 1;
  let c = 0;
  let m = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const x = values[i]!;
    count = i - lo + 1;
    if (!incremental) {
      const [ns, nc] = kahanAdd(x, sum, c);
      if (Number.isFinite(ns) || Number.isNaN(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      m = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [m, c] = kahanAdd(x / count, q * m, q * c);
  }
  if (incremental) return m + c;
  return sum / count + c / count;
}
