import { parseSampleValue } from "../format/value.js";

/** A native histogram as the query API writes it: count and sum as Go-formatted
 * strings, and the non-empty buckets as [boundary rule, lower, upper, count]. */
export interface ApiHistogram {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}

export interface HistogramBucket {
  lower: number;
  upper: number;
  count: number;
  /** Prometheus' boundary rule: 0 (l,u], 1 [l,u), 2 (l,u), 3 [l,u]. */
  rule: number;
}

export interface ParsedHistogram {
  count: number;
  sum: number;
  buckets: HistogramBucket[];
}

export function parseHistogram(h: ApiHistogram): ParsedHistogram {
  return {
    count: parseSampleValue(h.count),
    sum: parseSampleValue(h.sum),
    buckets: (h.buckets ?? []).map(([rule, l, u, c]) => ({ rule, lower: parseSampleValue(l), upper: parseSampleValue(u), count: parseSampleValue(c) })),
  };
}

/** A bucket's range with its open or closed ends, as Prometheus' UI prints it. */
export function bucketRange(b: HistogramBucket, fmt: (v: number) => string = String): string {
  return bucketRangeText(b.rule, fmt(b.lower), fmt(b.upper));
}

/** The same from the bounds as text (the API's exact digits). */
export function bucketRangeText(rule: number, lower: string, upper: string): string {
  const open = rule === 1 || rule === 3 ? "[" : "(";
  const close = rule === 0 || rule === 3 ? "]" : ")";
  return `${open}${lower}, ${upper}${close}`;
}

/** One series of a range query; native histogram samples are in `histograms`. */
export interface HistogramMatrixSeries {
  metric: Record<string, string>;
  values?: [number, string][];
  histograms?: [number, ApiHistogram][];
}

export function hasHistograms(result: readonly HistogramMatrixSeries[]): boolean {
  return result.some((s) => (s.histograms?.length ?? 0) > 0);
}

/** One rectangle of a heatmap: a bucket over one step of the graph. */
export interface HeatmapCell {
  /** Time span in seconds, for uPlot's x scale. */
  x0: number;
  x1: number;
  /** Positions of the bucket's bounds among `Heatmap.boundaries` (the y scale). */
  y0: number;
  y1: number;
  bucket: HistogramBucket;
  /** The sample's time in seconds. */
  t: number;
}

export interface Heatmap {
  /** Every bucket boundary seen, ascending: y = i is boundaries[i]. Equal steps on
   * the y axis per boundary keep exponential buckets readable. */
  boundaries: number[];
  cells: HeatmapCell[];
  /** Largest bucket count (or rate): the top of the colour scale. */
  max: number;
}

/**
 * The heatmap of a series' native histograms on a range query's step grid: each
 * sample's non-empty buckets become cells one step wide centred on the sample's time
 * (clipped to the range), spanning the bucket's bounds on a y scale of bucket
 * boundaries. Empty buckets are absent, as the API leaves them out.
 */
export function heatmapCells(series: HistogramMatrixSeries, startMs: number, endMs: number, stepMs: number): Heatmap {
  const samples = (series.histograms ?? []).map(([t, h]) => ({ t, h: parseHistogram(h) }));
  const bounds = new Set<number>();
  for (const { h } of samples) {
    for (const b of h.buckets) {
      if (b.count === 0 || Number.isNaN(b.count)) continue;
      bounds.add(b.lower);
      bounds.add(b.upper);
    }
  }
  const boundaries = [...bounds].sort((a, b) => a - b);
  const pos = new Map(boundaries.map((v, i) => [v, i]));
  const half = stepMs / 2000;
  const cells: HeatmapCell[] = [];
  let max = 0;
  for (const { t, h } of samples) {
    for (const b of h.buckets) {
      if (b.count === 0 || Number.isNaN(b.count)) continue;
      cells.push({ x0: Math.max(t - half, startMs / 1000), x1: Math.min(t + half, endMs / 1000), y0: pos.get(b.lower)!, y1: pos.get(b.upper)!, bucket: b, t });
      if (Math.abs(b.count) > max) max = Math.abs(b.count);
    }
  }
  return { boundaries, cells, max };
}

/** A cell's colour for value/max in [0, 1]: from a pale to a deep blue-violet,
 * readable on the light and the dark theme. */
export function heatColor(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const from = [198, 219, 239];
  const to = [63, 0, 125];
  const c = from.map((a, i) => Math.round(a + (to[i]! - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The cell under (x seconds, y on the boundary scale), the one drawn last when they
 * overlap. */
export function cellAt(map: Heatmap, x: number, y: number): HeatmapCell | undefined {
  for (let i = map.cells.length - 1; i >= 0; i--) {
    const c = map.cells[i]!;
    if (x >= c.x0 && x <= c.x1 && y >= Math.min(c.y0, c.y1) && y <= Math.max(c.y0, c.y1)) return c;
  }
  return undefined;
}
