import { labelsKey, type Labels } from "../model/labels.js";
import type { ExpositionFormat, MetadataEntry, MetadataSequence, PreviousMetadata, PreviousSeries, SeriesLookup, SeriesSequence } from "../textparse/index.js";
import { SeriesRefs } from "../storage/storage.js";
import type { MetricMetadata } from "../model/metadata.js";
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
  /** Shared by every entry with this key, so that a scrape notices a series it
   * already appended (two lines relabelled alike) without a set of keys; set by
   * ScrapeCache.add. */
  mark?: SeriesMark;
}

/** The last scrape (ScrapeCache.scrape) that appended a series. */
export interface SeriesMark {
  appendedIn: number;
}

/** What a good scrape of a body with an entity tag appended (floats only), for the
 * next scrape of the same target to append again at its own time when the target
 * answers 304 Not Modified: the same bytes give the same samples, as Prometheus
 * would parse them again. */
export interface ScrapeReplay {
  readonly etag: string;
  /** The target as it was scraped: other settings (a reload) parse again. */
  readonly target: ScrapeTarget;
  readonly labels: Labels[];
  /** labelsKey of each sample's labels, in append order (also the series list). */
  keys: string[];
  /** Explicit timestamps; NaN where the sample takes the scrape's time. */
  readonly ts: number[];
  readonly vs: number[];
  scraped: number;
  afterRelabel: number;
  metadata: Record<string, MetricMetadata>;
}

/** Scrapes an entry may go unseen before it is evicted: a series that blinks out for
 * a scrape or two keeps its entry, one that is gone stops costing memory. */
export const CACHE_KEEP_SCRAPES = 3;

/** An entry with its series text taken apart, for the parser's positional check. */
interface Known extends PreviousSeries {
  readonly entry: CachedSeries;
}

function known(series: string, entry: CachedSeries, names: Map<string, string>): Known {
  const nul = series.indexOf("\u0000");
  const text = nul < 0 ? series : series.slice(0, nul);
  let name = /^[^\s{]*/.exec(text)![0];
  // One instance per name, so the parser's checks of a run of one metric's lines
  // compare references.
  const interned = names.get(name);
  if (interned === undefined) names.set(name, name);
  else name = interned;
  return { text: flat(text), name, normalised: nul < 0 ? undefined : series.slice(nul + 1), series, entry };
}

/** A copy of `s` in its own memory: a slice of a body chunk would otherwise keep the
 * chunk alive and cost an indirection on every character the parser compares. */
function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/**
 * A target's memory of its exposition between scrapes, as Prometheus' scrape cache:
 * the series text of each line (`name{labels}` as written, see SeriesLookup) mapped to its labels after
 * parsing, target label merging and metric relabelling, and its series key. A
 * steady-state scrape then parses only values and timestamps, and recognises most
 * lines by position (SeriesSequence) without even hashing their text. Entries depend
 * on the target's settings, so a scrape under other settings (a reload, other target
 * labels, another exposition format) starts from empty.
 */
export class ScrapeCache implements SeriesSequence {
  private readonly entries = new Map<string, Known>();
  private readonly marks = new Map<string, SeriesMark>();
  private readonly names = new Map<string, string>();
  /** Storage's references to the target's series, as Prometheus' cache keeps head
   * series refs: they survive a settings change, since they belong to the series. */
  readonly refs = new SeriesRefs();
  /** The last scrape's samples while its body's entity tag may still be current. */
  replay: ScrapeReplay | undefined;
  private iteration = 0;
  private relabel: ScrapeTarget["metricRelabel"] | undefined;
  private settings = "";
  /** This scrape's looked-up lines in order: entries, or series texts not known at
   * lookup time (added later). Left empty while every line so far was the previous
   * scrape's line at its position (`taken` of them), as in a steady scrape. */
  private order: (Known | string)[] = [];
  private taken = 0;
  private diverged = false;
  private previous: (Known | undefined)[] = [];
  /** Entries seen in this scrape: when that is all of them, none is evicted. */
  private seen = 0;
  /** The metadata lines of the last scrape and the record made of them. */
  private metadataEntries: readonly MetadataEntry[] = [];
  private metadataRecord: Record<string, MetricMetadata> | undefined;
  /** The metadata lines of the last scrapes, by position (MetadataSequence). */
  private metadataLines: PreviousMetadata[] = [];
  /** How many of them this scrape has reached. */
  private metadataReached = 0;

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
      this.marks.clear();
      this.names.clear();
      this.previous = [];
      this.metadataLines = [];
      this.settings = settings;
      this.relabel = target.metricRelabel;
    }
    this.order = [];
    this.taken = 0;
    this.diverged = false;
    this.seen = 0;
    this.metadataReached = 0;
    this.iteration++;
  }

  /** The last scrape's samples if they were scraped with `target`'s very settings. */
  replayFor(target: ScrapeTarget): ScrapeReplay | undefined {
    return this.replay?.target === target ? this.replay : undefined;
  }

  /** The parser's SeriesLookup: marks the entry seen in this scrape. */
  readonly lookup: SeriesLookup = Object.assign(
    (series: string): CachedSeries | undefined => {
      const e = this.entries.get(series);
      this.diverge();
      this.order.push(e ?? series);
      if (e === undefined) return undefined;
      this.markSeen(e.entry);
      return e.entry;
    },
    { previous: this as SeriesSequence, metadata: this.metadataSequence() },
  );

  private metadataSequence(): MetadataSequence {
    return {
      at: (k) => {
        if (k >= this.metadataReached) this.metadataReached = k + 1;
        return this.metadataLines[k];
      },
      set: (k, m) => {
        if (k >= this.metadataReached) this.metadataReached = k + 1;
        this.metadataLines[k] = { line: flat(m.line), nameAt: m.nameAt, entry: m.entry, sampleNames: m.sampleNames };
      },
    };
  }

  at(k: number): PreviousSeries | undefined {
    return this.previous[k];
  }

  take(k: number): CachedSeries {
    const e = this.previous[k]!;
    if (this.diverged) this.order.push(e);
    else this.taken++;
    this.markSeen(e.entry);
    return e.entry;
  }

  /** The record `build` makes of this scrape's metadata lines; the last scrape's
   * when they are its very entries (the parser hands back an unchanged line's entry,
   * see MetadataSequence), so an unchanged page's metadata is neither built nor
   * compared again. */
  metadataOf(lines: readonly MetadataEntry[], build: (lines: readonly MetadataEntry[]) => Record<string, MetricMetadata>): Record<string, MetricMetadata> {
    const last = this.metadataEntries;
    if (this.metadataRecord !== undefined && lines.length === last.length && lines.every((e, i) => e === last[i])) return this.metadataRecord;
    this.metadataEntries = lines;
    return (this.metadataRecord = build(lines));
  }

  private markSeen(entry: CachedSeries): void {
    if (entry.lastSeen !== this.iteration) {
      entry.lastSeen = this.iteration;
      this.seen++;
    }
  }

  /** From here on this scrape's lines are listed one by one. */
  private diverge(): void {
    if (this.diverged) return;
    this.diverged = true;
    this.order = this.previous.slice(0, this.taken) as Known[];
  }

  add(series: string, entry: CachedSeries): void {
    // A page repeating a line adds its text twice: the entry replaced was counted.
    if (!this.entries.has(series)) this.seen++;
    entry.lastSeen = this.iteration;
    if (entry.labels !== null) {
      let mark = this.marks.get(entry.key);
      if (mark === undefined) this.marks.set(entry.key, (mark = { appendedIn: 0 }));
      entry.mark = mark;
    }
    this.entries.set(series, known(series, entry, this.names));
  }

  /** The running scrape's number, for SeriesMark (never 0). */
  get scrape(): number {
    return this.iteration;
  }

  /** Ends a scrape: evicts what has not been seen for CACHE_KEEP_SCRAPES scrapes. */
  end(): void {
    // Not diverged: this scrape's lines were the previous ones up to `taken`.
    if (!this.diverged) this.previous.length = this.taken;
    else this.previous = this.order.map((e) => (typeof e === "string" ? this.entries.get(e) : e));
    this.order = [];
    if (this.metadataLines.length > this.metadataReached) this.metadataLines.length = this.metadataReached;
    if (this.seen === this.entries.size) return;
    let evicted = false;
    for (const [k, e] of this.entries) {
      if (this.iteration - e.entry.lastSeen >= CACHE_KEEP_SCRAPES) {
        this.entries.delete(k);
        evicted = true;
      }
    }
    if (!evicted) return;
    const live = new Set<string>();
    const names = new Set<string>();
    for (const e of this.entries.values()) {
      live.add(e.entry.key);
      names.add(e.name);
    }
    for (const k of this.marks.keys()) if (!live.has(k)) this.marks.delete(k);
    for (const k of this.names.keys()) if (!names.has(k)) this.names.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
