/** The targets API's shapes (Prometheus' /api/v1/targets) and the page's filter. */
export interface ActiveTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: "up" | "down" | "unknown";
  scrapeInterval: string;
  scrapeTimeout: string;
  /** edgeprom: samples of the last scrape whose timestamps were far from the scrape
   * time, and the largest distance; absent where the server does not report it. */
  skewedSamples?: number;
  maxSkewSeconds?: number;
}

export interface DroppedTarget {
  discoveredLabels: Record<string, string>;
  scrapePool?: string;
}

export interface TargetsData {
  activeTargets: ActiveTarget[];
  droppedTargets: DroppedTarget[];
  droppedTargetCounts?: Record<string, number>;
}

export type Health = ActiveTarget["health"];

/** Whether a target passes the health choice (empty: any) and every word of the
 * search text, matched against its URL, labels, pool and error. */
export function targetMatches(t: ActiveTarget, health: ReadonlySet<Health>, search: string): boolean {
  if (health.size > 0 && !health.has(t.health)) return false;
  return textMatches([t.scrapeUrl, t.scrapePool, t.lastError, ...labelTexts(t.labels)], search);
}

export function droppedMatches(t: DroppedTarget, search: string): boolean {
  return textMatches([t.scrapePool ?? "", ...labelTexts(t.discoveredLabels)], search);
}

function labelTexts(ls: Record<string, string>): string[] {
  return Object.entries(ls).map(([k, v]) => `${k}="${v}"`);
}

function textMatches(haystack: string[], search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return true;
  const text = haystack.join("\n").toLowerCase();
  return words.every((w) => text.includes(w));
}

/** Active targets by scrape pool, pools in name order, targets in URL order. */
export function groupByPool<T extends { scrapePool?: string }>(targets: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const pools = new Map<string, T[]>();
  for (const t of targets) {
    const p = t.scrapePool ?? "";
    let list = pools.get(p);
    if (list === undefined) pools.set(p, (list = []));
    list.push(t);
  }
  for (const list of pools.values()) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return new Map([...pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
