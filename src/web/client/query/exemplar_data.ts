import { parseSampleValue } from "../format/value.js";

/** One series' exemplars as /api/v1/query_exemplars returns them. */
export interface ApiExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export interface ExemplarPoint {
  /** Seconds, for uPlot's x scale. */
  t: number;
  v: number;
  labels: Record<string, string>;
  seriesLabels: Record<string, string>;
  /** The graphed series it belongs to (whose colour it takes), -1 for none. */
  series: number;
}

/**
 * Exemplars as points of the graph. An exemplar belongs to the first graphed series
 * whose labels it carries (a `rate(x[5m])` series matches the exemplars of `x` with
 * the same labels; an aggregate `sum by (job)` those of its job), and takes its
 * colour; exemplars with no such series are drawn in a neutral colour. Points
 * outside the range or without a finite value are left out.
 */
export function exemplarPoints(found: readonly ApiExemplarSeries[], graphed: readonly { metric: Record<string, string> }[], startMs: number, endMs: number): ExemplarPoint[] {
  const out: ExemplarPoint[] = [];
  for (const s of found) {
    const series = graphed.findIndex((g) => Object.entries(g.metric).every(([k, v]) => s.seriesLabels[k] === v));
    for (const e of s.exemplars) {
      const v = parseSampleValue(e.value);
      const ms = e.timestamp * 1000;
      if (!Number.isFinite(v) || ms < startMs || ms > endMs) continue;
      out.push({ t: e.timestamp, v, labels: e.labels, seriesLabels: s.seriesLabels, series });
    }
  }
  return out;
}

/** The point nearest to (x, y) within `radius` (all in the same pixel space). */
export function nearestPoint<P>(points: readonly P[], at: (p: P) => [number, number], x: number, y: number, radius: number): P | undefined {
  let best: P | undefined;
  let bestD = radius * radius;
  for (const p of points) {
    const [px, py] = at(p);
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d <= bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}
