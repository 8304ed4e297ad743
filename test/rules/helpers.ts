import { parseRuleFile } from "../../src/config/rule_file.js";
import { labelsFromRecord, labelsToRecord, type Labels } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { isStaleNaN } from "../../src/model/sample.js";
import type { Alert as NotifierAlert } from "../../src/notifier/notifier.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { parseSeriesLine } from "../../src/promql/promqltest/values.js";
import { RuleManager, type RuleSettings } from "../../src/rules/manager.js";
import { ruleFileChecks } from "../../src/rules/rule_checks.js";
import type { RuleStateStore, SavedGroup, SavedSeries } from "../../src/rules/saved_state.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import type { Storage } from "../../src/storage/storage.js";

/** A round start time, so that slots and `[5m]` windows are easy to reason about. */
export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
export const MIN = 60_000;

export const SETTINGS: RuleSettings = {
  evaluationIntervalMs: MIN,
  queryOffsetMs: 0,
  externalLabels: { region: "eu" },
  externalURL: "http://prom.example:9090",
};

/** Parses a rule file the way the RuleEvaluator does; throws on errors. */
export function ruleFile(yaml: string, file = "rules.yml") {
  const parsed = parseRuleFile(yaml, { checks: ruleFileChecks });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.join("\n"));
  return { file, groups: parsed.groups };
}

/** A rule manager over a storage (a MemoryStorage unless given) with a clock the test moves. */
export class Harness {
  readonly storage: Storage;
  readonly sent: NotifierAlert[][] = [];
  readonly logs: Record<string, unknown>[] = [];
  now: number;
  manager: RuleManager;

  constructor(opts: { storage?: Storage; now?: number } = {}) {
    this.storage = opts.storage ?? new MemoryStorage();
    this.now = opts.now ?? T0;
    this.manager = this.newManager();
  }

  newManager(): RuleManager {
    return new RuleManager({
      storage: this.storage,
      engine: new Engine(),
      notify: (alerts) => this.sent.push(alerts),
      now: () => this.now,
      log: (e) => this.logs.push(e),
    });
  }

  /** Appends `metric{...} v1 v2 ...` (promqltest value syntax) at start, start+step, ... */
  async load(start: number, stepMs: number, ...lines: string[]): Promise<void> {
    const app = this.storage.appender();
    for (const line of lines) {
      const { labels, seq } = parseSeriesLine(line);
      for (let i = 0; i < seq.values.length; i++) if (!seq.omitted[i]) app.append(labels, start + i * stepMs, seq.values[i]!);
    }
    const res = await app.commit();
    if (res.rejected > 0) throw new Error(`load rejected ${res.rejected} samples`);
  }

  /** Moves the clock to `t`, running every evaluation that falls due on the way. */
  async advance(t: number): Promise<void> {
    for (;;) {
      const next = this.manager.nextDue();
      if (next > t) break;
      this.now = Math.max(this.now, next);
      await this.manager.runDue(this.now);
    }
    this.now = t;
  }

  /** Every raw sample of the series matching `name` and `labels`, stale markers as "stale". */
  async samples(name: string, labels: Record<string, string> = {}, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<{ labels: Record<string, string>; points: [number, number | "stale"][] }[]> {
    const ms = [newMatcher("=", "__name__", name), ...Object.entries(labels).map(([k, v]) => newMatcher("=", k, v))];
    const out: { labels: Record<string, string>; points: [number, number | "stale"][] }[] = [];
    for await (const s of this.storage.querier().select(ms, { start: from, end: to })) {
      const points: [number, number | "stale"][] = [];
      for (let i = 0; i < s.ts.length; i++) points.push([s.ts[i]!, isStaleNaN(s.vs[i]!) ? "stale" : s.vs[i]!]);
      out.push({ labels: labelsToRecord(s.labels), points });
    }
    return out;
  }

  /** Alerts handed to the notifier since the last call. */
  takeSent(): NotifierAlert[] {
    const all = this.sent.flat();
    this.sent.length = 0;
    return all;
  }
}

export function labels(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

/** DurableObjectStorage's list/put/delete over a Map, for saved-state tests. */
/** The RuleEvaluator's tables, played by a Map ("group:<key>", "series:<key>"). */
export class MapStore implements RuleStateStore {
  readonly map = new Map<string, unknown>();

  load(): { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries> } {
    const groups = new Map<string, SavedGroup>();
    const series = new Map<string, SavedSeries>();
    for (const [k, v] of this.map) {
      if (k.startsWith("group:")) groups.set(k.slice(6), structuredClone(v) as SavedGroup);
      else series.set(k.slice(7), structuredClone(v) as SavedSeries);
    }
    return { groups, series };
  }

  write(change: { groups: Map<string, SavedGroup>; series: Map<string, SavedSeries>; deleteGroups: string[]; deleteSeries: string[] }): void {
    for (const [k, v] of change.groups) this.map.set("group:" + k, structuredClone(v));
    for (const [k, v] of change.series) this.map.set("series:" + k, structuredClone(v));
    for (const k of change.deleteGroups) this.map.delete("group:" + k);
    for (const k of change.deleteSeries) this.map.delete("series:" + k);
  }
}
