import { sameMetadata, type MetricMetadata } from "../model/metadata.js";
import type { SqlExec } from "../tsdb/usage_meter.js";
import type { TargetState } from "./scrape_loop.js";

/** A part of a target's series list stays well below SQLite's ~2 MB row limit. */
const MAX_PART_CHARS = 512 * 1024;

/**
 * Each active target's state in the ScrapeScheduler's tables (schema.ts): the small
 * part rewritten after every scrape, the series list and the metadata only when they
 * changed, which a steady target's do not, so a scrape writes one small row.
 */
export class TargetStateRows {
  /** Targets whose metadata row holds what put() was last given (or get() read). */
  private readonly metadataStored = new Set<string>();

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
    this.sql.exec("INSERT OR REPLACE INTO scrape_targets (id, state) VALUES (?, ?)", id, JSON.stringify(rest));
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
  }
}

function sameSeries(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
