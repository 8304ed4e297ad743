/** One query panel's settings: what the URL carries and a link reproduces. */

export type Density = "low" | "medium" | "high";

export type Resolution =
  | { type: "auto"; density: Density }
  /** A step picked from the fixed list, in ms. */
  | { type: "fixed"; step: number }
  /** A step typed by hand, in ms. */
  | { type: "custom"; step: number };

export type Tab = "table" | "graph";
export type DisplayMode = "lines" | "stacked";

export interface PanelState {
  expr: string;
  tab: Tab;
  /** Graph range in ms. */
  range: number;
  /** End of the graph and evaluation time of the table, in ms; null follows "now". */
  endTime: number | null;
  resolution: Resolution;
  displayMode: DisplayMode;
  /** The graph also shows the exemplars of the series it selects. */
  showExemplars: boolean;
}

export function defaultPanel(): PanelState {
  return { expr: "", tab: "table", range: 3600_000, endTime: null, resolution: { type: "auto", density: "medium" }, displayMode: "lines", showExemplars: false };
}

/** Points per range for the automatic resolutions, as Prometheus 3's UI uses them. */
const DENSITY_FACTOR: Record<Density, number> = { low: 100, medium: 250, high: 750 };

/** The step (ms) a graph queries with: range / factor for the automatic resolutions,
 * never below 1 ms; the chosen step otherwise. */
export function effectiveStep(res: Resolution, rangeMs: number): number {
  if (res.type === "auto") return Math.max(Math.floor(rangeMs / DENSITY_FACTOR[res.density]), 1);
  return res.step;
}

/** The most points per series the API returns (query_range refuses more). */
export const MAX_POINTS = 11_000;

/** A step that keeps the range under the API's 11,000 points, as the API would
 * otherwise refuse the query. */
export function clampStep(stepMs: number, rangeMs: number): number {
  const min = Math.ceil(rangeMs / MAX_POINTS);
  return Math.max(stepMs, min, 1);
}

/** The fixed steps offered in the resolution menu, in ms. */
export const FIXED_STEPS: readonly number[] = [10_000, 30_000, 60_000, 300_000, 900_000, 3600_000];

/** Ranges the - and + buttons move between, in ms. */
export const RANGE_STEPS: readonly number[] = [
  1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 1209600, 2419200, 4838400, 9676800, 15724800, 31536000, 63072000,
].map((s) => s * 1000);

/** The next larger range on the ladder (the same range past the top). */
export function increaseRange(range: number): number {
  return RANGE_STEPS.find((s) => s > range) ?? range;
}

/** The next smaller range on the ladder (the same range below the bottom). */
export function decreaseRange(range: number): number {
  return [...RANGE_STEPS].reverse().find((s) => s < range) ?? range;
}
