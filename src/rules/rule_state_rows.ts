import { seriesKey, splitSeriesKey, type RuleStateStore, type SavedGroup, type SavedSeries } from "./saved_state.js";

/** A RuleEvaluator's saved rule state in its tables (schema.ts). */
export class RuleStateRows implements RuleStateStore {
  constructor(private readonly sql: Pick<SqlStorage, "exec">) {}

  load(): { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries> } {
    const groups = new Map<string, SavedGroup>();
    for (const r of this.sql.exec<{ key: string; state: string }>("SELECT key, state FROM rule_groups")) groups.set(r.key, JSON.parse(r.state) as SavedGroup);
    const series = new Map<string, SavedSeries>();
    for (const r of this.sql.exec<{ group_key: string; idx: number; rule_id: string; keys: string }>("SELECT group_key, idx, rule_id, keys FROM rule_series")) {
      series.set(seriesKey(r.group_key, r.idx), { id: r.rule_id, keys: JSON.parse(r.keys) as string[] });
    }
    return { groups, series };
  }

  write(change: { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries>; deleteGroups: string[]; deleteSeries: string[] }): void {
    for (const [key, g] of change.groups) this.sql.exec("INSERT OR REPLACE INTO rule_groups (key, state) VALUES (?, ?)", key, JSON.stringify(g));
    for (const [key, s] of change.series) {
      const { group, index } = splitSeriesKey(key);
      this.sql.exec("INSERT OR REPLACE INTO rule_series (group_key, idx, rule_id, keys) VALUES (?, ?, ?, ?)", group, index, s.id, JSON.stringify(s.keys));
    }
    for (const key of change.deleteGroups) this.sql.exec("DELETE FROM rule_groups WHERE key = ?", key);
    for (const key of change.deleteSeries) {
      const { group, index } = splitSeriesKey(key);
      this.sql.exec("DELETE FROM rule_series WHERE group_key = ? AND idx = ?", group, index);
    }
  }

  /** Takes over a group or rule series that an older version kept in the key-value API. */
  moveLegacy(kind: "group" | "series", key: string, value: unknown): void {
    if (kind === "group") this.write({ groups: new Map([[key, value as SavedGroup]]), series: new Map(), deleteGroups: [], deleteSeries: [] });
    else this.write({ groups: new Map(), series: new Map([[key, value as SavedSeries]]), deleteGroups: [], deleteSeries: [] });
  }
}
