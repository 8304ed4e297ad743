import { labelsKey, type Labels } from "../model/labels.js";
import type { ExpositionFormat } from "../textparse/index.js";
import { SeriesRefs } from "../storage/storage.js";
import type { ScrapeTarget } from "./scrape_loop.js";

/** What the scrape loop worked out for one series text the last time it saw it. */
export interface CachedSeries {
  /** After target labels and metric_relabel_configs; null when relabelling drops it. */
  readonly labels: Labels | null;
  /** labelsKey(labels), "" when dropped. */
  readonly key: string;
  /** The label_limit/label_*_length_limit error this series raises, "" if none. */
  readonly limitError: string;
  lastSeen: number;
}

/** Scrapes an entry may go unseen before it is evicted: a series that blinks out for
 * a scrape or two keeps its entry, one that is gone stops costing memory. */
export const CACHE_KEEP_SCRAPES = 3;

/**
 * A target's memory of its exposition between scrapes, as Prometheus' scrape cache:
 * the series text of each line (`name{labels}` as written, see SeriesLookup) mapped to its labels after
 * parsing, target label merging and metric relabelling, and its series key. A
 * steady-state scrape then parses only values and timestamps. Entries depend on the
 * target's settings, so a scrape under other settings (a reload, other target
 * labels, another exposition format) starts from empty.
 */
export class ScrapeCache {
  private readonly entries = new Map<string, CachedSeries>();
  /** Storage's references to the target's series, as Prometheus' cache keeps head
   * series refs: they survive a settings change, since they belong to the series. */
  readonly refs = new SeriesRefs();
  private iteration = 0;
  private relabel: ScrapeTarget["metricRelabel"] | undefined;
  private settings = "";

  /** Starts a scrape of `target` whose body is in `format`. */
  begin(target: ScrapeTarget, format: ExpositionFormat): void {
    const settings = [
      format,
      target.honorLabels,
      target.labelLimit,
      target.labelNameLengthLimit,
      target.labelValueLengthLimit,
      labelsKey(target.labels),
    ].join("\u0000");
    if (settings !== this.settings || target.metricRelabel !== this.relabel) {
      this.entries.clear();
      this.settings = settings;
      this.relabel = target.metricRelabel;
    }
    this.iteration++;
  }

  /** The parser's SeriesLookup: marks the entry seen in this scrape. */
  readonly lookup = (series: string): CachedSeries | undefined => {
    const e = this.entries.get(series);
    if (e !== undefined) e.lastSeen = this.iteration;
    return e;
  };

  add(series: string, entry: CachedSeries): void {
    entry.lastSeen = this.iteration;
    this.entries.set(series, entry);
  }

  /** Ends a scrape: evicts what has not been seen for CACHE_KEEP_SCRAPES scrapes. */
  end(): void {
    for (const [k, e] of this.entries) {
      if (this.iteration - e.lastSeen >= CACHE_KEEP_SCRAPES) this.entries.delete(k);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
