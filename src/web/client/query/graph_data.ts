import { parseSampleValue } from "../format/value.js";

/** A range query's series as the API returns them. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Columns for uPlot: x in seconds on the query's step grid, one y column per series
 * with null where the series has no (finite) sample. */
export interface GraphColumns {
  xs: number[];
  ys: (number | null)[][];
}

/** Puts every series on the step grid start, start+step, ..., end (ms) the range
 * query evaluated at, so that all series share one x column. */
export function alignSeries(result: readonly MatrixSeries[], startMs: number, endMs: number, stepMs: number): GraphColumns {
  const n = Math.max(0, Math.floor((endMs - startMs) / stepMs) + 1);
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = (startMs + i * stepMs) / 1000;
  const ys = result.map((s) => {
    const col = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values) {
      const i = Math.round((t * 1000 - startMs) / stepMs);
      if (i < 0 || i >= n) continue;
      const f = parseSampleValue(v);
      col[i] = Number.isFinite(f) ? f : null;
    }
    return col;
  });
  return { xs, ys };
}

/** Cumulative sums over the visible series, bottom-up in legend order, for a stacked
 * graph. A gap stays a gap in its own series but adds nothing to those above it. */
export function stackColumns(ys: readonly (number | null)[][], visible: readonly boolean[]): (number | null)[][] {
  const n = ys[0]?.length ?? 0;
  const acc = new Array<number>(n).fill(0);
  return ys.map((col, i) => {
    if (!visible[i]) return col.slice();
    return col.map((v, j) => (v === null ? null : (acc[j] = acc[j]! + v)));
  });
}

/** Indices of samples with no neighbour on either side: a line cannot show them, so
 * the graph draws them as dots (a series that only just appeared, a sparse one). */
export function isolatedPoints(col: readonly (number | null | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < col.length; i++) {
    if (col[i] === null || col[i] === undefined) continue;
    const prev = i > 0 ? col[i - 1] : null;
    const next = i + 1 < col.length ? col[i + 1] : null;
    if ((prev === null || prev === undefined) && (next === null || next === undefined)) out.push(i);
  }
  return out;
}

/** Which series stay visible after a click on a legend entry: a plain click shows
 * only that series (or all again when it already was the only one); with Ctrl or Cmd
 * it toggles just that one, as in Prometheus' graph legend. */
export function legendClick(visible: readonly boolean[], i: number, toggle: boolean): boolean[] {
  if (toggle) return visible.map((v, k) => (k === i ? !v : v));
  const onlyThis = visible.every((v, k) => v === (k === i));
  return visible.map((_, k) => onlyThis || k === i);
}

/** Distinct, colour-blind-friendlier hues that keep 3:1 contrast on both the light
 * and the dark background. */
const PALETTE = [
  "#1f77b4", "#e6550d", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#3182bd", "#fd8d3c", "#31a354", "#de2d26", "#756bb1", "#a55194", "#636363", "#8ca252", "#6baed6", "#e7969c",
];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
