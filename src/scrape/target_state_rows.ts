import { sameMetadata, type MetricMetadata } from "../model/metadata.js";
import type { SqlExec } from "../tsdb/usage_meter.js";
import type { TargetState } from "./scrape_loop.js";

/** A part of a target's series list stays well below SQLite's ~2 MB row limit. */
const MAX_PART_CHARS = 512 * 1024;

/** A steady target's state row is rewritten this often, so that after a restart its
 * last scrape time shown is at most this old until the next scrape. */
export const STATE_REFRESH_MS = 60_000;

/** The parts of a state whose change is written at once. */
type StateSummary = Pick<TargetState, "health" | "lastError" | "skewedSamples" | "maxSkewMs" | "lastScrape">;

/**
 * Each active target's state in the ScrapeScheduler's tables (schema.ts), each part
 * written only when it changed: the series list (read back for stale markers) and the
 * metadata at once, the small state row (health, error, timings) when health, error
 * or clock skew change, or at least every STATE_REFRESH_MS. A steady target's scrape
 * then writes nothing here most of the time.
 */
export class TargetStateRows {
  /** Targets whose metadata row holds what put() was last given (or get() read). */
  private readonly metadataStored = new Set<string>();
  /** What this instance last wrote to each target's state row. */
  private readonly stateStored = new Map<string, StateSummary>();

  constructor(private readonly sql: SqlExec) {}

  get(id: string): TargetState | undefined {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM scrape_targets WHERE id = ?", id).toArray()[0];
    if (row === undefined) return undefined;
    const series: string[] = [];
    for (const part of this.sql.exec<{ keys: string }>("SELECT keys FROM scrape_target_series WHERE id = ? ORDER BY seq", id)) {
      for (const k of JSON.parse(part.keys) as string[]) series.push(k);
    }
    const state = JSON.parse(row.state) as Omit<TargetState, "series" | "metadata"> & { metadata?: Record<string, MetricMetadata> };
    const meta = this.sql.exec<{ metadata: string }>("SELECT metadata FROM scrape_target_metadata WHERE id = ?", id).toArray()[0];
    // A row from before the metadata table keeps its metadata in the state; the next
    // put() moves it over.
    if (meta !== undefined) this.metadataStored.add(id);
    const metadata = meta !== undefined ? (JSON.parse(meta.metadata) as Record<string, MetricMetadata>) : (state.metadata ?? {});
    return { ...state, metadata, series };
  }

  /** Stores `after`; `before` is what is stored now (undefined: unknown). */
  put(id: string, after: TargetState, before: TargetState | undefined): void {
    const { series, metadata, ...rest } = after;
    const stored = this.stateStored.get(id);
    if (
      stored === undefined ||
      stored.health !== rest.health ||
      stored.lastError !== rest.lastError ||
      stored.skewedSamples !== rest.skewedSamples ||
      stored.maxSkewMs !== rest.maxSkewMs ||
      rest.lastScrape - stored.lastScrape >= STATE_REFRESH_MS
    ) {
      this.sql.exec("INSERT OR REPLACE INTO scrape_targets (id, state) VALUES (?, ?)", id, JSON.stringify(rest));
      this.stateStored.set(id, { health: rest.health, lastError: rest.lastError, skewedSamples: rest.skewedSamples, maxSkewMs: rest.maxSkewMs, lastScrape: rest.lastScrape });
    }
    if (before === undefined || !this.metadataStored.has(id) || !sameMetadata(before.metadata, metadata)) {
      this.sql.exec("INSERT OR REPLACE INTO scrape_target_metadata (id, metadata) VALUES (?, ?)", id, JSON.stringify(metadata));
      this.metadataStored.add(id);
    }
    if (before !== undefined && sameSeries(before.series, series)) return;
    this.sql.exec("DELETE FROM scrape_target_series WHERE id = ?", id);
    let seq = 0;
    for (let i = 0; i < series.length; ) {
      const part: string[] = [];
      let chars = 0;
      while (i < series.length && (part.length === 0 || chars + series[i]!.length < MAX_PART_CHARS)) {
        chars += series[i]!.length + 3;
        part.push(series[i++]!);
      }
      this.sql.exec("INSERT INTO scrape_target_series (id, seq, keys) VALUES (?, ?, ?)", id, seq++, JSON.stringify(part));
    }
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM scrape_targets WHERE id = ?", id);
    this.sql.exec("DELETE FROM scrape_target_series WHERE id = ?", id);
    this.sql.exec("DELETE FROM scrape_target_metadata WHERE id = ?", id);
    this.metadataStored.delete(id);
    this.stateStored.delete(id);
  }
}

function sameSeries(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
