// The routing tree: each node with its options resolved from its parents (receiver,
// group_by, the three intervals), and the walk that finds which nodes an alert goes to.
import { matchAll, matchersString, type AmMatcher } from "./am_matcher.js";

export interface RouteOpts {
  receiver: string;
  /** Sorted label names, or null for `...` (group by every label). */
  groupBy: string[] | null;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export interface Route {
  matchers: AmMatcher[];
  continue: boolean;
  opts: RouteOpts;
  routes: Route[];
  /** Alertmanager's route key: the parent's key, "/", the matchers (the root is "{}"). */
  key: string;
}

/** Defaults of the root route when the file does not set them. */
export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3600_000 } as const;

/** The nodes an alert is routed to: depth first, stopping after the first matching
 * child unless it has `continue: true`; a node no child takes keeps the alert. */
export function matchRoutes(r: Route, labels: Readonly<Record<string, string>>): Route[] {
  if (!matchAll(r.matchers, labels)) return [];
  const all: Route[] = [];
  for (const c of r.routes) {
    const m = matchRoutes(c, labels);
    all.push(...m);
    if (m.length > 0 && !c.continue) break;
  }
  return all.length === 0 ? [r] : all;
}

export function routeKey(parentKey: string | undefined, matchers: AmMatcher[]): string {
  const own = matchersString(matchers);
  return parentKey === undefined ? own : `${parentKey}/${own}`;
}

/** Every node of the tree, root first. */
export function walkRoutes(r: Route, fn: (r: Route) => void): void {
  fn(r);
  for (const c of r.routes) walkRoutes(c, fn);
}

/** The labels an alert's aggregation group is keyed by on this route. */
export function groupLabels(opts: RouteOpts, labels: Readonly<Record<string, string>>): Record<string, string> {
  if (opts.groupBy === null) return { ...labels };
  const out: Record<string, string> = {};
  for (const n of opts.groupBy) if (labels[n] !== undefined && labels[n] !== "") out[n] = labels[n]!;
  return out;
}
