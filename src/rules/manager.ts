import type { RuleGroupDef } from "../config/rule_file.js";
import type { Label, Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import type { Alert as NotifierAlert } from "../notifier/notifier.js";
import type { Engine } from "../promql/engine/engine.js";
import { parseExpr } from "../promql/parser/parser.js";
import type { Storage } from "../storage/storage.js";
import { AlertingRule } from "./alerting_rule.js";
import { Group, type GroupEnv } from "./group.js";
import { engineQueryFunc, templateQueryFunc } from "./query.js";
import { RecordingRule } from "./recording_rule.js";
import type { Rule } from "./rule.js";
import { RuleMetrics } from "./rule_metrics.js";
import { groupView, type GroupView } from "./views.js";

/** Prometheus' flag defaults for alerting rules. */
export const RESEND_DELAY_MS = 60_000;
export const OUTAGE_TOLERANCE_MS = 60 * 60_000;
export const FOR_GRACE_PERIOD_MS = 10 * 60_000;

export interface RuleManagerOptions {
  storage: Storage;
  engine: Engine;
  /** Hands alerts to the notifier (Notifier.send). */
  notify: (alerts: NotifierAlert[]) => void;
  now?: () => number;
  log?: (event: Record<string, unknown>) => void;
  resendDelayMs?: number;
  outageToleranceMs?: number;
  forGracePeriodMs?: number;
}

/** A rule file as loaded: its KV key and its (validated) groups. */
export interface LoadedRuleFile {
  file: string;
  groups: RuleGroupDef[];
}

/** What rules take from prometheus.yml. */
export interface RuleSettings {
  /** global.evaluation_interval: the interval of groups without their own. */
  evaluationIntervalMs: number;
  /** global.rule_query_offset. */
  queryOffsetMs: number;
  externalLabels: Record<string, string>;
  /** Prometheus' --web.external-url: alert links and $externalURL. */
  externalURL: string;
}

/** A group removed by a reload: its series are marked stale two of its intervals
 * later, giving a renamed group time to write them first. */
interface Retired {
  due: number;
  ts: number;
  series: Labels[];
}

/** Sorted labels that keep empty values: an empty rule label removes that label
 * from the results, so it must survive until the results are built. */
function labelsKeepingEmpty(rec: Record<string, string>): Labels {
  const out: Label[] = Object.entries(rec).map(([name, value]) => ({ name, value }));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The rule manager (Prometheus' rules.Manager without goroutines): the groups of
 * every rule file, updated on reload the way Prometheus does (unchanged groups keep
 * running, changed ones take over the state of their predecessor, removed ones get
 * their series marked stale), and evaluated by whoever drives the clock through
 * {@link runDue} (the RuleEvaluator's alarms, or a test).
 */
export class RuleManager {
  readonly env: GroupEnv;
  private groups = new Map<string, Group>();
  private retired: Retired[] = [];
  /** Set after the first update; groups added later do not restore `for` state. */
  private started = false;

  private readonly engine: Engine;

  constructor(opts: RuleManagerOptions) {
    this.engine = opts.engine;
    const query = engineQueryFunc(opts.engine, opts.storage);
    this.env = {
      storage: opts.storage,
      query,
      templateQuery: templateQueryFunc(query),
      notify: opts.notify,
      now: opts.now ?? Date.now,
      metrics: new RuleMetrics(),
      log: opts.log ?? ((e) => console.log(JSON.stringify(e))),
      externalLabels: {},
      externalURL: "",
      defaultQueryOffsetMs: 0,
      resendDelayMs: opts.resendDelayMs ?? RESEND_DELAY_MS,
      outageToleranceMs: opts.outageToleranceMs ?? OUTAGE_TOLERANCE_MS,
      forGracePeriodMs: opts.forGracePeriodMs ?? FOR_GRACE_PERIOD_MS,
    };
  }

  /** Points queries and appends at `storage` from now on. A Durable Object's stubs
   * belong to the invocation that made them, so each alarm brings its own. */
  useStorage(storage: Storage): void {
    this.env.storage = storage;
    this.env.query = engineQueryFunc(this.engine, storage);
    this.env.templateQuery = templateQueryFunc(this.env.query);
  }

  /** Replaces the rule set (Prometheus' Manager.Update). The files must be valid
   * (see parseRuleFile). Returns true on the first call, when groups start fresh and
   * restore their alerts' `for` state. */
  update(files: readonly LoadedRuleFile[], settings: RuleSettings): boolean {
    const first = !this.started;
    this.started = true;
    this.env.externalLabels = settings.externalLabels;
    this.env.externalURL = settings.externalURL;
    this.env.defaultQueryOffsetMs = settings.queryOffsetMs;
    const next = new Map<string, Group>();
    for (const f of files) {
      for (const def of f.groups) {
        const g = this.buildGroup(f.file, def, settings.evaluationIntervalMs, first);
        const old = this.groups.get(g.key);
        this.groups.delete(g.key);
        if (old !== undefined && old.equals(g)) next.set(g.key, old);
        else {
          if (old !== undefined) g.copyState(old);
          next.set(g.key, g);
        }
      }
    }
    const now = this.env.now();
    for (const old of this.groups.values()) {
      const series = old.allSeries();
      if (series.length > 0) this.retired.push({ due: now + 2 * old.intervalMs, ts: now - old.queryOffset(), series });
    }
    this.groups = next;
    this.env.metrics.retain(new Set(next.keys()));
    return first;
  }

  private buildGroup(file: string, def: RuleGroupDef, defaultInterval: number, shouldRestore: boolean): Group {
    const rules: Rule[] = def.rules.map((r) => {
      const expr = parseExpr(r.expr);
      const labels = labelsKeepingEmpty({ ...def.labels, ...r.labels });
      if (r.alert !== "") {
        return new AlertingRule(r.alert, expr, r.forMs, r.keepFiringForMs, labels, labelsKeepingEmpty(r.annotations), !shouldRestore);
      }
      return new RecordingRule(r.record, expr, labels);
    });
    return new Group(
      { name: def.name, file, intervalMs: def.intervalMs || defaultInterval, limit: def.limit, queryOffsetMs: def.queryOffsetMs, rules, shouldRestore },
      this.env,
    );
  }

  /** Groups in file, then name order (as /api/v1/rules lists them). */
  list(): Group[] {
    return [...this.groups.values()].sort((a, b) => (a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(key: string): Group | undefined {
    return this.groups.get(key);
  }

  /** When something is next due: a group's slot or a retired group's stale markers. */
  nextDue(): number {
    let next = Infinity;
    for (const g of this.groups.values()) next = Math.min(next, g.nextSlot);
    for (const r of this.retired) next = Math.min(next, r.due);
    return next;
  }

  /** Evaluates every group whose slot has come, groups concurrently (each is
   * independent, as in Prometheus where each runs on its own goroutine). */
  async runDue(now: number): Promise<Group[]> {
    const due = [...this.groups.values()].filter((g) => g.nextSlot <= now);
    await Promise.all(due.map((g) => g.runDue(now)));
    await this.writeRetired(now);
    return due;
  }

  /** Marks the series of a group that was removed while nothing ran stale, two of
   * its intervals from now (see saved_state.ts). */
  retire(series: Labels[], intervalMs: number, now: number): void {
    if (series.length > 0) this.retired.push({ due: now + 2 * intervalMs, ts: now, series });
  }

  private async writeRetired(now: number): Promise<void> {
    const due = this.retired.filter((r) => r.due <= now);
    if (due.length === 0) return;
    this.retired = this.retired.filter((r) => r.due > now);
    const app = this.env.storage.appender();
    for (const r of due) for (const s of r.series) app.append(s, r.ts, STALE_NAN);
    try {
      await app.commit();
    } catch (e) {
      this.env.log({ event: "rule_stale_markers_failed", error: e instanceof Error ? e.message : String(e) });
    }
  }

  views(): GroupView[] {
    return this.list().map(groupView);
  }

  metrics() {
    return this.env.metrics.snapshot();
  }
}
