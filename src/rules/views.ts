import type { Labels } from "../model/labels.js";
import type { AlertState } from "./alert.js";
import { AlertingRule } from "./alerting_rule.js";
import type { Group } from "./group.js";
import type { RuleHealth } from "./rule.js";

/** What /api/v1/rules and /api/v1/alerts show, as plain data that crosses the
 * RuleEvaluator's RPC boundary. Times are ms since the epoch, ZERO_TIME for Go's zero
 * time; durations are ms. The API turns these into Prometheus' JSON. */

export interface AlertView {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  activeAt: number;
  keepFiringSince: number;
  value: number;
}

interface RuleViewBase {
  name: string;
  query: string;
  labels: Labels;
  health: RuleHealth;
  lastError: string;
  evaluationTimeMs: number;
  lastEvaluation: number;
}

export interface AlertingRuleView extends RuleViewBase {
  type: "alerting";
  state: AlertState | "unknown";
  durationMs: number;
  keepFiringForMs: number;
  annotations: Labels;
  alerts: AlertView[];
}

export interface RecordingRuleView extends RuleViewBase {
  type: "recording";
}

export type RuleView = AlertingRuleView | RecordingRuleView;

export interface GroupView {
  name: string;
  file: string;
  intervalMs: number;
  limit: number;
  evaluationTimeMs: number;
  lastEvaluation: number;
  rules: RuleView[];
}

export interface RulesStatus {
  /** Why the last load of the configuration or rule files failed ("" if it did not);
   * the previous rules keep running then. */
  loadError: string;
  groups: GroupView[];
}

function alertViews(rule: AlertingRule): AlertView[] {
  return rule
    .activeAlerts()
    .map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state, activeAt: a.activeAt, keepFiringSince: a.keepFiringSince, value: a.value }));
}

export function groupView(g: Group): GroupView {
  return {
    name: g.name,
    file: g.file,
    intervalMs: g.intervalMs,
    limit: g.limit,
    evaluationTimeMs: g.evaluationTimeMs,
    lastEvaluation: g.lastEvaluation,
    rules: g.rules.map((r): RuleView => {
      const base = {
        name: r.name,
        query: r.query,
        labels: r.labels,
        health: r.health,
        lastError: r.lastError,
        evaluationTimeMs: r.evaluationDurationMs,
        lastEvaluation: r.evaluationTimestamp,
      };
      if (r instanceof AlertingRule) {
        return {
          ...base,
          type: "alerting",
          state: r.state(),
          durationMs: r.holdMs,
          keepFiringForMs: r.keepFiringForMs,
          annotations: r.annotations,
          alerts: alertViews(r),
        };
      }
      return { ...base, type: "recording" };
    }),
  };
}
