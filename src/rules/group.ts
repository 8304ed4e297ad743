import { labelsKey, labelsToRecord, METRIC_NAME, type Labels } from "../model/labels.js";
import { isStaleNaN, STALE_NAN } from "../model/sample.js";
import type { Alert as NotifierAlert } from "../notifier/notifier.js";
import { SeriesRefs, type Storage } from "../storage/storage.js";
import type { RejectReason } from "../tsdb/rpc.js";
import { isZeroTime, ZERO_TIME } from "./alert.js";
import { AlertingRule } from "./alerting_rule.js";
import { slotAtOrBefore, slotOffsetNs } from "./eval_slot.js";
import { generatorURL } from "./generator_url.js";
import type { QueryFunc, Rule, RuleSample } from "./rule.js";
import { evaluationRuns } from "./rule_dependencies.js";
import type { RuleMetrics } from "./rule_metrics.js";
import type { TemplateQuery } from "./template/index.js";

/** What every group of a manager shares: storage, queries, notifications and the
 * settings Prometheus takes from flags and the global configuration. The manager
 * owns it and updates it in place on reload. */
export interface GroupEnv {
  storage: Storage;
  query: QueryFunc;
  templateQuery: TemplateQuery;
  notify: (alerts: NotifierAlert[]) => void;
  /** Wall clock (ms): evaluation durations, lastEvaluation, restoration. */
  now: () => number;
  metrics: RuleMetrics;
  log: (event: Record<string, unknown>) => void;
  externalLabels: Record<string, string>;
  externalURL: string;
  /** global.rule_query_offset, for groups without their own query_offset. */
  defaultQueryOffsetMs: number;
  /** --rules.alert.resend-delay (1m). */
  resendDelayMs: number;
  /** --rules.alert.for-outage-tolerance (1h). */
  outageToleranceMs: number;
  /** --rules.alert.for-grace-period (10m). */
  forGracePeriodMs: number;
}

/** Prometheus' storage errors for rejected rule samples. */
const APPEND_ERRORS: Record<RejectReason, string> = {
  out_of_order: "out of order sample",
  duplicate: "duplicate sample for timestamp",
  too_old: "too old sample",
};

/** Evaluations a starting group runs before restoring alert `for` state: by the
 * second one, recording rules the alerts may read have caught up. */
const EVALS_BEFORE_RESTORE = 2;
/** Rules of a group evaluated at once when they do not depend on each other. Their
 * queries mostly wait on shard round trips, and the pushed-down ones in flight together
 * share one round trip per shard (storage/aggregate_batcher.ts): a run of n rules costs
 * about n / MAX_CONCURRENT_RULES of them. A rule whose query is not pushed down holds
 * the series it selected until it is done, which is what bounds this in a 128 MB
 * isolate. */
const MAX_CONCURRENT_RULES = 32;

/** Runs fn over items with at most `limit` calls in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      await fn(items[k]!, k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface GroupOptions {
  name: string;
  /** The rule file's KV key. */
  file: string;
  intervalMs: number;
  limit: number;
  queryOffsetMs: number | undefined;
  rules: Rule[];
  /** True when the group starts with the manager: alert `for` state is restored
   * from ALERTS_FOR_STATE after its first evaluations. */
  shouldRestore: boolean;
}

/**
 * A rule group: rules evaluated in order at the group's interval, each one seeing
 * what the earlier ones wrote in the same evaluation. Results are appended to the
 * tier's storage; a series a rule stops producing gets a stale marker.
 */
export class Group {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly limit: number;
  readonly queryOffsetMs: number | undefined;
  readonly rules: Rule[];
  /** Per rule: the series its last evaluation wrote, by label key. */
  seriesInPreviousEval: Map<string, Labels>[];
  /** Which entries of seriesInPreviousEval changed since they were last saved. */
  seriesDirty: boolean[];
  /** Series of rules that no longer exist, to be marked stale at the next evaluation. */
  staleSeries: Labels[] = [];
  evaluationTimeMs = 0;
  /** Wall clock at the start of the last evaluation. */
  lastEvaluation = ZERO_TIME;
  /** The slot of the last evaluation. */
  lastEvalTimestamp = ZERO_TIME;
  /** The next slot to evaluate. */
  nextSlot: number;
  /** Evaluations left before the `for` state is restored; 0 when done. */
  restoreCountdown: number;
  private readonly offsetNs: bigint;
  /** The shards' references of the series the rules write, as a scrape target keeps
   * them: a steady evaluation appends by reference, without sending labels. */
  private readonly refs = new SeriesRefs();
  /** Rule indexes in runs that may be evaluated together. */
  private readonly runs: number[][];

  constructor(
    o: GroupOptions,
    private readonly env: GroupEnv,
  ) {
    this.name = o.name;
    this.file = o.file;
    this.intervalMs = o.intervalMs;
    this.limit = o.limit;
    this.queryOffsetMs = o.queryOffsetMs;
    this.rules = o.rules;
    this.seriesInPreviousEval = o.rules.map(() => new Map());
    this.seriesDirty = o.rules.map(() => false);
    this.restoreCountdown = o.shouldRestore ? EVALS_BEFORE_RESTORE : 0;
    this.offsetNs = slotOffsetNs(o.file, o.name, o.intervalMs);
    this.runs = evaluationRuns(o.rules);
    this.nextSlot = this.firstSlotAfter(env.now());
  }

  /** Prometheus' GroupKey: group names are unique per file only. */
  get key(): string {
    return groupKey(this.file, this.name);
  }

  /** The first slot after `now`, where a (re)started group begins. */
  firstSlotAfter(now: number): number {
    return slotAtOrBefore(now, this.intervalMs, this.offsetNs) + this.intervalMs;
  }

  queryOffset(): number {
    return this.queryOffsetMs ?? this.env.defaultQueryOffsetMs;
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }

  /** Runs the evaluation that is due at `now`: the latest slot reached, counting the
   * slots skipped since the previous one as missed, as Prometheus' ticker does. */
  async runDue(now: number): Promise<void> {
    if (this.nextSlot > now) return;
    const skipped = Math.floor((now - this.nextSlot) / this.intervalMs);
    const slot = this.nextSlot + skipped * this.intervalMs;
    const figures = this.env.metrics.group(this.key);
    figures.iterationsMissed += skipped;
    figures.iterationsScheduled += skipped;
    await this.iterate(slot);
    this.nextSlot = slot + this.intervalMs;
  }

  /** One evaluation at slot `ts` with its bookkeeping (Prometheus'
   * DefaultEvalIterationFunc), then the `for` state restoration when due. */
  async iterate(ts: number): Promise<void> {
    const figures = this.env.metrics.group(this.key);
    figures.iterationsScheduled++;
    figures.intervalSeconds = this.intervalMs / 1000;
    figures.rules = this.rules.length;
    const start = this.env.now();
    await this.eval(ts);
    const took = this.env.now() - start;
    this.env.metrics.observeGroup(took / 1000);
    figures.lastRuleDurationSumSeconds = this.rules.reduce((n, r) => n + r.evaluationDurationMs, 0) / 1000;
    figures.lastDurationSeconds = took / 1000;
    figures.lastEvaluationTimestampSeconds = start / 1000;
    this.evaluationTimeMs = took;
    this.lastEvaluation = start;
    this.lastEvalTimestamp = ts;
    if (this.restoreCountdown > 0 && --this.restoreCountdown === 0) await this.restoreForState(this.env.now());
  }

  /** Evaluates every rule at `ts` (Prometheus' Group.Eval): in order, each rule
   * seeing what earlier ones wrote. Rules that do not read each other's output run
   * together (see rule_dependencies.ts), with the same results. */
  async eval(ts: number): Promise<void> {
    const offset = this.queryOffset();
    let samples = 0;
    for (const run of this.runs) samples += await this.evalRun(run, ts, offset);
    this.env.metrics.group(this.key).lastSamples = samples;
    await this.cleanupStaleSeries(ts);
  }

  /** One run of independent rules: evaluate them (at most MAX_CONCURRENT_RULES at
   * a time), notify, append all results in one commit, then mark what vanished stale.
   * Returns the number of samples the rules produced. */
  private async evalRun(run: readonly number[], ts: number, offset: number): Promise<number> {
    const figures = this.env.metrics.group(this.key);
    const results: (RuleSample[] | null)[] = run.map(() => null);
    await forEachLimited(run, MAX_CONCURRENT_RULES, async (i, k) => {
      const rule = this.rules[i]!;
      const start = this.env.now();
      figures.evaluations++;
      try {
        const vector = await rule.eval({
          ts,
          queryOffsetMs: offset,
          query: this.env.query,
          limit: this.limit,
          templateQuery: this.env.templateQuery,
          externalLabels: this.env.externalLabels,
          externalURL: this.env.externalURL,
        });
        rule.health = "ok";
        rule.lastError = "";
        if (rule instanceof AlertingRule) this.sendAlerts(rule, ts);
        results[k] = vector;
      } catch (e) {
        this.fail(rule, i, e);
      } finally {
        const took = this.env.now() - start;
        this.env.metrics.observeRule(took / 1000);
        rule.evaluationDurationMs = took;
        rule.evaluationTimestamp = start;
      }
    });

    const app = this.env.storage.appender(this.refs);
    const returned = run.map(() => new Map<string, Labels>());
    const owner = new Map<string, number>();
    let samples = 0;
    results.forEach((vector, k) => {
      if (vector === null) return;
      samples += vector.length;
      for (const s of vector) {
        const key = labelsKey(s.labels);
        app.append(s.labels, s.t, s.v, key);
        returned[k]!.set(key, s.labels);
        owner.set(key, k);
      }
    });
    if (owner.size > 0) {
      let res;
      try {
        res = await app.commit();
      } catch (e) {
        // The rules keep their previous series; the next evaluation tries again.
        results.forEach((vector, k) => {
          if (vector !== null) this.fail(this.rules[run[k]!]!, run[k]!, e);
        });
        return samples;
      }
      // Rejected samples are not the rule's series; the first reason is its error.
      for (const r of res.rejections) {
        const k = owner.get(r.series);
        if (k === undefined) continue;
        returned[k]!.delete(r.series);
        const rule = this.rules[run[k]!]!;
        if (rule.health === "ok") {
          rule.health = "err";
          rule.lastError = APPEND_ERRORS[r.reason];
        }
      }
      if (res.rejected > 0) this.env.log({ event: "rule_samples_rejected", group: this.name, file: this.file, rejected: res.rejected, reason: APPEND_ERRORS[res.rejections[0]?.reason ?? "out_of_order"] });
    }

    // Stale markers go in their own batch: a rejection there is expected (another
    // rule may write the series) and says nothing about a rule's health.
    const stale = this.env.storage.appender(this.refs);
    let nStale = 0;
    results.forEach((vector, k) => {
      if (vector === null) return;
      const i = run[k]!;
      const prev = this.seriesInPreviousEval[i]!;
      const now = returned[k]!;
      let changed = now.size !== prev.size;
      for (const [key, labels] of prev) {
        if (now.has(key)) continue;
        stale.append(labels, ts - offset, STALE_NAN);
        nStale++;
        changed = true;
      }
      if (changed) this.seriesDirty[i] = true;
      this.seriesInPreviousEval[i] = now;
    });
    if (nStale > 0) {
      try {
        await stale.commit();
      } catch (e) {
        this.env.log({ event: "rule_stale_markers_failed", group: this.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return samples;
  }

  private fail(rule: Rule, index: number, e: unknown): void {
    rule.health = "err";
    rule.lastError = e instanceof Error ? e.message : String(e);
    this.env.metrics.group(this.key).failures++;
    this.env.log({ event: "rule_eval_failed", group: this.name, file: this.file, rule: rule.name, index, error: rule.lastError });
  }

  private sendAlerts(rule: AlertingRule, ts: number): void {
    const alerts = rule.alertsToSend(ts, this.env.resendDelayMs, this.intervalMs);
    if (alerts.length === 0) return;
    const url = generatorURL(this.env.externalURL, rule.query);
    this.env.notify(
      alerts.map((a) => ({
        labels: labelsToRecord(a.labels),
        annotations: labelsToRecord(a.annotations),
        startsAt: a.firedAt,
        endsAt: isZeroTime(a.resolvedAt) ? a.validUntil : a.resolvedAt,
        generatorURL: url,
      })),
    );
  }

  /** Stale markers for the series of rules removed by a reload. */
  private async cleanupStaleSeries(ts: number): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const app = this.env.storage.appender();
    const t = ts - this.queryOffset();
    for (const s of this.staleSeries) app.append(s, t, STALE_NAN);
    try {
      await app.commit();
      this.staleSeries = [];
    } catch (e) {
      this.env.log({ event: "rule_stale_markers_failed", group: this.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * Restores when pending alerts became active from their ALERTS_FOR_STATE series,
   * as Prometheus does after a restart. An alert that had been pending for part of
   * its `for` continues where it stopped (its activeAt moves later by the downtime),
   * but gets at least the grace period before it fires; one that was firing fires
   * again at the next evaluation. Rules with a `for` shorter than the grace period
   * start over, and state older than the outage tolerance is ignored.
   */
  async restoreForState(now: number): Promise<void> {
    const started = this.env.now();
    const querier = this.env.storage.querier();
    const grace = this.env.forGracePeriodMs;
    for (const rule of this.alertingRules()) {
      if (rule.holdMs < grace) {
        rule.restored = true;
        continue;
      }
      try {
        const byLabels = new Map<string, { ts: Float64Array; vs: Float64Array }>();
        for await (const s of querier.select(rule.forStateMatchers(), { start: now - this.env.outageToleranceMs, end: now })) {
          byLabels.set(labelsKey(s.labels.filter((l) => l.name !== METRIC_NAME)), s);
        }
        for (const a of rule.active.values()) {
          const s = byLabels.get(labelsKey(a.labels));
          if (s === undefined || s.ts.length === 0) continue;
          const t = s.ts[s.ts.length - 1]!;
          const v = s.vs[s.vs.length - 1]!;
          if (isStaleNaN(v)) continue;
          const downAt = Math.floor(t / 1000) * 1000;
          let activeAt = Math.trunc(v) * 1000;
          const remaining = rule.holdMs - (downAt - activeAt);
          if (remaining <= 0) {
            // It was firing; the next evaluation fires it again.
          } else if (remaining < grace) activeAt = now + grace - rule.holdMs;
          else activeAt += now - downAt;
          a.activeAt = activeAt;
        }
      } catch (e) {
        // Prometheus cannot retry either: the alerts will fire after a full `for`.
        this.env.log({ event: "rule_restore_failed", group: this.name, rule: rule.name, error: e instanceof Error ? e.message : String(e) });
      }
      rule.restored = true;
    }
    this.env.metrics.group(this.key).lastRestoreDurationSeconds = (this.env.now() - started) / 1000;
  }

  /** Takes over the state of the group this one replaces on a reload: rules are
   * matched by name and labels (duplicates in order); series of rules without a
   * match are marked stale at the next evaluation. */
  copyState(from: Group): void {
    this.evaluationTimeMs = from.evaluationTimeMs;
    this.lastEvaluation = from.lastEvaluation;
    const byIdentity = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const list = byIdentity.get(r.identity()) ?? [];
      list.push(i);
      byIdentity.set(r.identity(), list);
    });
    this.rules.forEach((rule, i) => {
      const list = byIdentity.get(rule.identity());
      if (list === undefined || list.length === 0) return;
      const fi = list.shift()!;
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[fi]!;
      this.seriesDirty[i] = true;
      const old = from.rules[fi]!;
      if (rule instanceof AlertingRule && old instanceof AlertingRule) {
        for (const [k, a] of old.active) rule.active.set(k, a);
      }
    });
    this.staleSeries = [...from.staleSeries];
    for (const list of byIdentity.values()) {
      for (const fi of list) this.staleSeries.push(...from.seriesInPreviousEval[fi]!.values());
    }
  }

  /** Same name, file, interval, limit, query offset and rules. */
  equals(o: Group): boolean {
    if (this.name !== o.name || this.file !== o.file || this.intervalMs !== o.intervalMs || this.limit !== o.limit) return false;
    if (this.queryOffsetMs !== o.queryOffsetMs) return false;
    if (this.rules.length !== o.rules.length) return false;
    return this.rules.every((r, i) => r.fingerprint() === o.rules[i]!.fingerprint());
  }

  /** Every series this group's rules currently own (for stale markers when the
   * group goes away). */
  allSeries(): Labels[] {
    const out: Labels[] = [...this.staleSeries];
    for (const m of this.seriesInPreviousEval) out.push(...m.values());
    return out;
  }
}

export function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}
