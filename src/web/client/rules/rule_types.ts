import { defaultPanel } from "../query/panel_state.js";
import { encodePanels } from "../query/url_state.js";

/** Prometheus' /api/v1/rules and /api/v1/alerts shapes. */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing" | "inactive";
  activeAt?: string;
  keepFiringSince?: string;
  value: string;
}

interface RuleBase {
  name: string;
  query: string;
  labels?: Record<string, string>;
  health: "ok" | "err" | "unknown";
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
}

export interface AlertingRule extends RuleBase {
  type: "alerting";
  state: "inactive" | "pending" | "firing";
  /** `for`, in seconds. */
  duration: number;
  keepFiringFor?: number;
  annotations: Record<string, string>;
  alerts: Alert[];
}

export interface RecordingRule extends RuleBase {
  type: "recording";
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  limit?: number;
  rules: Rule[];
  evaluationTime: number;
  lastEvaluation: string;
}

export interface RulesData {
  groups: RuleGroup[];
}

export interface AlertsData {
  alerts: Alert[];
}

/** A link to the query page with the expression in a table panel. */
export function queryLink(expr: string): string {
  return `/query?${encodePanels([{ ...defaultPanel(), expr }]).toString()}`;
}
