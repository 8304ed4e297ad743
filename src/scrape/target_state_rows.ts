import type { SqlExec } from "../tsdb/usage_meter.js";
import type { TargetState } from "./scrape_loop.js";

/** A part of a target's series list stays well below SQLite's ~2 MB row limit. */
const MAX_PART_CHARS = 512 * 1024;

/**
 * Each active target's state in the ScrapeScheduler's tables (schema.ts): the small
 * part rewritten after every scrape, the series list only when it changed, which a
 * steady target's does not, so a scrape writes one row.
 */
export class TargetStateRows {
  constructor(private readonly sql: SqlExec) {}

  get(id: string): TargetState | undefined {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM scrape_targets WHERE id = ?", id).toArray()[0];
    if (row === undefined) return undefined;
    const series: string[] = [];
    for (const part of this.sql.exec<{ keys: string }>("SELECT keys FROM scrape_target_series WHERE id = ? ORDER BY seq", id)) {
      for (const k of JSON.parse(part.keys) as string[]) series.push(k);
    }
    return { ...(JSON.parse(row.state) as Omit<TargetState, "series">), series };
  }

  /** Stores `after`; `before` is what is stored now (undefined: unknown). */
  put(id: string, after: TargetState, before: TargetState | undefined): void {
    const { series, ...rest } = after;
    this.sql.exec("INSERT OR REPLACE INTO scrape_targets (id, state) VALUES (?, ?)", id, JSON.stringify(rest));
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
  }
}

function sameSeries(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
