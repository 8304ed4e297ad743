import { labelsFromKey, labelsKey, type Labels } from "../model/labels.js";
import { isZeroTime, type Alert } from "./alert.js";
import { AlertingRule } from "./alerting_rule.js";
import type { Group } from "./group.js";
import type { RuleManager } from "./manager.js";
import type { RuleHealth } from "./rule.js";

/**
 * The rule state a RuleEvaluator keeps in its Durable Object's tables, so that an
 * eviction or a restart loses nothing Prometheus would keep in memory: alerts with
 * their activeAt, firedAt and last-sent times (resolved ones too, so the resolution
 * still reaches Alertmanager), rule health, and the series each rule wrote last (so
 * that the ones that vanish get stale markers).
 *
 * An object that comes back within four evaluation or resend intervals (what
 * Alertmanager tolerates before it expires an alert) simply continues. After a longer
 * gap it is a restart in Prometheus' sense: alerts start over and their `for` state
 * is restored from ALERTS_FOR_STATE with the outage tolerance and grace period.
 */

/** Where the state is kept: the RuleEvaluator's tables (rule_state_rows.ts), or a
 * Map in tests. Rule series are keyed by seriesKey(group, index). */
export interface RuleStateStore {
  load(): { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries> };
  /** Writes and deletes in one step. */
  write(change: { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries>; deleteGroups: string[]; deleteSeries: string[] }): void;
}

/** Where the state lived in the key-value API before the tables (moved on start). */
export const LEGACY_GROUP_PREFIX = "rules/group/";
export const LEGACY_SERIES_PREFIX = "rules/series/";

/** Per-rule state in parallel arrays (one entry per rule, in group order): a group of
 * a thousand rules stays a small value. */
export interface SavedGroup {
  v: 2;
  intervalMs: number;
  nextSlot: number;
  lastEvalTimestamp: number;
  lastEvaluation: number;
  evaluationTimeMs: number;
  restoreCountdown: number;
  staleSeries: string[];
  /** Rule name and labels, to match rules after the file changed. */
  ids: string[];
  health: RuleHealth[];
  lastErrors: string[];
  evaluationDurationsMs: number[];
  evaluationTimestamps: number[];
  /** Alerting rules by index. */
  alerting: Record<number, { restored: boolean; alerts: Alert[] }>;
}

/** One rule's series, saved apart from the group and only when they change: most
 * evaluations of a recording rule return the same series. */
export interface SavedSeries {
  id: string;
  keys: string[];
}

/** A rule's series' key: group key and rule index. Group keys may hold "#", indexes
 * cannot, so the last "#" separates them. */
export function seriesKey(group: string, index: number): string {
  return `${group}#${index}`;
}

export function splitSeriesKey(key: string): { group: string; index: number } {
  const at = key.lastIndexOf("#");
  return { group: key.slice(0, at), index: Number(key.slice(at + 1)) };
}

function saveGroup(g: Group): SavedGroup {
  const alerting: SavedGroup["alerting"] = {};
  g.rules.forEach((r, i) => {
    if (r instanceof AlertingRule) alerting[i] = { restored: r.restored, alerts: [...r.active.values()] };
  });
  return {
    v: 2,
    intervalMs: g.intervalMs,
    nextSlot: g.nextSlot,
    lastEvalTimestamp: g.lastEvalTimestamp,
    lastEvaluation: g.lastEvaluation,
    evaluationTimeMs: g.evaluationTimeMs,
    restoreCountdown: g.restoreCountdown,
    staleSeries: g.staleSeries.map(labelsKey),
    ids: g.rules.map((r) => r.identity()),
    health: g.rules.map((r) => r.health),
    lastErrors: g.rules.map((r) => r.lastError),
    evaluationDurationsMs: g.rules.map((r) => r.evaluationDurationMs),
    evaluationTimestamps: g.rules.map((r) => r.evaluationTimestamp),
    alerting,
  };
}

function toLabels(keys: readonly string[]): Labels[] {
  return keys.map(labelsFromKey);
}

export class SavedRuleState {
  /** Keys of the groups and series this object wrote and has not deleted, so removed
   * groups get cleaned up. */
  private readonly writtenGroups = new Set<string>();
  private readonly writtenSeries = new Set<string>();

  constructor(private readonly store: RuleStateStore) {}

  /** Writes the state of `groups` (default: all) and drops that of groups gone. */
  async save(manager: RuleManager, groups: readonly Group[] = manager.list()): Promise<void> {
    const savedGroups = new Map<string, SavedGroup>();
    const savedSeries = new Map<string, SavedSeries>();
    for (const g of groups) {
      savedGroups.set(g.key, saveGroup(g));
      g.rules.forEach((r, i) => {
        const key = seriesKey(g.key, i);
        if (!g.seriesDirty[i] && this.writtenSeries.has(key)) return;
        savedSeries.set(key, { id: r.identity(), keys: [...g.seriesInPreviousEval[i]!.keys()] });
      });
    }
    const liveGroups = new Set<string>();
    const liveSeries = new Set<string>();
    for (const g of manager.list()) {
      liveGroups.add(g.key);
      g.rules.forEach((_, i) => liveSeries.add(seriesKey(g.key, i)));
    }
    const deleteGroups = [...this.writtenGroups].filter((k) => !liveGroups.has(k));
    const deleteSeries = [...this.writtenSeries].filter((k) => !liveSeries.has(k));
    this.store.write({ groups: savedGroups, series: savedSeries, deleteGroups, deleteSeries });
    // Marked clean only once written: a failed write is retried by the next save.
    for (const g of groups) g.rules.forEach((_, i) => (g.seriesDirty[i] = false));
    for (const k of savedGroups.keys()) this.writtenGroups.add(k);
    for (const k of savedSeries.keys()) this.writtenSeries.add(k);
    for (const k of deleteGroups) this.writtenGroups.delete(k);
    for (const k of deleteSeries) this.writtenSeries.delete(k);
  }

  /** Applies what a previous instance saved to the groups of a manager that was just
   * updated for the first time. */
  async restore(manager: RuleManager, now: number): Promise<void> {
    const { groups, series } = this.store.load();
    for (const k of groups.keys()) this.writtenGroups.add(k);
    for (const k of series.keys()) this.writtenSeries.add(k);
    const seriesOf = (group: string, index: number, id: string): string[] => {
      const s = series.get(seriesKey(group, index));
      return s !== undefined && s.id === id ? s.keys : [];
    };
    for (const [key, saved] of groups) {
      // State of an older format is dropped: the group then starts over.
      if (saved.v !== 2) continue;
      const g = manager.get(key);
      if (g === undefined) {
        // Removed while nothing ran: its series still deserve stale markers.
        const all = saved.ids.flatMap((id, i) => seriesOf(key, i, id));
        manager.retire(toLabels([...saved.staleSeries, ...all]), saved.intervalMs, now);
        continue;
      }
      this.apply(g, key, saved, seriesOf, manager, now);
    }
  }

  private apply(g: Group, key: string, saved: SavedGroup, seriesOf: (group: string, index: number, id: string) => string[], manager: RuleManager, now: number): void {
    const env = manager.env;
    const gap = now - saved.lastEvalTimestamp;
    const continues = !isZeroTime(saved.lastEvalTimestamp) && saved.intervalMs === g.intervalMs && gap <= 4 * Math.max(g.intervalMs, env.resendDelayMs);
    const byId = new Map<string, number[]>();
    saved.ids.forEach((id, i) => byId.set(id, [...(byId.get(id) ?? []), i]));
    g.rules.forEach((rule, i) => {
      const list = byId.get(rule.identity());
      if (list === undefined || list.length === 0) return;
      const si = list.shift()!;
      g.seriesInPreviousEval[i] = new Map(seriesOf(key, si, saved.ids[si]!).map((k) => [k, labelsFromKey(k)]));
      g.seriesDirty[i] = si !== i;
      if (!continues) return;
      rule.health = saved.health[si]!;
      rule.lastError = saved.lastErrors[si]!;
      rule.evaluationDurationMs = saved.evaluationDurationsMs[si]!;
      rule.evaluationTimestamp = saved.evaluationTimestamps[si]!;
      const a = saved.alerting[si];
      if (rule instanceof AlertingRule && a !== undefined) {
        rule.restored = a.restored;
        rule.active = new Map(a.alerts.map((x) => [labelsKey(x.labels), x]));
      }
    });
    g.staleSeries.push(...toLabels(saved.staleSeries));
    for (const list of byId.values()) for (const si of list) g.staleSeries.push(...toLabels(seriesOf(key, si, saved.ids[si]!)));
    if (!continues) return;
    g.nextSlot = saved.nextSlot;
    g.lastEvalTimestamp = saved.lastEvalTimestamp;
    g.lastEvaluation = saved.lastEvaluation;
    g.evaluationTimeMs = saved.evaluationTimeMs;
    g.restoreCountdown = saved.restoreCountdown;
  }
}
