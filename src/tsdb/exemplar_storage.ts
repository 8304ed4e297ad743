import type { Label, Labels } from "../model/labels.js";
import { compareLabels, labelsFromKey } from "../model/labels.js";
import { matchesLabels, type Matcher } from "../model/matchers.js";

/** One exemplar as stored and returned: its own labels (e.g. trace_id), value, time in ms. */
export interface StoredExemplar {
  labels: Label[];
  v: number;
  t: number;
}

/** Exemplars of one series in a queried range, oldest first. */
export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: StoredExemplar[];
}

export type ExemplarOutcome = "ok" | "duplicate" | "out_of_order" | "too_long";

/** OpenMetrics caps an exemplar's label names and values at 128 characters together;
 * Prometheus refuses longer ones at ingestion too. */
export const MAX_EXEMPLAR_LABEL_CHARS = 128;

const NONE = -1;

interface Slot {
  ex: StoredExemplar;
  series: SeriesIndex | null;
  next: number;
}

interface SeriesIndex {
  key: string;
  /** Parsed from `key` at the first query that looks at the series. */
  labels?: Labels;
  oldest: number;
  newest: number;
}

/**
 * A fixed number of exemplars in memory, in one ring shared by all series, the way
 * Prometheus' circular exemplar storage bounds them: when full, the oldest exemplar of
 * the whole store makes room, whichever series it belongs to. Each series links its
 * own exemplars oldest to newest so a query reads only matching series.
 */
export class ExemplarStorage {
  private readonly slots: (Slot | undefined)[];
  private readonly index = new Map<string, SeriesIndex>();
  private nextSlot = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<Slot | undefined>(Math.max(0, Math.floor(capacity)));
  }

  /** How many exemplars are held now. */
  get size(): number {
    let n = 0;
    for (const s of this.slots) if (s?.series) n++;
    return n;
  }

  /** Adds an exemplar to the series `key` (model/labels.labelsKey). A repeat of the
   * series' newest exemplar is ignored; an older or same-time one is refused. */
  add(key: string, ex: StoredExemplar): ExemplarOutcome {
    if (this.slots.length === 0) return "ok";
    let chars = 0;
    for (const l of ex.labels) chars += [...l.name].length + [...l.value].length;
    if (chars > MAX_EXEMPLAR_LABEL_CHARS) return "too_long";
    const idx = this.index.get(key);
    if (idx !== undefined) {
      const newest = this.slots[idx.newest]!.ex;
      if (sameExemplar(newest, ex)) return "duplicate";
      if (ex.t <= newest.t) return "out_of_order";
    }
    const at = this.nextSlot;
    this.evict(at);
    let series = this.index.get(key);
    if (series === undefined) {
      series = { key, oldest: at, newest: at };
      this.index.set(key, series);
    } else {
      this.slots[series.newest]!.next = at;
      series.newest = at;
    }
    this.slots[at] = { ex: { labels: ex.labels.map((l) => ({ name: l.name, value: l.value })), v: ex.v, t: ex.t }, series, next: NONE };
    this.nextSlot = (at + 1) % this.slots.length;
    return "ok";
  }

  /** Exemplars in [start, end] of every series matching any of the matcher sets,
   * series sorted by labels. */
  select(start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): ExemplarSeries[] {
    const out: ExemplarSeries[] = [];
    for (const idx of this.index.values()) {
      if (this.slots[idx.oldest]!.ex.t > end || this.slots[idx.newest]!.ex.t < start) continue;
      const labels = (idx.labels ??= labelsFromKey(idx.key));
      if (!matcherSets.some((ms) => matchesLabels(ms, labels))) continue;
      const exemplars: StoredExemplar[] = [];
      for (let i = idx.oldest; i !== NONE; ) {
        const slot = this.slots[i]!;
        if (slot.ex.t > end) break;
        if (slot.ex.t >= start) exemplars.push(slot.ex);
        i = slot.next;
      }
      if (exemplars.length > 0) out.push({ seriesLabels: labels, exemplars });
    }
    return out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  /** Drops every exemplar of the series `key` (its samples were deleted). */
  deleteSeries(key: string): void {
    const idx = this.index.get(key);
    if (idx === undefined) return;
    for (let i = idx.oldest; i !== NONE; ) {
      const slot = this.slots[i]!;
      slot.series = null;
      i = slot.next;
      slot.next = NONE;
    }
    this.index.delete(key);
  }

  /** Frees slot `at` for reuse: it is its series' oldest exemplar, since slots are
   * reused in the order they were filled. */
  private evict(at: number): void {
    const old = this.slots[at];
    if (old?.series == null) return;
    const idx = old.series;
    if (old.next === NONE) this.index.delete(idx.key);
    else idx.oldest = old.next;
    old.series = null;
  }
}

function sameExemplar(a: StoredExemplar, b: StoredExemplar): boolean {
  if (a.t !== b.t || !(a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v))) || a.labels.length !== b.labels.length) return false;
  return a.labels.every((l, i) => l.name === b.labels[i]!.name && l.value === b.labels[i]!.value);
}
