import { LabelsBuilder, labelsKey, labelsToRecord, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { newMatcher, type Matcher } from "../model/matchers.js";
import type { Expr } from "../promql/parser/ast.js";
import { isZeroTime, needsSending, newAlert, STATE_RANK, ZERO_TIME, type Alert, type AlertState } from "./alert.js";
import { Rule, type RuleEvalContext, type RuleSample } from "./rule.js";
import { expandAlertTemplate } from "./template/index.js";

export const ALERTS_METRIC = "ALERTS";
export const ALERTS_FOR_STATE_METRIC = "ALERTS_FOR_STATE";
const ALERT_NAME = "alertname";
const ALERT_STATE = "alertstate";

/** How long a resolved alert is kept, and re-sent as resolved, so that Alertmanager
 * learns of the resolution despite a failed send or its own restart. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * Turns each result of its expression into an alert: pending at first, firing once
 * it has been active for the hold duration (`for`), resolved when it leaves the
 * result (or, with `keep_firing_for`, that much later). Writes the ALERTS and
 * ALERTS_FOR_STATE series once its state has been restored after a restart.
 */
export class AlertingRule extends Rule {
  readonly kind = "alerting";
  /** Alerts by the key of their label set: pending, firing, and resolved ones kept
   * for {@link RESOLVED_RETENTION_MS}. */
  active = new Map<string, Alert>();

  constructor(
    name: string,
    expr: Expr,
    readonly holdMs: number,
    readonly keepFiringForMs: number,
    labels: Labels,
    readonly annotations: Labels,
    /** False until the `for` state was restored after a start; no ALERTS series are
     * written before, so that a restart does not write a misleading history. */
    public restored: boolean,
  ) {
    super(name, expr, labels);
  }

  async eval(ctx: RuleEvalContext): Promise<RuleSample[]> {
    const res = await ctx.query(this.expr, ctx.ts - ctx.queryOffsetMs);
    const fresh = new Map<string, Alert>();
    for (const smpl of res) {
      const tctx = {
        labels: labelsToRecord(smpl.labels),
        externalLabels: ctx.externalLabels,
        externalURL: ctx.externalURL,
        value: smpl.v,
        timeMs: ctx.ts,
        query: ctx.templateQuery,
      };
      const expand = (text: string) => expandAlertTemplate(`__alert_${this.name}`, text, tctx);
      const lb = new LabelsBuilder(smpl.labels).del(METRIC_NAME);
      for (const l of this.labels) lb.set(l.name, await expand(l.value));
      lb.set(ALERT_NAME, this.name);
      const annotations: Label[] = [];
      for (const a of this.annotations) annotations.push({ name: a.name, value: await expand(a.value) });
      const labels = lb.labels();
      const key = labelsKey(labels);
      if (fresh.has(key)) throw new Error("vector contains metrics with the same labelset after applying alert labels");
      fresh.set(key, newAlert(labels, annotations, smpl.v, ctx.ts));
    }

    for (const [key, a] of fresh) {
      const cur = this.active.get(key);
      if (cur !== undefined && cur.state !== "inactive") {
        cur.value = a.value;
        cur.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    const out: RuleSample[] = [];
    const t = ctx.ts - ctx.queryOffsetMs;
    let activeOrPending = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === "firing" && this.keepFiringForMs > 0) {
          if (isZeroTime(a.keepFiringSince)) a.keepFiringSince = ctx.ts;
          if (ctx.ts - a.keepFiringSince < this.keepFiringForMs) keepFiring = true;
        }
        if (a.state === "pending" || (!isZeroTime(a.resolvedAt) && ctx.ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== "inactive" && !keepFiring) {
          a.state = "inactive";
          a.resolvedAt = ctx.ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = ZERO_TIME;
      }
      activeOrPending++;
      if (a.state === "pending" && ctx.ts - a.activeAt >= this.holdMs) {
        a.state = "firing";
        a.firedAt = ctx.ts;
      }
      // A longer `for` after a reload sends a firing alert back to pending.
      if (a.state === "firing" && ctx.ts - a.activeAt < this.holdMs) {
        a.state = "pending";
        a.firedAt = ZERO_TIME;
        a.lastSentAt = ZERO_TIME;
        a.keepFiringSince = ZERO_TIME;
      }
      if (this.restored) {
        out.push({ labels: this.alertsSeries(a), t, v: 1 });
        out.push({ labels: this.forStateSeries(a.labels), t, v: Math.floor(a.activeAt / 1000) });
      }
    }
    if (ctx.limit > 0 && activeOrPending > ctx.limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${ctx.limit} with ${activeOrPending} alerts`);
    }
    return out;
  }

  /** ALERTS{alertname, alertstate, <rule labels>, <alert labels>}. */
  private alertsSeries(a: Alert): Labels {
    const lb = new LabelsBuilder(this.labels);
    for (const l of a.labels) lb.set(l.name, l.value);
    return lb.set(METRIC_NAME, ALERTS_METRIC).set(ALERT_NAME, this.name).set(ALERT_STATE, a.state).labels();
  }

  /** ALERTS_FOR_STATE of one alert (or, without labels, of the rule). */
  forStateSeries(alertLabels: Labels): Labels {
    const lb = new LabelsBuilder(this.labels);
    for (const l of alertLabels) lb.set(l.name, l.value);
    return lb.set(METRIC_NAME, ALERTS_FOR_STATE_METRIC).set(ALERT_NAME, this.name).labels();
  }

  /** Matchers selecting every ALERTS_FOR_STATE series of this rule. Labels that are
   * templates expand per alert, so they cannot be matched on. */
  forStateMatchers(): Matcher[] {
    return this.forStateSeries([])
      .filter((l) => !l.value.includes("{{"))
      .map((l) => newMatcher("=", l.name, l.value));
  }

  /** The alerts to hand to Alertmanager at `ts`, marking them sent. Each stays
   * valid for four evaluation (or resend) intervals, so two failed evaluations or
   * sends do not resolve it. */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, ts, resendDelayMs)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(intervalMs, resendDelayMs);
      out.push({ ...a });
    }
    return out;
  }

  /** The highest state of its alerts; unknown before the first evaluation. */
  state(): AlertState | "unknown" {
    if (isZeroTime(this.evaluationTimestamp)) return "unknown";
    let max: AlertState = "inactive";
    for (const a of this.active.values()) if (STATE_RANK[a.state] > STATE_RANK[max]) max = a.state;
    return max;
  }

  /** Pending and firing alerts (resolved ones are kept for notifications only). */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => isZeroTime(a.resolvedAt)).map((a) => ({ ...a }));
  }

  fingerprint(): string {
    return JSON.stringify(["alert", this.name, this.query, this.holdMs, this.keepFiringForMs, this.labels, this.annotations]);
  }
}
